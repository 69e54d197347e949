import { Testing, TerraformStack } from "cdktf";
import { ObjectStoreCredentials, OBJECT_STORE_VARIABLES } from "../../lib/backups/object-store-credentials";
import { objectStoreSettings } from "../../lib/config/backups";
import { validateEnvironment } from "../../lib/config/validate";
import { prodCopy, sandboxCopy } from "../helpers/environments";
import { problemsOf } from "../helpers/problems";

describe("backups.objectStore", () => {
  it("is required on prod, with the fix in the message", () => {
    const env = prodCopy();
    delete env.backups;
    expect(problemsOf(env)).toEqual([
      'prod.backups.objectStore: is required on prod: backups must survive the cluster, so give an external S3-compatible endpoint, e.g. { endpoint: "https://s3.example.internal:9000" } (keys from TF_VAR_object_store_access_key_id / TF_VAR_object_store_secret_access_key)',
    ]);
  });

  it.each([
    [{ endpoint: "http://s3.example.internal" }, 'prod.backups.objectStore.endpoint: "http://s3.example.internal" must be an https URL of the S3 API without path, query or credentials, e.g. "https://s3.example.internal:9000"'],
    [{ endpoint: "https://key:secret@s3.example.internal" }, 'prod.backups.objectStore.endpoint: "https://key:secret@s3.example.internal" must be an https URL of the S3 API without path, query or credentials, e.g. "https://s3.example.internal:9000"'],
    [{ endpoint: "https://s3.example.internal", bucketPrefix: "Prod_K8s" }, 'prod.backups.objectStore.bucketPrefix: "Prod_K8s" must be 2-55 lowercase letters, digits or dashes (bucket names are <prefix>-etcd, <prefix>-velero, <prefix>-loki), e.g. "prod-k8s"'],
    [{ endpoint: "https://s3.example.internal", caPem: "not a cert" }, "prod.backups.objectStore.caPem: must be a PEM certificate (-----BEGIN CERTIFICATE-----...)"],
    [{ endpoint: "https://s3.example.internal", bucket: "x" }, "prod.backups.objectStore.bucket: unknown field (typo?); known fields here: endpoint, region, bucketPrefix, caPem"],
  ])("rejects %j with one precise problem", (objectStore, expected) => {
    const env = prodCopy();
    env.backups = { objectStore };
    expect(problemsOf(env)).toEqual([expected]);
  });

  it("resolves an external store (buckets by purpose) and, without one, the in-cluster store on the admin domain", () => {
    const prod = validateEnvironment(prodCopy());
    expect(objectStoreSettings(prod)).toEqual({
      kind: "external",
      endpoint: "https://s3.example.internal:9000",
      region: "us-east-1",
      buckets: { etcd: "prod-k8s-etcd", velero: "prod-k8s-velero", loki: "prod-k8s-loki" },
      caPem: undefined,
    });
    const sandbox = validateEnvironment(sandboxCopy());
    expect(objectStoreSettings(sandbox)).toEqual({
      kind: "in-cluster",
      endpoint: `https://s3.${sandbox.platform.domain}`,
      region: "us-east-1",
      buckets: { etcd: "sandbox-etcd", velero: "sandbox-velero", loki: "sandbox-loki" },
    });
  });
});

describe("ObjectStoreCredentials", () => {
  const synth = (env: ReturnType<typeof validateEnvironment>) => {
    const stack = new TerraformStack(Testing.app(), env.name);
    new ObjectStoreCredentials(stack, "object-store", env);
    return JSON.parse(Testing.synth(stack));
  };

  it("reads an external store's keys from sensitive variables with predictable names", () => {
    const json = synth(validateEnvironment(prodCopy()));
    for (const name of Object.values(OBJECT_STORE_VARIABLES)) expect(json.variable[name]).toMatchObject({ type: "string", sensitive: true, nullable: false });
    expect(json.resource?.random_password).toBeUndefined();
  });

  it("generates the in-cluster store's keys in Terraform (no variable to set)", () => {
    const json = synth(validateEnvironment(sandboxCopy()));
    expect(json.variable).toBeUndefined();
    const passwords = Object.values<Record<string, unknown>>(json.resource.random_password);
    expect(passwords.map((p) => p.length).sort()).toEqual([20, 40]);
    expect(passwords.every((p) => p.special === false)).toBe(true);
  });
});
