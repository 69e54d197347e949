import { type TerraformStack, TerraformVariable } from "cdktf";
import { VsphereProvider } from "@cdktf/provider-vsphere/lib/provider";

/**
 * The vsphere provider with vCenter credentials from Terraform variables (TF_VAR_vsphere_server,
 * TF_VAR_vsphere_user, TF_VAR_vsphere_password), never from files in the repo. Declared on the stack
 * itself: the variable names are what users export.
 */
export function vsphereProviderFromVariables(stack: TerraformStack): VsphereProvider {
  const variable = (name: string, description: string, sensitive = false) =>
    new TerraformVariable(stack, name, { type: "string", description, sensitive, nullable: false });
  const server = variable("vsphere_server", "vCenter host name (TF_VAR_vsphere_server)");
  const user = variable("vsphere_user", "vCenter user (TF_VAR_vsphere_user)");
  const password = variable("vsphere_password", "vCenter password (TF_VAR_vsphere_password)", true);
  const insecure = new TerraformVariable(stack, "vsphere_allow_unverified_ssl", {
    type: "bool",
    default: false,
    description: "Skip vCenter certificate verification (lab only; trust the vCenter CA instead)",
  });
  return new VsphereProvider(stack, "vsphere", {
    vsphereServer: server.stringValue,
    user: user.stringValue,
    password: password.stringValue,
    allowUnverifiedSsl: insecure.booleanValue,
  });
}
