import { isObject } from "./fields";
import type { Problems } from "./problems";

/** `${` and `%{` start Terraform template sequences; `$${` and `%%{` are their escapes. */
const TEMPLATE_SEQUENCE = /(^|[^$])\$\{|(^|[^%])%\{/;
const ANY_TEMPLATE_SEQUENCE = /[$%]\{/;

/**
 * Config strings reach cdk.tf.json as Terraform strings, where `${...}` and `%{...}` are evaluated (a
 * folder named `a${b}` becomes a reference error at plan time, or worse, a different value). Every
 * string of the input is checked, keys included. In `platform.overrides` (free-form Helm values, where
 * such text can be legitimate, e.g. a Fluent Bit `${HOSTNAME}`) the escaped forms `$${` / `%%{` are
 * accepted and reach Helm as `${` / `%{`; everywhere else neither form is allowed.
 */
export function checkNoInterpolation(problems: Problems, value: unknown, path: string, inOverrides = false): void {
  const overrides = inOverrides || /\.platform\.overrides$/.test(path);
  if (typeof value === "string") {
    if ((overrides ? TEMPLATE_SEQUENCE : ANY_TEMPLATE_SEQUENCE).test(value)) {
      const fix = overrides ? 'write "$${" or "%%{" for a literal "${" or "%{"' : "remove it (this field cannot carry Terraform template text)";
      problems.add(path, `${JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}...` : value)} contains "\${" or "%{", which Terraform would evaluate; ${fix}`);
    }
  } else if (Array.isArray(value)) {
    value.forEach((item, i) => checkNoInterpolation(problems, item, `${path}[${i}]`, overrides));
  } else if (isObject(value)) {
    for (const [key, item] of Object.entries(value)) {
      if (ANY_TEMPLATE_SEQUENCE.test(key)) problems.add(`${path}.${key}`, 'the key contains "${" or "%{", which Terraform would evaluate; rename it');
      checkNoInterpolation(problems, item, `${path}.${key}`, overrides);
    }
  }
}
