import { execFileSync } from "node:child_process";
import { randomBytes, randomInt } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * What vSphere would hand the guest: the `extra_config` of one synthesized `vsphere_virtual_machine`,
 * evaluated by the REAL Terraform CLI exactly as written in cdk.tf.json, with every reference to a
 * tls/random resource (which need provider downloads) replaced by a variable holding a throwaway value
 * of the same kind: real PEM keys and certificates made with openssl, random strings of the synthesized
 * length. The locals it reads (a worker pool's user-data) come along, and the stack variables it reads get
 * throwaway values too (the site CA: a real certificate). Nothing here re-implements the rendering: the
 * expression is the synthesized one.
 */

export const TERRAFORM = "/usr/local/bin/terraform";

export interface Throwaway {
  /** Terraform variable name -> value (what each resource attribute evaluated to). */
  readonly values: Record<string, string>;
  /** Values that are secrets (private keys, the token secret, the whole token). */
  readonly secrets: string[];
  /** Every self-signed certificate made, with its private key (a test can sign with the cluster CA). */
  readonly certificates: { readonly certPem: string; readonly keyPem: string }[];
}

interface Synth {
  resource: Record<string, Record<string, Record<string, unknown>>>;
  /** Each worker pool's user-data is a local its workers' extra_config reads (lib/cluster/pool-cloud-config.ts). */
  locals?: Record<string, string>;
  variable?: Record<string, unknown>;
}

const REF = /\b(tls_private_key|tls_self_signed_cert|tls_locally_signed_cert|tls_cert_request|random_string|random_password|random_bytes)\.([A-Za-z0-9_-]+)\.([a-z0-9_]+)\b/g;

export function loadSynth(file: string): Synth {
  return JSON.parse(readFileSync(file, "utf8")) as Synth;
}

/** The VM resource whose `name` is `nodeName`. */
export function vmByName(synth: Synth, nodeName: string): Record<string, unknown> {
  const vms = synth.resource.vsphere_virtual_machine ?? {};
  const vm = Object.values(vms).find((v) => v.name === nodeName);
  if (!vm) throw new Error(`no vsphere_virtual_machine named ${nodeName} (have: ${Object.values(vms).map((v) => v.name).join(", ")})`);
  return vm;
}

const varName = (type: string, name: string, attr: string) => `${type}__${name}__${attr}`.replace(/-/g, "_");

function openssl(args: string[], input?: string): string {
  return execFileSync("openssl", args, { encoding: "utf8", input, stdio: ["pipe", "pipe", "pipe"] });
}

function randomChars(length: number, alphabet: string): string {
  return Array.from({ length }, () => alphabet[randomInt(alphabet.length)]).join("");
}

/** Throwaway values for every tls/random attribute the expressions reference, made like the providers would. */
export function throwawayValues(synth: Synth, expressions: string[]): Throwaway {
  const work = mkdtempSync(join(tmpdir(), "vm-throwaway-"));
  const values: Record<string, string> = {};
  const secrets: string[] = [];
  const certificates: { certPem: string; keyPem: string }[] = [];
  const keys = new Map<string, string>(); // tls_private_key name -> private PEM
  const privateKey = (name: string): string => {
    let pem = keys.get(name);
    if (pem) return pem;
    const spec = synth.resource.tls_private_key?.[name];
    if (!spec) throw new Error(`tls_private_key.${name} is not in the synth`);
    const file = join(work, `${name}.key`);
    if (spec.algorithm === "ECDSA") openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", file]);
    else openssl(["genpkey", "-algorithm", "RSA", "-pkeyopt", `rsa_keygen_bits:${Number(spec.rsa_bits ?? 2048)}`, "-out", file]);
    pem = readFileSync(file, "utf8");
    keys.set(name, pem);
    secrets.push(pem);
    return pem;
  };
  const selfSigned = (name: string): string => {
    const spec = synth.resource.tls_self_signed_cert?.[name];
    if (!spec) throw new Error(`tls_self_signed_cert.${name} is not in the synth`);
    const keyRef = /tls_private_key\.([A-Za-z0-9_-]+)\.private_key_pem/.exec(String(spec.private_key_pem));
    if (!keyRef) throw new Error(`tls_self_signed_cert.${name}: private_key_pem is not a tls_private_key reference`);
    const keyFile = join(work, `${keyRef[1]}.key`);
    privateKey(keyRef[1]);
    const subject = (spec.subject as { common_name?: string }[] | undefined)?.[0]?.common_name ?? name;
    const cert = join(work, `${name}.crt`);
    openssl(["req", "-x509", "-new", "-key", keyFile, "-subj", `/CN=${subject}`, "-days", "2", "-out", cert,
      "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign,digitalSignature"]);
    const certPem = readFileSync(cert, "utf8");
    certificates.push({ certPem, keyPem: privateKey(keyRef[1]) });
    return certPem;
  };
  const random = (type: string, name: string): string => {
    const spec = synth.resource[type]?.[name];
    if (!spec) throw new Error(`${type}.${name} is not in the synth`);
    let alphabet = "";
    if (spec.lower !== false) alphabet += "abcdefghijklmnopqrstuvwxyz";
    if (spec.upper !== false) alphabet += "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    if (spec.numeric !== false && spec.number !== false) alphabet += "0123456789";
    if (spec.special !== false) alphabet += String(spec.override_special ?? "!@#$%&*()-_=+[]{}<>:?");
    const value = randomChars(Number(spec.length), alphabet);
    if (type === "random_password") secrets.push(value);
    return value;
  };
  try {
    for (const expr of expressions) {
      for (const [, type, name, attr] of expr.matchAll(REF)) {
        const v = varName(type, name, attr);
        if (v in values) continue;
        if (type === "tls_private_key" && attr === "private_key_pem") values[v] = privateKey(name);
        else if (type === "tls_private_key" && attr === "public_key_pem") values[v] = openssl(["pkey", "-pubout"], privateKey(name));
        else if (type === "tls_self_signed_cert" && attr === "cert_pem") values[v] = selfSigned(name);
        else if ((type === "random_string" || type === "random_password") && attr === "result") values[v] = random(type, name);
        else if (type === "random_bytes" && attr === "base64") {
          // The Secret encryption key (control-plane nodes only): real random bytes of the synthesized length.
          const spec = synth.resource.random_bytes?.[name];
          if (!spec) throw new Error(`random_bytes.${name} is not in the synth`);
          values[v] = randomBytes(Number(spec.length)).toString("base64");
          secrets.push(values[v]);
        }
        else throw new Error(`no throwaway value for ${type}.${name}.${attr}: teach __tests__/behaviour/vm/guestinfo.ts`);
      }
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return { values, secrets, certificates };
}

/**
 * Throwaway values for the stack's own variables the expressions read. Only the site CA certificate
 * (`tls_site_ca_cert_pem`, written to control-plane nodes for the in-cluster object store) is expected: it
 * gets a real self-signed CA certificate, added to `throwaway.certificates`. Any other variable fails here.
 */
function stackVariableValues(synth: Synth, expressions: string[], throwaway: Throwaway): Record<string, string> {
  const names = [...new Set(expressions.flatMap((e) => [...e.matchAll(/\bvar\.([A-Za-z0-9_-]+)/g)].map((m) => m[1])))];
  const values: Record<string, string> = {};
  for (const name of names) {
    if (!synth.variable?.[name]) throw new Error(`var.${name} is not declared in the synth`);
    if (name !== "tls_site_ca_cert_pem") throw new Error(`no throwaway value for var.${name}: teach __tests__/behaviour/vm/guestinfo.ts`);
    const work = mkdtempSync(join(tmpdir(), "vm-site-ca-"));
    try {
      const key = join(work, "ca.key");
      const cert = join(work, "ca.crt");
      openssl(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", key, "-subj", "/CN=throwaway site CA",
        "-days", "2", "-out", cert, "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"]);
      values[name] = readFileSync(cert, "utf8");
      throwaway.certificates.push({ certPem: values[name], keyPem: readFileSync(key, "utf8") });
      throwaway.secrets.push(readFileSync(key, "utf8"));
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }
  return values;
}

/**
 * Evaluates a VM's extra_config (guestinfo.*) with the real Terraform CLI: a throwaway root module
 * whose `terraform_data` input is the synthesized map with resource references turned into variables.
 * Returns the evaluated map and the throwaway values (so a test can look for leaked secrets).
 */
export function evaluateExtraConfig(vm: Record<string, unknown>, synth: Synth): { guestinfo: Record<string, string>; throwaway: Throwaway } {
  const extra = vm.extra_config as Record<string, string>;
  if (!extra) throw new Error("the VM has no extra_config");
  const localNames = [...new Set(Object.values(extra).flatMap((e) => [...e.matchAll(/\blocal\.([A-Za-z0-9_-]+)/g)].map((m) => m[1])))];
  const locals = Object.fromEntries(localNames.map((n) => {
    const value = synth.locals?.[n];
    if (value === undefined) throw new Error(`local.${n} is not in the synth`);
    return [n, value];
  }));
  if (Object.values(locals).some((e) => /\blocal\./.test(e))) throw new Error("a local reads another local: teach __tests__/behaviour/vm/guestinfo.ts");
  const expressions = [...Object.values(extra), ...Object.values(locals)];
  const throwaway = throwawayValues(synth, expressions);
  const stackVariables = stackVariableValues(synth, expressions, throwaway);
  const rewrite = (e: string) => e.replace(REF, (_m, t: string, n: string, a: string) => `var.${varName(t, n, a)}`);
  const rewritten = Object.fromEntries(Object.entries(extra).map(([k, e]) => [k, rewrite(e)]));
  const rewrittenLocals = Object.fromEntries(Object.entries(locals).map(([k, e]) => [k, rewrite(e)]));
  const variables = { ...throwaway.values, ...stackVariables };
  const dir = mkdtempSync(join(tmpdir(), "vm-guestinfo-tf-"));
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "main.tf.json"), JSON.stringify({
      terraform: { backend: { local: { path: join(dir, "terraform.tfstate") } } },
      variable: Object.fromEntries(Object.keys(variables).map((v) => [v, { type: "string", sensitive: true }])),
      ...(localNames.length > 0 ? { locals: rewrittenLocals } : {}),
      resource: { terraform_data: { guestinfo: { input: rewritten } } },
      output: { guestinfo: { value: "${terraform_data.guestinfo.output}", sensitive: true } },
    }, null, 1));
    const env = { ...process.env, TF_IN_AUTOMATION: "1", CHECKPOINT_DISABLE: "1",
      ...Object.fromEntries(Object.entries(variables).map(([k, v]) => [`TF_VAR_${k}`, v])) };
    const tf = (...args: string[]) => execFileSync(TERRAFORM, [`-chdir=${dir}`, ...args], { env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    tf("init", "-input=false", "-no-color");
    tf("apply", "-auto-approve", "-input=false", "-no-color");
    const guestinfo = JSON.parse(tf("output", "-json", "guestinfo")) as Record<string, string>;
    return { guestinfo, throwaway };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
