import Ajv2020 from "ajv/dist/2020";
import { readFileSync } from "fs";
import { join } from "path";
import { deepMerge } from "../../lib/platform/values";
import { environment } from "./fixtures";
import { synthPlatform } from "./synth";
import { CHARTS_DIR, upstreamValues } from "./upstream";

const schema = JSON.parse(readFileSync(join(CHARTS_DIR, "traefik", "values.schema.json"), "utf8"));
// strict: false because the chart's schema uses keywords ajv does not know in strict mode; allErrors for one full report.
const validate = new Ajv2020({ strict: false, allErrors: true }).compile(schema);

describe.each([
  ["sandbox", environment("sandbox")],
  ["prod with mirror", environment("prod", { mirror: true })],
] as const)("Traefik values against values.schema.json (%s)", (_label, env) => {
  it.each(["traefik-public", "traefik-admin"])("%s: the values Helm validates (chart defaults + ours) pass", (name) => {
    const effective = deepMerge(upstreamValues("traefik"), synthPlatform(env).releases[name].values);
    const ok = validate(effective);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });
});

describe("the schema check can fail", () => {
  it("rejects a misspelt key under a closed object", () => {
    expect(validate(deepMerge(upstreamValues("traefik"), { ingressClass: { nmae: "x" } }))).toBe(false);
  });
});

describe("Traefik instances", () => {
  const { releases } = synthPlatform(environment("prod"));
  it("serve one class each, NodePorts from config, only public is the default class", () => {
    const pub = releases["traefik-public"].values as any;
    const adm = releases["traefik-admin"].values as any;
    expect(pub.ingressClass).toEqual({ enabled: true, isDefaultClass: true, name: "public" });
    expect(adm.ingressClass).toEqual({ enabled: true, isDefaultClass: false, name: "admin" });
    expect(pub.providers.kubernetesIngress.ingressClass).toBe("public");
    expect(adm.providers.kubernetesCRD.ingressClass).toBe("admin");
    expect(pub.service.spec.type).toBe("NodePort");
    expect([pub.ports.web.nodePort, pub.ports.websecure.nodePort]).toEqual([30080, 30443]);
    expect([adm.ports.web.nodePort, adm.ports.websecure.nodePort]).toEqual([31080, 31443]);
    expect(releases["traefik-public"].namespace).not.toBe(releases["traefik-admin"].namespace);
  });
});
