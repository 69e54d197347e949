/**
 * `packer validate` (Debian's Packer 1.6.6) on the node image template: the vSphere version limits
 * (vsphere_version, vm_hardware_version, guest_os_type) accept the table's combinations and reject the
 * rest naming variable, value and fix. The file contracts: __tests__/packer/packer.test.ts.
 */
import { listFiles, PACKER_DIR } from "../../packer/packer-files";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { VSPHERE_VERSION_LIMITS, VSPHERE_VERSIONS } from "../../../lib/config/vsphere-versions";
import { itWithTool } from "../../tools";



describe("packer validate: vSphere version limits (vsphere_version, vm_hardware_version, guest_os_type)", () => {
  let work = "";
  beforeAll(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), "packer-"));
    // As check.sh: everything but plugins.pkr.hcl, which Debian's Packer 1.6.6 rejects.
    for (const f of listFiles(PACKER_DIR)) {
      if (f === "plugins.pkr.hcl" || f === "manifest.json") continue;
      fs.mkdirSync(path.join(work, path.dirname(f)), { recursive: true });
      fs.copyFileSync(path.join(PACKER_DIR, f), path.join(work, f));
    }
  });
  const validate = (...vars: string[]): { ok: boolean; output: string } => {
    try {
      execFileSync("packer", ["validate", "-var-file=example.pkrvars.hcl", ...vars.flatMap((v) => ["-var", v]), "."], { cwd: work, encoding: "utf8", stdio: "pipe" });
      return { ok: true, output: "" };
    } catch (e: any) {
      return { ok: false, output: `${e.stdout}${e.stderr}`.replace(/\s+/g, " ") };
    }
  };

  itWithTool("packer", ["version"])("accepts each version with its newest hardware and each allowed guest id", () => {
    for (const v of VSPHERE_VERSIONS) {
      const { maxHardwareVersion, guestIds } = VSPHERE_VERSION_LIMITS[v];
      expect({ v, ...validate(`vsphere_version=${v}`, `vm_hardware_version=${maxHardwareVersion}`, `guest_os_type=${guestIds[guestIds.length - 1]}`) }).toEqual({ v, ok: true, output: "" });
    }
  });

  itWithTool("packer", ["version"]).each([
    [["vsphere_version=6.7", "vm_hardware_version=19"], "ERROR: vm_hardware_version 19 is newer than vSphere 6.7 runs (at most 15); lower it or set 0"],
    [["vsphere_version=7.0", "vm_hardware_version=20"], "ERROR: vm_hardware_version 20 is newer than vSphere 7.0 runs (at most 19); lower it or set 0"],
    [["vsphere_version=6.7", "guest_os_type=rhel9_64Guest"], "ERROR: guest_os_type rhel9_64Guest does not exist on vSphere 6.7; use one of rhel8_64Guest, other4xLinux64Guest or leave it empty"],
    [["vsphere_version=6.5"], 'The vsphere_version must be "6.7", "7.0" or "8.0"'],
    [["vm_hardware_version=12"], "The vm_hardware_version must be 0 (the newest vsphere_version runs) or a whole number from 13"],
    [["guest_os_type=centos9_64Guest"], "The guest_os_type must be empty (the vsphere_version's default) or one of"],
  ])("rejects %j naming the variable, value and fix", (vars, message) => {
    const { ok, output } = validate(...(vars as string[]));
    expect(ok).toBe(false);
    expect(output).toContain(message);
  });
});
