import { TIER_RULES } from "./defaults";
import { readInteger, readObject, readString, type Input } from "./fields";
import { FIELDS } from "./field-lists";
import { tlsConfig, type TlsConfig } from "./platform";
import { Problems, show } from "./problems";
import type { Tier } from "./types";

/**
 * Where backups and logs go (`EnvironmentConfig.backups`): an S3-compatible object store. Backups must
 * outlive the cluster, so prod requires an external one; sandbox/dev without one get an in-cluster Ceph
 * object store (Rook RGW). `objectStoreSettings()` resolves the choice once; constructs read only that.
 *
 * Credentials never appear in config: an external store's keys come from the sensitive Terraform variables
 * `object_store_access_key_id` / `object_store_secret_access_key`; the in-cluster store's keys are generated
 * by Terraform (random provider) and given to Rook (see lib/backups/object-store-credentials.ts).
 */

/** An S3-compatible endpoint outside the cluster (MinIO, Ceph RGW of another cluster, a storage appliance). */
export interface ObjectStoreConfig {
  /** https URL of the S3 API, path-style addressing, e.g. "https://s3.example.internal:9000". */
  readonly endpoint: string;
  /**
   * Region the store expects in request signatures.
   * @default "us-east-1"
   */
  readonly region?: string;
  /**
   * Prefix of the buckets the environment uses: `<prefix>-etcd`, `<prefix>-velero`, `<prefix>-loki`. On an
   * external store they must exist before the first apply (README "Backups"); in-cluster they are created as code.
   * @default the environment name
   */
  readonly bucketPrefix?: string;
  /**
   * PEM CA bundle that signed the endpoint's certificate.
   * @default the system trust stores only
   */
  readonly caPem?: string;
}

/** etcd snapshots taken on the control-plane nodes and uploaded to the `<prefix>-etcd` bucket. */
export interface EtcdSnapshotsConfig {
  /**
   * Hours between two snapshots; a divisor of 24, so every node's timer fires at the same wall-clock hours.
   * @default TIER_RULES: prod 1, dev 6, sandbox 24
   */
  readonly intervalHours?: number;
  /**
   * Days a snapshot is kept in the bucket; older ones are deleted by the uploading node after each upload.
   * @default TIER_RULES: prod 7, dev 3, sandbox 2
   */
  readonly retentionDays?: number;
}

export interface BackupsConfig {
  /**
   * The external object store. Required on prod (a backup inside the cluster it protects is no backup).
   * @default sandbox/dev: an in-cluster Ceph object store at https://s3.<platform.domain>
   */
  readonly objectStore?: ObjectStoreConfig;
  /**
   * Scheduled etcd snapshots to the object store (README "etcd snapshots"); `false` turns them off (a
   * warning on prod: without them a lost control plane cannot be restored).
   * @default on, with the tier's interval and retention (TIER_RULES.etcdSnapshots)
   */
  readonly etcdSnapshots?: EtcdSnapshotsConfig | false;
}

/** The purposes that get a bucket each. */
export type BucketPurpose = "etcd" | "velero" | "loki";
export const BUCKET_PURPOSES: readonly BucketPurpose[] = ["etcd", "velero", "loki"];

export interface ObjectStoreSettings {
  /** external: `backups.objectStore`; in-cluster: Rook's CephObjectStore, buckets created as code. */
  readonly kind: "external" | "in-cluster";
  /** https URL of the S3 API (path-style), reachable from the nodes and from pods. */
  readonly endpoint: string;
  readonly region: string;
  readonly buckets: Readonly<Record<BucketPurpose, string>>;
  /** CA of the endpoint's certificate when not in the system trust stores. */
  readonly caPem?: string;
}

/** Host of the in-cluster object store's S3 API on the admin ingress. */
export const IN_CLUSTER_OBJECT_STORE_HOST = "s3";

export function objectStoreSettings(env: { readonly name: string; readonly backups?: BackupsConfig; readonly platform: { readonly domain: string } }): ObjectStoreSettings {
  const external = env.backups?.objectStore;
  const prefix = external?.bucketPrefix ?? env.name;
  const buckets = Object.fromEntries(BUCKET_PURPOSES.map((p) => [p, `${prefix}-${p}`])) as Record<BucketPurpose, string>;
  if (external) {
    return { kind: "external", endpoint: external.endpoint.replace(/\/+$/, ""), region: external.region ?? "us-east-1", buckets, caPem: external.caPem };
  }
  return { kind: "in-cluster", endpoint: `https://${IN_CLUSTER_OBJECT_STORE_HOST}.${env.platform.domain}`, region: "us-east-1", buckets };
}

/** Resolved etcd snapshot schedule: where, how often, how long. */
export interface EtcdSnapshotSettings {
  readonly intervalHours: number;
  readonly retentionDays: number;
  readonly store: ObjectStoreSettings;
  readonly bucket: string;
  /** Object keys start with it: `<environment>/`, so one bucket can hold several environments. */
  readonly keyPrefix: string;
  /**
   * The CA the upload trusts besides the node's system store (written to the control-plane nodes):
   * - external store: its `caPem`;
   * - in-cluster store (`https://s3.<domain>`, a certificate of the platform issuer): the site CA (issuer `ca`,
   *   a sensitive Terraform variable, so only its placeholder is known here) or `platform.tls.caPem` (`acme`).
   * @default undefined: the system trust store only (external without caPem, ACME without caPem)
   */
  readonly ca?: EtcdSnapshotCa;
}

