import { type DataResource, type ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import type { ClusterConnection } from "../cluster/kubeadm-cluster";
import { adminApiEnvironment, adminApiWaitPreamble, shellWait } from "../cluster/terraform-data";

/** What the gate reads: the operator's summary of the Calico rollout (`kubectl get tigerastatus calico`). */
export const CALICO_STATUS_PATH = "/apis/operator.tigera.io/v1/tigerastatuses/calico";
/**
 * The Installation the chart creates (`installation.enabled`, name `default`). Its `status.calicoVersion` is
 * written by the operator only after a reconcile of its own release found every component Available
 * (tigera/operator v1.42.3, pkg/controller/installation/core_controller.go), so it names the Calico that runs.
 */
export const CALICO_INSTALLATION_PATH = "/apis/operator.tigera.io/v1/installations/default";

/**
 * Literal POSIX shell, run by Terraform's local-exec through /bin/sh (dash on Debian, busybox ash on
 * Alpine runners) with curl, and no jq or kubectl (runners may not have them). Every input comes through
 * environment variables; the client key is written by printf, a shell builtin, into a private mktemp -d
 * directory (so it is never on a command line), read by curl from there and removed on exit.
 * K8S_POLL_SECONDS (default 10) only exists for tests. No `${`/`%{` in here: the command is a Terraform
 * string template.
 *
 * JSON without jq: a TigeraStatus condition is a flat object (type, status, reason, message, ...), so
 * after turning every `{`/`}` into a line break each condition is one line; whitespace around `:` is
 * dropped, so neither the field order nor pretty-printing matters. The network is ready when one line has
 * both `"type":"Available"` and `"status":"True"`. A 404 (the operator has not created the status yet),
 * a TLS or auth failure or a non-Available status all mean "wait"; the last reason goes into the one
 * GIVING UP line.
 *
 * First, though, the Installation must report CALICO_VERSION: right after a Calico bump the tigerastatus
 * still says Available from before (the new operator has not yet rolled calico-node), and only the
 * operator of the new release writes the new `status.calicoVersion`, once its components are Available.
 */
export const POD_NETWORK_WAIT_SCRIPT = [
  ...adminApiWaitPreamble(CALICO_STATUS_PATH, 10),
  `installation_url="$K8S_ENDPOINT${CALICO_INSTALLATION_PATH}"`,
  'get() { curl -sSf --max-time 10 --cacert "$dir/ca.crt" --cert "$dir/client.crt" --key "$dir/client.key" "$1" 2> "$dir/err"; }',
  "while :; do",
  "  if ! installation=$(get \"$installation_url\"); then",
  '    err="installation/default: $(cat "$dir/err")"',
  "  elif running=$(printf '%s' \"$installation\" | tr '\\r\\n' '  ' | sed 's/\"[[:space:]]*:[[:space:]]*/\":/g' | grep -o '\"calicoVersion\":\"[^\"]*\"' | cut -d '\"' -f 4); [ \"$running\" != \"$CALICO_VERSION\" ]; then",
  '    err="installation/default reports Calico \'$running\', not $CALICO_VERSION: the operator has not finished rolling out this release"',
  '  elif body=$(get "$url"); then',
  "    conditions=$(printf '%s' \"$body\" | tr '\\r\\n' '  ' | tr '{}' '\\n\\n' | sed 's/\"[[:space:]]*:[[:space:]]*/\":/g' | grep '\"type\":\"')",
  "    if printf '%s\\n' \"$conditions\" | grep '\"type\":\"Available\"' | grep -q '\"status\":\"True\"'; then",
  '      echo "pod network ready: tigerastatus/calico is Available (Calico $CALICO_VERSION)"',
  "      exit 0",
  "    fi",
  "    err=\"tigerastatus/calico is not Available: $(printf '%s' \"$conditions\" | tr '\\n' ' ')\"",
  "  else",
  '    err=$(cat "$dir/err")',
  "  fi",
  '  if [ "$(date +%s)" -ge "$end" ]; then echo "GIVING UP: pod network not ready after $K8S_WAIT_SECONDS s ($url): $err (calico-node still pulling images from the mirror? see kubectl get tigerastatus, kubectl -n calico-system get pods)" >&2; exit 1; fi',
  '  sleep "$K8S_POLL_SECONDS"',
  "done",
].join("\n");

export interface PodNetworkGateProps {
  /** API endpoint, cluster CA and Terraform's admin client certificate (the key stays a Terraform value). */
  readonly connection: ClusterConnection;
  /** The Calico releases: waiting makes sense once the operator is installed. */
  readonly dependsOn: readonly ITerraformDependable[];
  /**
   * The Calico release the operator must report running (Installation `status.calicoVersion`, e.g. "v3.32.1"):
   * the tigera-operator chart's version, which is Calico's.
   */
  readonly calicoVersion: string;
  /**
   * Values whose change re-runs the wait, e.g. the Calico chart version (an upgrade rolls calico-node).
   * @default {} (wait once, at creation)
   */
  readonly triggers?: Readonly<Record<string, string>>;
  /**
   * Upper bound of the wait: calico-node on every node, its images pulled through the site mirror.
   * @default 1200
   */
  readonly timeoutSeconds?: number;
}

/**
 * `terraform_data` that completes only when the pod network is up: the tigera-operator reports the pinned
 * Calico running (Installation `status.calicoVersion`) and `tigerastatus/calico` Available (calico-node
 * running on the nodes, nodes Ready). The Calico release only
 * waits for the operator Deployment, so without this gate the next releases (Traefik, cert-manager...) would
 * start their atomic installs on NotReady nodes and roll back when a slow image pull outlasts their timeout.
 * Authenticates as Terraform's admin client certificate; verifies the API server with the cluster CA.
 * Terraform hides a provisioner's output when its inputs hold a sensitive value (the key): the GIVING UP
 * line still shows in the error Terraform prints when the command fails.
 */
export class PodNetworkGate extends Construct {
  readonly resource: DataResource;

  constructor(scope: Construct, id: string, props: PodNetworkGateProps) {
    super(scope, id);
    const { connection } = props;
    this.resource = shellWait(this, "wait", {
      input: { endpoint: connection.host, status: CALICO_STATUS_PATH },
      triggers: props.triggers,
      dependsOn: props.dependsOn,
      script: POD_NETWORK_WAIT_SCRIPT,
      environment: { ...adminApiEnvironment(connection, props.timeoutSeconds ?? 1200), CALICO_VERSION: props.calicoVersion },
    });
  }
}
