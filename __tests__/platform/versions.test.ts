import { readFileSync } from "fs";
import { join } from "path";
import { CHARTS } from "../../lib/platform/chart-versions";
import { environment } from "./fixtures";
import { synthPlatform } from "./synth";
import { referenceSources } from "../reference/sources";
import { RELEASE_CHART_DIR } from "./upstream";

const EXACT = /^v?\d+\.\d+\.\d+$/;

/** Rows `| chart | version | repository |` of README's "Chart versions" table. */
function readmeTable(readme = readFileSync(join(__dirname, "..", "..", "README.md"), "utf8")): Map<string, { version: string; repository: string }> {
  const start = readme.search(/^#+\s+Chart versions\s*$/m);
  if (start < 0) throw new Error('README.md has no "Chart versions" section (a heading followed by the table)');
  const rows = new Map<string, { version: string; repository: string }>();
  for (const line of readme.slice(start).split("\n").slice(1)) {
    if (/^#+\s/.test(line)) break;
    const cells = line.split("|").map((c) => c.trim().replace(/^`|`$/g, ""));
    if (cells.length < 5 || /^-+$/.test(cells[1]) || cells[1] === "Chart") continue;
    rows.set(cells[1], { version: cells[2], repository: cells[3] });
  }
  return rows;
}

describe("chart versions", () => {
  const { releases } = synthPlatform(environment("prod"));

  it.each(Object.values(releases).map((r) => [r.name, r]))("%s: exact version from the one table", (_n, r) => {
    expect(r.version).toMatch(EXACT);
    const pin = Object.values(CHARTS).find((c) => c.chart === r.chart);
    expect(pin).toBeDefined();
    expect(r.version).toBe(pin!.version);
  });

  it("every pin is exact and every chart of the table is installed", () => {
    for (const pin of Object.values(CHARTS)) expect(pin.version).toMatch(EXACT);
    expect(new Set(Object.values(releases).map((r) => r.chart))).toEqual(new Set(Object.values(CHARTS).map((c) => c.chart)));
  });

  it("equal the versions of the vendored upstream charts (__tests__/reference/SOURCES.md)", () => {
    const sources = referenceSources();
    for (const r of Object.values(releases)) {
      const dir = RELEASE_CHART_DIR[r.name];
      if (dir === null) continue; // not vendored (calico CRDs: asserted below to follow tigera-operator)
      expect([r.name, sources.get(`charts/${dir}/values.yaml`)?.version]).toEqual([r.name, r.version]);
    }
    expect(CHARTS.calicoCrds.version).toBe(CHARTS.tigeraOperator.version);
  });

  it("equal README's Chart versions table, row for row", () => {
    const table = readmeTable();
    expect([...table.keys()].sort()).toEqual(Object.values(CHARTS).map((c) => c.chart).sort());
    for (const pin of Object.values(CHARTS)) {
      expect([pin.chart, table.get(pin.chart)]).toEqual([pin.chart, { version: pin.version, repository: pin.repository }]);
    }
  });
});

describe("the README table parser", () => {
  it("reads rows until the next heading", () => {
    const text = "# X\n## Chart versions\n\n| Chart | Version | Repository |\n| --- | --- | --- |\n| `traefik` | `41.3.0` | https://traefik.github.io/charts |\n## Next\n| `argo-cd` | `1.0.0` | r |\n";
    expect([...readmeTable(text).entries()]).toEqual([["traefik", { version: "41.3.0", repository: "https://traefik.github.io/charts" }]]);
  });
});
