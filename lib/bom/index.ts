export * from "./types";
export { billOfMaterials, appBillsOfMaterials, appEnvironments, BillOfMaterialsError, DEFAULT_PROVIDER_PLATFORMS, nodeImageInputs, providerAddress, type BillOfMaterialsOptions } from "./bill-of-materials";
export { KUBEADM_IMAGE_TABLE, kubeadmImages } from "./kubeadm-images";
export { CHART_IMAGES, type ChartImageRow, type ChartImages } from "./chart-images";
export { BOM_FORMATS, formatBoms, type BomFormat } from "./formats";
export { missingImages, MANIFEST_ACCEPT, VERIFY_CREDENTIAL_VARIABLES, type VerifyOptions } from "./verify";
