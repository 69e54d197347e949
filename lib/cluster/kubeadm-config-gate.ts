import { type DataResource, type ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import type { ClusterConnection } from "./kubeadm-cluster";
import { adminApiEnvironment, adminApiWaitPreamble, shellWait } from "./terraform-data";

/** The ConfigMap `kubeadm init` uploads (phase upload-config) a moment after the API server is ready. */
export const KUBEADM_CONFIG_PATH = "/api/v1/namespaces/kube-system/configmaps/kubeadm-config";

/**
 * Literal POSIX shell run by Terraform's local-exec through /bin/sh with curl, like the pod network gate:
 * inputs through environment variables, the client key written by printf into a private directory and
 * removed on exit, no `${`/`%{` (a Terraform template). Waits for HTTP 200 on the ConfigMap; 404 (init
 * has not uploaded it yet), TLS or auth errors mean "wait", the last one ends up in the GIVING UP line.
 */
export const KUBEADM_CONFIG_WAIT_SCRIPT = [
  ...adminApiWaitPreamble(KUBEADM_CONFIG_PATH, 5),
  'until curl -sSf --max-time 10 -o /dev/null --cacert "$dir/ca.crt" --cert "$dir/client.crt" --key "$dir/client.key" "$url" 2> "$dir/err"; do',
  '  if [ "$(date +%s)" -ge "$end" ]; then echo "GIVING UP: $url not there after $K8S_WAIT_SECONDS s: $(cat "$dir/err") (did kubeadm init finish? /var/log/k8s-bootstrap.log on the first control-plane node)" >&2; exit 1; fi',
  '  sleep "$K8S_POLL_SECONDS"',
  "done",
  'echo "kube-system/kubeadm-config exists"',
].join("\n");

export interface KubeadmConfigGateProps {
  readonly connection: ClusterConnection;
  /** The API readiness gate (and with it the VMs). */
  readonly dependsOn: readonly ITerraformDependable[];
  /** @default {} */
  readonly triggers?: Readonly<Record<string, string>>;
  /** @default 600 */
  readonly timeoutSeconds?: number;
}

/**
 * `terraform_data` that completes once kube-system/kubeadm-config exists. /readyz answers before
 * `kubeadm init` uploads it, and the kubernetes provider's config_map_v1_data fails on a missing ConfigMap.
 */
export class KubeadmConfigGate extends Construct {
  readonly resource: DataResource;

  constructor(scope: Construct, id: string, props: KubeadmConfigGateProps) {
    super(scope, id);
    const { connection } = props;
    this.resource = shellWait(this, "wait", {
      input: { endpoint: connection.host, configmap: KUBEADM_CONFIG_PATH },
      triggers: props.triggers,
      dependsOn: props.dependsOn,
      script: KUBEADM_CONFIG_WAIT_SCRIPT,
      environment: adminApiEnvironment(connection, props.timeoutSeconds ?? 600),
    });
  }
}
