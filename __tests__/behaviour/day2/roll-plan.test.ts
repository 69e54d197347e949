/** The roll's gate on REAL Terraform plans (stand-ins retyped): exactly the rolled VM, nothing else but what may go with it. */
import { rollPlanProblems } from "../../../lib/day2/roll-plan";
import { REGENERATED_SECRET_LABEL } from "../../../lib/config/labels";
import { planStandIns, type StandIn } from "../../review/stand-in-plan";
import { describeWithTool } from "../../tools";

const vm = (pool: string, n: number, revision: number, disks = 1): StandIn => ({
  as: "vsphere_virtual_machine",
  path: pool === "control-plane" ? `cluster/control-plane/node-${n}` : `cluster/workers-${pool}/node-${n}`,
  input: { name: `prod-${pool}-${n}`, replace_trigger: `revision-${revision}`, disk: [{ label: "disk0", unit_number: 0, size: 80 }, ...(disks > 1 ? [{ label: "disk1", unit_number: 1, size: 1024 }] : [])] },
  replaceOn: revision,
  replacePathAs: "replace_trigger",
});
const tokenPiece = (as: string, path: string, input: Record<string, unknown>, v: number, replacePathAs: string): StandIn => ({ as, path, input, replaceOn: v, replacePathAs });
const joinToken = (v: number): Record<string, StandIn> => ({
  rotation: tokenPiece("time_rotating", "cluster/pki/bootstrap-token-rotation", { rotation_hours: 24 }, v, "rotation_rfc3339"),
  k8s: tokenPiece("kubernetes_secret_v1", "cluster/join-token/secret", { type: "bootstrap.kubernetes.io/token", metadata: [{ name: `bootstrap-token-id${v}`, namespace: "kube-system", labels: { [REGENERATED_SECRET_LABEL]: "true" } }] }, v, "metadata"),
});

function problems(v1: Record<string, StandIn>, v2: Record<string, StandIn>, node: string, resumingApply = false): string[] {
  const p = planStandIns({ resources: v1 }, { resources: v2 });
  return rollPlanProblems({ stack: "prod", plan: p.plan, synth: p.synth, node, resumingApply });
}

describeWithTool("terraform", ["version"])("the roll's plan gate (real plans)", () => {
  it("passes one storage VM replaced with a join-token rotation due in the same plan (routine); a stray release update is for a merge request", () => {
    const v1 = { s1: vm("storage", 1, 0, 2), s2: vm("storage", 2, 0, 2), ...joinToken(1) };
    expect(problems(v1, { ...v1, s1: vm("storage", 1, 1, 2), ...joinToken(2) }, "prod-storage-1")).toEqual([]);
    const release = (chart: string): StandIn => ({ as: "helm_release", path: "platform/traefik-public/helm/release", input: { name: "traefik-public", chart, namespace: "traefik-public" } });
    expect(problems({ ...v1, r: release("traefik") }, { ...v1, s1: vm("storage", 1, 1, 2), r: { ...release("traefik"), input: { ...release("traefik").input, version: "2" } } }, "prod-storage-1")).toEqual([
      "the plan also changes platform/traefik-public/helm/release (update): apply that through a merge request first, then resume the roll",
    ]);
  });

  it("refuses two control-plane VMs (the review gate's etcd rule and the one-VM rule), and the wrong VM", () => {
    const v1 = { c1: vm("control-plane", 1, 0), c2: vm("control-plane", 2, 0) };
    const both = problems(v1, { c1: vm("control-plane", 1, 1), c2: vm("control-plane", 2, 1) }, "prod-control-plane-1");
    expect(both[0]).toContain("Refusing this plan: its blast radius is too large.");
    expect(both[0]).toContain("2 × control-plane-vms");
    expect(both[1]).toBe("the plan must replace exactly one VM, prod-control-plane-1; it changes 2 VM(s) (prod-control-plane-1: replace, prod-control-plane-2: replace)");
    expect(problems(v1, { ...v1, c2: vm("control-plane", 2, 1) }, "prod-control-plane-1")).toEqual([
      "the plan must replace exactly one VM, prod-control-plane-1; it changes 1 VM(s) (prod-control-plane-2: replace)",
    ]);
  });

  it("after a failed apply accepts the VM created (destroyed before the failure) or nothing left; a fresh roll needs the replacement", () => {
    const gate: StandIn = { as: "terraform_data", path: "cluster/api-ready", input: { endpoint: "https://10.20.30.10:6443" } };
    const v1 = { gate, g1: vm("general", 1, 1) };
    expect(problems({ gate }, v1, "prod-general-1", true)).toEqual([]);
    expect(problems(v1, v1, "prod-general-1", true)).toEqual([]);
    expect(problems(v1, v1, "prod-general-1")).toEqual(["the plan must replace exactly one VM, prod-general-1; it changes 0 VM(s) (none)"]);
  });
});
