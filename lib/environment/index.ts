export { KubernetesEnvironment, type KubernetesEnvironmentProps } from "./kubernetes-environment";
export { EnvironmentStack, type EnvironmentStackProps } from "./environment-stack";
export { environmentApp, synthWarnings, type EnvironmentAppOptions } from "./environment-app";
export { GitlabHttpBackend } from "./gitlab-http-backend";
export { gitlabStateLockProblems } from "./gitlab-state-lock";
export { vsphereProviderFromVariables } from "./vsphere-provider";
