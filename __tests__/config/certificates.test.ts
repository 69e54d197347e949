import { CA_WARNING_DAYS, certificateSettings } from "../../lib/config/certificates";
import { validateEnvironment } from "../../lib/config/validate";
import { environmentWarnings } from "../../lib/config/warnings";
import { prodCopy, sandboxCopy } from "../helpers/environments";
import { problemsOf } from "../helpers/problems";

const DAY = 86_400_000;

describe("certificates settings", () => {
  it("renews at the tier's threshold: sandbox first (180 days), dev 120, prod 90", () => {
    expect(certificateSettings({ tier: "sandbox" }).renewBeforeDays).toBe(180);
    expect(certificateSettings({ tier: "dev" }).renewBeforeDays).toBe(120);
    expect(certificateSettings(validateEnvironment(prodCopy())).renewBeforeDays).toBe(90);
    const env = prodCopy();
    env.certificates = { renewBeforeDays: 120 };
    expect(certificateSettings(validateEnvironment(env)).renewBeforeDays).toBe(120);
  });

  it.each([
    [{ renewBeforeDays: 20 }, "prod.certificates.renewBeforeDays: 20 is below the minimum of 45 (renewal must come well before the expiry alerts, which warn at 30 days left); raise it to at least 45"],
    [{ renewBeforeDays: 365 }, "prod.certificates.renewBeforeDays: 365 is above the maximum of 300; lower it to at most 300"],
    [{ renewBeforeDays: "90" }, 'prod.certificates.renewBeforeDays: "90" must be a whole number'],
    [{ clusterCaNotAfter: "2036-02-30" }, 'prod.certificates.clusterCaNotAfter: "2036-02-30" must be a date YYYY-MM-DD, e.g. "2036-11-25" (terraform output cluster_ca_not_after)'],
    [{ clusterCaNotAfter: "25.11.2036" }, 'prod.certificates.clusterCaNotAfter: "25.11.2036" must be a date YYYY-MM-DD, e.g. "2036-11-25" (terraform output cluster_ca_not_after)'],
  ])("refuses %j with one clear line", (certificates, problem) => {
    const env = prodCopy();
    env.certificates = certificates;
    expect(problemsOf(env)).toEqual([problem]);
  });

  it("an unknown field is named", () => {
    const env = sandboxCopy();
    env.certificates = { renewDays: 90 };
    expect(problemsOf(env)).toEqual([expect.stringMatching(/^sandbox\.certificates\.renewDays: unknown field .*renewBeforeDays, clusterCaNotAfter$/)]);
  });
});

describe("the cluster CA's expiry at synth", () => {
  const now = Date.parse("2035-06-01T00:00:00Z");
  const warnings = (clusterCaNotAfter?: string) => {
    const env = prodCopy();
    if (clusterCaNotAfter) env.certificates = { clusterCaNotAfter };
    return environmentWarnings(validateEnvironment(env), now).filter((w) => w.includes("cluster CA"));
  };

  it("unknown, or more than a year left: no warning", () => {
    expect(warnings()).toEqual([]);
    expect(warnings("2036-06-02")).toEqual([]);
  });

  it(`less than ${CA_WARNING_DAYS} days left, or expired: one warning naming the field, the date and the runbook`, () => {
    expect(warnings("2036-01-01")).toEqual([
      'prod.certificates.clusterCaNotAfter: the cluster CA expires in 214 days (2036-01-01); every node and client certificate dies with it: rotate it now (README, "Rotating the cluster CA")',
    ]);
    expect(warnings("2035-05-01")[0]).toContain("the cluster CA expired 31 days ago");
    expect(Math.round((Date.parse("2036-01-01T00:00:00Z") - now) / DAY)).toBe(214);
  });
});
