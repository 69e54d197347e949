import { parse } from "yaml";
import { allNodes } from "../../lib/config/pool-nodes";
import type { EnvironmentConfig } from "../../lib/config/types";
import { renderCloudConfig } from "../../lib/cluster/cloud-config";
import {
  CERT_RENEWAL_SCRIPT_PATH, CERT_RENEWAL_SERVICE_PATH, CERT_RENEWAL_TIMER, CERT_RENEWAL_TIMER_PATH, RENEWED_CERTIFICATES, RENEWED_KUBECONFIGS,
} from "../../lib/cluster/cert-renewal";
import { placeholderSecrets } from "../../lib/cluster/secrets";
import { prodLike, sandboxLike } from "./fixtures";
import { synthCluster } from "./synth-helpers";

interface CloudConfig { write_files: { path: string; content: string; permissions: string }[]; runcmd: string[][] }
const rendered = (env: EnvironmentConfig) =>
  allNodes(env).map((node) => ({ node, doc: parse(renderCloudConfig(env, node, placeholderSecrets())) as CloudConfig }));
const file = (doc: CloudConfig, path: string) => doc.write_files.find((f) => f.path === path);

describe("certificate renewal in the cloud-config", () => {
  it("control-plane nodes get the script, service and timer (enabled before the bootstrap); workers get none", () => {
    for (const { node, doc } of rendered(prodLike as EnvironmentConfig)) {
      const cp = node.role === "control-plane";
      expect(file(doc, CERT_RENEWAL_SCRIPT_PATH)?.permissions).toBe(cp ? "0755" : undefined);
      expect(file(doc, CERT_RENEWAL_SERVICE_PATH) !== undefined).toBe(cp);
      expect(file(doc, CERT_RENEWAL_TIMER_PATH) !== undefined).toBe(cp);
      const enable = doc.runcmd.findIndex((c) => c.join(" ") === `systemctl enable --now ${CERT_RENEWAL_TIMER}`);
      expect(enable >= 0).toBe(cp);
      if (cp) expect(enable).toBeLessThan(doc.runcmd.length - 1); // the bootstrap runs last
    }
  });

  it("the service runs the script with the environment's threshold: the tier's, or certificates.renewBeforeDays", () => {
    const exec = (env: EnvironmentConfig) => /^ExecStart=(.*)$/m.exec(file(rendered(env)[0].doc, CERT_RENEWAL_SERVICE_PATH)!.content)![1];
    expect(exec(prodLike as EnvironmentConfig)).toBe(`${CERT_RENEWAL_SCRIPT_PATH} 90`);
    expect(exec(sandboxLike as EnvironmentConfig)).toBe(`${CERT_RENEWAL_SCRIPT_PATH} 180`);
    expect(exec({ ...prodLike, certificates: { renewBeforeDays: 60 } } as EnvironmentConfig)).toBe(`${CERT_RENEWAL_SCRIPT_PATH} 60`);
  });

  it("each control-plane node checks in a window of its own, so two never restart etcd at the same time", () => {
    const windows = rendered(prodLike as EnvironmentConfig)
      .filter(({ node }) => node.role === "control-plane")
      .map(({ doc }) => /^OnCalendar=(.*)$/m.exec(file(doc, CERT_RENEWAL_TIMER_PATH)!.content)![1]);
    expect(windows).toEqual(["*-*-* 01:00:00", "*-*-* 03:00:00", "*-*-* 05:00:00"]);
    expect(file(rendered(prodLike as EnvironmentConfig)[0].doc, CERT_RENEWAL_TIMER_PATH)!.content).toContain("RandomizedDelaySec=1h");
  });

  it("the script checks every certificate kubeadm renews, and nothing is a secret", () => {
    const script = file(rendered(prodLike as EnvironmentConfig)[0].doc, CERT_RENEWAL_SCRIPT_PATH)!.content;
    for (const c of RENEWED_CERTIFICATES) expect(script).toContain(c);
    for (const k of RENEWED_KUBECONFIGS) expect(script).toContain(k);
    expect(script).toContain("kubeadm certs renew all");
    expect(script).not.toMatch(/<secret:/);
  });
  // shellcheck on the script: __tests__/behaviour/cluster/shellcheck.test.ts.
});

describe("the cluster CA's end as an output", () => {
  it("cluster_ca_not_after is the CA certificate's validity_end_time (not sensitive: a date)", () => {
    const { json } = synthCluster(prodLike as EnvironmentConfig);
    const output = json.output.cluster_ca_not_after;
    expect(output.value).toMatch(/^\$\{tls_self_signed_cert\.cluster_pki_ca-cert_[A-Z0-9]+\.validity_end_time\}$/);
    expect(output.sensitive).toBeUndefined();
  });
});
