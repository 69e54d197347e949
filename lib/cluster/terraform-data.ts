import { type DataConfig, DataResource, Fn, type ITerraformDependable } from "cdktf";
import type { Construct, IValidation } from "constructs";
import type { ClusterConnection } from "./kubeadm-cluster";
import { ValidateTerraformVersion } from "cdktf/lib/validations/validate-terraform-version";

/**
 * Terraform's built-in `terraform_data`, without cdktf's per-resource Terraform version probe.
 *
 * cdktf adds to every DataResource a validation that runs `terraform version` as a child process at
 * synth: ~0.2 s per resource, and a synth that FAILS on a machine without Terraform ("Could not determine
 * version of terraform"), although synthesizing needs no Terraform at all. The probe only checks
 * Terraform >= 1.4, which `terraform init` enforces anyway (terraform_data does not exist before 1.4).
 * constructs has no API to remove a validation, hence the one cast below, tested by
 * __tests__/behaviour/environment/synth-without-terraform.test.ts.
 */
export function terraformData(scope: Construct, id: string, config: DataConfig): DataResource {
  const resource = new DataResource(scope, id, config);
  const node = resource.node as unknown as { _validations?: IValidation[] };
  node._validations = node._validations?.filter((v) => !(v instanceof ValidateTerraformVersion));
  return resource;
}

export interface ShellWaitProps {
  /** Shown in the plan; a change replaces the resource (and so waits again). */
  readonly input: Readonly<Record<string, string>>;
  /** @default {} */
  readonly triggers?: Readonly<Record<string, string>>;
  readonly dependsOn: readonly ITerraformDependable[];
  /** POSIX shell, run by `/bin/sh -c` (dash, busybox ash): no bash-isms, no `${`/`%{` (a Terraform template). */
  readonly script: string;
  /** Everything the script reads: values never reach its command line. */
  readonly environment: Readonly<Record<string, string>>;
}

/**
 * A `terraform_data` whose creation runs a bounded wait script on the machine that applies (the
 * readiness gates): the resource exists only once the script exits 0.
 */
export function shellWait(scope: Construct, id: string, props: ShellWaitProps): DataResource {
  return terraformData(scope, id, {
    input: { ...props.input },
    triggersReplace: { ...(props.triggers ?? {}) },
    dependsOn: [...props.dependsOn],
    provisioners: [{ type: "local-exec", interpreter: ["/bin/sh", "-c"], command: props.script, environment: { ...props.environment } }],
  });
}

/**
 * The first lines of a shellWait script that reads `path` from the API server as Terraform's admin: the CA,
 * client certificate and key written by printf (a shell builtin, so never on a command line) into a private
 * mktemp -d directory removed on exit, then `$url` and the deadline `$end`. K8S_POLL_SECONDS only exists
 * for tests. Pair it with adminApiEnvironment().
 */
export function adminApiWaitPreamble(path: string, defaultPollSeconds: number): string[] {
  return [
    "set -u",
    `K8S_POLL_SECONDS=$(printenv K8S_POLL_SECONDS || echo ${defaultPollSeconds})`,
    "dir=$(mktemp -d) || exit 1",
    "trap 'rm -rf \"$dir\"' EXIT",
    'printf "%s\\n" "$K8S_CA_PEM" > "$dir/ca.crt"',
    'printf "%s\\n" "$K8S_CLIENT_CERT_PEM" > "$dir/client.crt"',
    'printf "%s\\n" "$K8S_CLIENT_KEY_PEM" > "$dir/client.key"',
    `url="$K8S_ENDPOINT${path}"`,
    "end=$(( $(date +%s) + K8S_WAIT_SECONDS ))",
  ];
}

/** What adminApiWaitPreamble() reads; the key wrapped in sensitive() even if the caller's value is not marked. */
export function adminApiEnvironment(connection: ClusterConnection, timeoutSeconds: number): Record<string, string> {
  return {
    K8S_ENDPOINT: connection.host,
    K8S_CA_PEM: connection.clusterCaCertificate,
    K8S_CLIENT_CERT_PEM: connection.clientCertificate,
    K8S_CLIENT_KEY_PEM: Fn.sensitive(connection.clientKey),
    K8S_WAIT_SECONDS: String(timeoutSeconds),
  };
}
