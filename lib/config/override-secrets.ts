import { isObject } from "./fields";
import type { Problems } from "./problems";

/**
 * Keys whose value is a credential. Values in `platform.overrides` are serialized into the release's
 * values, which cdk.tf.json, the plan and the Helm release Secret all show in clear text.
 */
const SECRET_KEY = /(password|passwd|secret$|secretkey|secret_key|token|apikey|api_key|privatekey|private_key|clientsecret|client_secret|webhook_?url|api_url|bearer|credentials?$)/i;
/** Keys that NAME a secret (a Kubernetes Secret, a key inside it, a file) rather than hold one. */
const SECRET_REFERENCE = /^existing|secretname$|secretref$|keyref$|(password|token|secret)key$|(password|token|secret)file$|(password|token)_file$|^usesecret|enabled$/i;

/** Where the library already takes each credential it needs. */
const USE_INSTEAD =
  "secrets go through the sensitive Terraform variables (README: argocd_repo_password, alertmanager_<receiver>_url, " +
  "alertmanager_smtp_password) or generated passwords; for anything else reference an existing Kubernetes Secret " +
  "(the chart's existingSecret-style field)";

/** Rejects credentials written into `platform.overrides`: one problem per offending key, with its path. */
export function checkOverridesForSecrets(problems: Problems, overrides: unknown, path: string): void {
  if (Array.isArray(overrides)) {
    overrides.forEach((item, i) => checkOverridesForSecrets(problems, item, `${path}[${i}]`));
    return;
  }
  if (!isObject(overrides)) return;
  for (const [key, value] of Object.entries(overrides)) {
    const at = `${path}.${key}`;
    const holdsValue = typeof value === "string" || typeof value === "number";
    if (holdsValue && SECRET_KEY.test(key) && !SECRET_REFERENCE.test(key) && value !== "") {
      problems.add(at, `looks like a credential: values in platform.overrides land in clear text in cdk.tf.json and the plan; ${USE_INSTEAD}`);
    }
    checkOverridesForSecrets(problems, value, at);
  }
}
