import { type DataConfig, DataResource } from "cdktf";
import type { Construct, IValidation } from "constructs";
import { ValidateTerraformVersion } from "cdktf/lib/validations/validate-terraform-version";

/**
 * Terraform's built-in `terraform_data`, without cdktf's per-resource Terraform version probe.
 *
 * cdktf adds to every DataResource a validation that runs `terraform version` as a child process at
 * synth: ~0.2 s per resource, and a synth that FAILS on a machine without Terraform ("Could not determine
 * version of terraform"), although synthesizing needs no Terraform at all. The probe only checks
 * Terraform >= 1.4, which `terraform init` enforces anyway (terraform_data does not exist before 1.4).
 * constructs has no API to remove a validation, hence the one cast below, tested by
 * __tests__/environment/synth-without-terraform.test.ts.
 */
export function terraformData(scope: Construct, id: string, config: DataConfig): DataResource {
  const resource = new DataResource(scope, id, config);
  const node = resource.node as unknown as { _validations?: IValidation[] };
  node._validations = node._validations?.filter((v) => !(v instanceof ValidateTerraformVersion));
  return resource;
}
