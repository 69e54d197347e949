import { readFileSync } from "node:fs";
import { join } from "node:path";
import { DEFAULT_VSPHERE_VERSION, VSPHERE_VERSION_LIMITS, VSPHERE_VERSIONS } from "../../lib/config/vsphere-versions";

describe("vSphere version limits", () => {
  it("the README table says what lib/config/vsphere-versions.ts enforces", () => {
    const readme = readFileSync(join(__dirname, "..", "..", "README.md"), "utf8");
    const section = readme.slice(readme.indexOf("### vSphere versions"), readme.indexOf("### Replacing nodes"));
    const rows = [...section.matchAll(/^\| `([\d.]+)` \| ([^|]+) \| (\d+) \| ([^|]+) \| (on|off)\b[^|]*\|$/gm)];
    const readmeTable = Object.fromEntries(
      rows.map(([, version, means, hw, ids, sync]) => [
        version,
        { means: means.trim(), maxHardwareVersion: Number(hw), guestIds: [...ids.matchAll(/`([^`]+)`/g)].map((m) => m[1]), hostTimeSyncIsPeriodic: sync === "off" },
      ]),
    );
    expect(readmeTable).toEqual(VSPHERE_VERSION_LIMITS);
  });

  it("every version allows a RHEL-family guest id first, and newer versions never allow less", () => {
    for (const v of VSPHERE_VERSIONS) expect(VSPHERE_VERSION_LIMITS[v].guestIds[0]).toMatch(/^rhel\d_64Guest$/);
    for (let i = 1; i < VSPHERE_VERSIONS.length; i++) {
      const [older, newer] = [VSPHERE_VERSION_LIMITS[VSPHERE_VERSIONS[i - 1]], VSPHERE_VERSION_LIMITS[VSPHERE_VERSIONS[i]]];
      expect(newer.maxHardwareVersion).toBeGreaterThan(older.maxHardwareVersion);
      expect(newer.guestIds).toEqual(expect.arrayContaining([...older.guestIds]));
    }
  });

  it("the default version runs the default image (hardware 19, rhel9_64Guest); 6.7 has no rhel9 id", () => {
    expect(VSPHERE_VERSION_LIMITS[DEFAULT_VSPHERE_VERSION]).toMatchObject({ maxHardwareVersion: 19, guestIds: expect.arrayContaining(["rhel9_64Guest"]) });
    expect(VSPHERE_VERSION_LIMITS["6.7"].guestIds).not.toContain("rhel9_64Guest");
  });
});
