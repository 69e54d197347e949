export * from "./ci-access";
export * from "./tenant-kubeconfig";
export * from "./tenant-objects";
export * from "./tenant-projects";
export * from "./tenant-repository";
export * from "./tenant-stage";
export * from "./tenants";