/** A PEM from the config, or the site CA that only Terraform knows (PlatformCa's variable). */
export type EtcdSnapshotCa = { readonly kind: "pem"; readonly pem: string } | { readonly kind: "site-ca" };

/** Hour counts that divide the day: the timer fires at the same hours on every node, every day. */
export const ETCD_SNAPSHOT_INTERVALS = [1, 2, 3, 4, 6, 8, 12, 24] as const;

type SnapshotEnv = { readonly name: string; readonly tier: Tier; readonly backups?: BackupsConfig; readonly platform: { readonly domain: string; readonly tls?: TlsConfig } };

/** The environment's etcd snapshot schedule, or undefined when `backups.etcdSnapshots` is false. */
export function etcdSnapshotSettings(env: SnapshotEnv): EtcdSnapshotSettings | undefined {
  return env.backups?.etcdSnapshots === false ? undefined : etcdSnapshotStore(env);
}

/** Where the environment's etcd snapshots are, even with the schedule off (a restore still reads them). */
export function etcdSnapshotStore(env: SnapshotEnv): EtcdSnapshotSettings {
  const config = env.backups?.etcdSnapshots || undefined;
  const defaults = TIER_RULES[env.tier].etcdSnapshots;
  const store = objectStoreSettings(env);
  return {
    intervalHours: config?.intervalHours ?? defaults.intervalHours,
    retentionDays: config?.retentionDays ?? defaults.retentionDays,
    store,
    bucket: store.buckets.etcd,
    keyPrefix: `${env.name}/`,
    ca: snapshotCa(store, tlsConfig(env.platform)),
  };
}

function snapshotCa(store: ObjectStoreSettings, tls: TlsConfig): EtcdSnapshotCa | undefined {
  const pem = (value: string | undefined): EtcdSnapshotCa | undefined => (value === undefined ? undefined : { kind: "pem", pem: value });
  if (store.kind === "external") return pem(store.caPem);
  return tls.issuer === "ca" ? { kind: "site-ca" } : pem(tls.caPem);
}

/** S3 bucket names: 3-63 lowercase letters, digits, dashes; a prefix leaves room for "-velero". */
const BUCKET_PREFIX = /^[a-z0-9][a-z0-9-]{1,54}$/;

/** Checks `env.backups` (untyped input, inside validateEnvironment). */
export function validateBackups(env: Input, root: string, tier: Tier | undefined, problems: Problems): void {
  const path = `${root}.backups`;
  const b = env.backups === undefined ? {} : readObject(problems, env.backups, path, FIELDS.backups);
  if (!b) return;
  validateEtcdSnapshots(b.etcdSnapshots, `${path}.etcdSnapshots`, problems);
  if (b.objectStore === undefined) {
    if (tier === "prod") {
      problems.add(`${path}.objectStore`, 'is required on prod: backups must survive the cluster, so give an external S3-compatible endpoint, e.g. { endpoint: "https://s3.example.internal:9000" } (keys from TF_VAR_object_store_access_key_id / TF_VAR_object_store_secret_access_key)');
    }
    return;
  }
  const store = readObject(problems, b.objectStore, `${path}.objectStore`, FIELDS.objectStore);
  if (!store) return;
  const endpoint = readString(problems, store, "endpoint", `${path}.objectStore`);
  if (endpoint !== undefined) {
    let url: URL | undefined;
    try {
      url = new URL(endpoint);
    } catch {
      url = undefined;
    }
    if (!url || url.protocol !== "https:" || (url.pathname !== "/" && url.pathname !== "") || url.search !== "" || url.username !== "") {
      problems.add(`${path}.objectStore.endpoint`, `${show(endpoint)} must be an https URL of the S3 API without path, query or credentials, e.g. "https://s3.example.internal:9000"`);
    }
  }
  const region = readString(problems, store, "region", `${path}.objectStore`, false);
  if (region !== undefined && !/^[a-z0-9-]{1,32}$/.test(region)) problems.add(`${path}.objectStore.region`, `${show(region)} is not a region name, e.g. "us-east-1"`);
  const prefix = readString(problems, store, "bucketPrefix", `${path}.objectStore`, false);
  if (prefix !== undefined && (!BUCKET_PREFIX.test(prefix) || prefix.endsWith("-"))) {
    problems.add(`${path}.objectStore.bucketPrefix`, `${show(prefix)} must be 2-55 lowercase letters, digits or dashes (bucket names are <prefix>-etcd, <prefix>-velero, <prefix>-loki), e.g. "prod-k8s"`);
  }
  const ca = readString(problems, store, "caPem", `${path}.objectStore`, false);
  if (ca !== undefined && !ca.includes("-----BEGIN CERTIFICATE-----")) problems.add(`${path}.objectStore.caPem`, "must be a PEM certificate (-----BEGIN CERTIFICATE-----...)");
}

function validateEtcdSnapshots(value: unknown, path: string, problems: Problems): void {
  if (value === undefined || value === false) return;
  const snapshots = readObject(problems, value, path, FIELDS.etcdSnapshots);
  if (!snapshots) return;
  const interval = readInteger(problems, snapshots, "intervalHours", path, { min: 1, max: 24, required: false });
  if (interval !== undefined && !(ETCD_SNAPSHOT_INTERVALS as readonly number[]).includes(interval)) {
    problems.add(`${path}.intervalHours`, `${interval} does not divide the day; use one of ${ETCD_SNAPSHOT_INTERVALS.join(", ")}`);
  }
  readInteger(problems, snapshots, "retentionDays", path, { min: 1, max: 365, why: "a snapshot must outlive the next one", required: false });
}
