import { CHARTS } from "../../lib/platform/chart-versions";
import { CALICO_STATUS_PATH, POD_NETWORK_WAIT_SCRIPT } from "../../lib/platform/pod-network-gate";
import { environment } from "./fixtures";
import { synthPlatform, TEST_CONNECTION } from "./synth";

const { releases, json } = synthPlatform(environment("prod"));
const ref = (name: string) => `helm_release.${releases[name].address}`;
const gates = Object.entries<any>(json.resource.terraform_data ?? {}).filter(([address]) => address.includes("pod-network-ready"));

describe("the pod network gate", () => {
  it("is one terraform_data after the API gate and both Calico releases' operator", () => {
    expect(gates).toHaveLength(1);
    const [, gate] = gates[0];
    expect(gate.depends_on).toEqual(expect.arrayContaining(["null_resource.api-ready", ref("calico")]));
  });

  const [address, gate] = gates[0];
  const gateRef = `terraform_data.${address}`;
  const afterCalico = Object.keys(releases).filter((n) => n !== "calico" && n !== "calico-crds");

  it.each(afterCalico)("%s waits for it", (name) => {
    expect(releases[name].dependsOn).toContain(gateRef);
  });
  it("Calico's own releases do not (the gate waits for them)", () => {
    expect(releases.calico.dependsOn).not.toContain(gateRef);
    expect(releases["calico-crds"].dependsOn).not.toContain(gateRef);
  });

  it("runs the wait script under /bin/sh with the connection in its environment, the key sensitive", () => {
    const exec = gate.provisioner[0]["local-exec"];
    expect(exec.interpreter).toEqual(["/bin/sh", "-c"]);
    expect(exec.command).toBe(POD_NETWORK_WAIT_SCRIPT);
    expect(exec.environment).toMatchObject({
      K8S_ENDPOINT: TEST_CONNECTION.host,
      K8S_CA_PEM: TEST_CONNECTION.clusterCaCertificate,
      K8S_CLIENT_CERT_PEM: TEST_CONNECTION.clientCertificate,
      K8S_WAIT_SECONDS: "1200",
      // What the Installation must report before a tigerastatus Available counts: the pinned Calico.
      CALICO_VERSION: CHARTS.tigeraOperator.version,
    });
    expect(exec.environment.K8S_CLIENT_KEY_PEM).toBe(`\${sensitive("${TEST_CONNECTION.clientKey}")}`);
    // Nothing secret anywhere else: not in the command, not in the (plan-visible) input.
    expect(exec.command).not.toContain(TEST_CONNECTION.clientKey);
    expect(JSON.stringify(gate.input)).not.toContain("KEY");
    expect(gate.input).toEqual({ endpoint: TEST_CONNECTION.host, status: CALICO_STATUS_PATH });
  });

  it("waits again when the Calico chart version changes", () => {
    expect(gate.triggers_replace).toEqual({ calico_version: CHARTS.tigeraOperator.version });
  });

  it("uses curl and POSIX tools only, and nothing Terraform would read as a template", () => {
    // kubectl appears only in the hint of the GIVING UP text, never as a command.
    expect(POD_NETWORK_WAIT_SCRIPT).not.toMatch(/(^|[|;(]|then|do)\s*(jq|kubectl)\b/m);
    expect(POD_NETWORK_WAIT_SCRIPT).not.toMatch(/\$\{|%\{/);
    expect(POD_NETWORK_WAIT_SCRIPT).toContain("curl -sSf");
    expect(POD_NETWORK_WAIT_SCRIPT).not.toContain(" -k ");
    expect(POD_NETWORK_WAIT_SCRIPT).not.toContain("--insecure");
  });
});
