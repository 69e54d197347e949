import { toYaml } from "../config/yaml-text";
import type { SecuritySettings } from "../config/security";

export const ADMISSION_CONFIG_PATH = "/etc/kubernetes/apiserver/admission-config.yaml";

/**
 * Namespaces Pod Security does not judge. kube-system only: kube-proxy (privileged, host network),
 * the control-plane static pods' mirror pods and kube-vip (NET_ADMIN, host network) live there and can
 * meet no level below privileged; a Pod Security violation on their mirror pods would only produce noise,
 * and a rejected kube-proxy DaemonSet pod breaks Services on that node. Platform namespaces that need
 * privileges (Calico, Rook) get their level as a namespace label instead, visible where they are created.
 */
export const POD_SECURITY_EXEMPT_NAMESPACES = ["kube-system"] as const;

/**
 * AdmissionConfiguration (apiserver.config.k8s.io/v1) carrying the cluster-wide PodSecurity defaults
 * (pod-security.admission.config.k8s.io/v1): what applies to a namespace without its own
 * pod-security.kubernetes.io labels.
 */
export function admissionConfig(podSecurity: SecuritySettings["podSecurity"]): Record<string, unknown> {
  return {
    apiVersion: "apiserver.config.k8s.io/v1",
    kind: "AdmissionConfiguration",
    plugins: [
      {
        name: "PodSecurity",
        configuration: {
          apiVersion: "pod-security.admission.config.k8s.io/v1",
          kind: "PodSecurityConfiguration",
          defaults: {
            enforce: podSecurity.enforce,
            "enforce-version": "latest",
            audit: podSecurity.audit,
            "audit-version": "latest",
            warn: podSecurity.warn,
            "warn-version": "latest",
          },
          exemptions: { usernames: [], runtimeClasses: [], namespaces: [...POD_SECURITY_EXEMPT_NAMESPACES] },
        },
      },
    ],
  };
}

export function admissionConfigYaml(podSecurity: SecuritySettings["podSecurity"]): string {
  return toYaml(admissionConfig(podSecurity));
}
