export { ObjectStoreCredentials, OBJECT_STORE_VARIABLES } from "./object-store-credentials";
export * from "./etcd-snapshot";
export { etcdBackupAlertRules, ETCD_BACKUP_RUNBOOK } from "./etcd-backup-alerts";
