import { Construct } from "constructs";
import { type DataResource, type ITerraformDependable } from "cdktf";
import { shellWait } from "./terraform-data";

export interface ReadinessGateProps {
  /** https://VIP:6443 */
  readonly endpoint: string;
  /** PEM of the cluster CA: the gate verifies the API server, it never uses curl -k. */
  readonly caCertPem: string;
  /** What must exist before waiting makes sense (the VMs). */
  readonly dependsOn: readonly ITerraformDependable[];
  /**
   * Values whose change re-runs the wait (e.g. VM ids: a replaced node waits again).
   * @default {} (wait once, at creation)
   */
  readonly triggers?: Readonly<Record<string, string>>;
  /**
   * Upper bound of the wait.
   * @default 1800
   */
  readonly timeoutSeconds?: number;
  /**
   * Facts about this apply that a reviewer must see in the plan (they become part of the gate's
   * `input`), e.g. that a node re-runs `kubeadm init`.
   * @default {}
   */
  readonly notices?: Readonly<Record<string, string>>;
}

/**
 * Literal POSIX shell, run by Terraform's local-exec through /bin/sh on the machine that applies (dash
 * on Debian, busybox ash on Alpine runners). Inputs come through environment variables (the CA never
 * lands on a command line); K8S_POLL_SECONDS (default 10) only exists for tests. No `${`/`%{` in here:
 * the command is a Terraform string template.
 */
export const READINESS_WAIT_SCRIPT = [
  "set -u",
  'K8S_POLL_SECONDS=$(printenv K8S_POLL_SECONDS || echo 10)',
  'ca=$(mktemp) || exit 1',
  'trap \'rm -f "$ca"\' EXIT',
  'printf "%s\\n" "$K8S_CA_PEM" > "$ca"',
  'end=$(( $(date +%s) + K8S_WAIT_SECONDS ))',
  '# The last error (e.g. a certificate the CA does not verify) goes into the GIVING UP line.',
  'until err=$(curl -sSf --max-time 5 --cacert "$ca" "$K8S_ENDPOINT/readyz" 2>&1 > /dev/null); do',
  '  if [ "$(date +%s)" -ge "$end" ]; then echo "GIVING UP: $K8S_ENDPOINT/readyz not ready after $K8S_WAIT_SECONDS s: $err (check /var/log/k8s-bootstrap.log on the first control-plane node)" >&2; exit 1; fi',
  '  sleep "$K8S_POLL_SECONDS"',
  "done",
  'echo "$K8S_ENDPOINT is ready"',
].join("\n");

/**
 * `terraform_data` that completes only when the API server answers /readyz through the VIP, with
 * the cluster CA. Everything that talks to the cluster (helm/kubernetes resources) depends on it.
 * Needs /bin/sh, curl, mktemp and date where Terraform runs.
 */
export class ReadinessGate extends Construct {
  readonly resource: DataResource;

  constructor(scope: Construct, id: string, props: ReadinessGateProps) {
    super(scope, id);
    this.resource = shellWait(this, "wait", {
      input: { endpoint: props.endpoint, ...(props.notices ?? {}) },
      triggers: props.triggers,
      dependsOn: props.dependsOn,
      script: READINESS_WAIT_SCRIPT,
      environment: {
        K8S_ENDPOINT: props.endpoint,
        K8S_CA_PEM: props.caCertPem,
        K8S_WAIT_SECONDS: String(props.timeoutSeconds ?? 1800),
      },
    });
  }
}
