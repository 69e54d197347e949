/** lineDiff, the text diff behind the Helm values section (the real-plan tests: __tests__/behaviour/review/helm-values-diff.test.ts). */
import { lineDiff } from "../../lib/review/helm-values-diff";

describe("lineDiff", () => {
  it("keeps two lines of context and marks skipped runs", () => {
    const before = ["a", "b", "c", "d", "e", "f", "g", "h"];
    const after = ["a", "b", "c", "d", "E", "f", "g", "h"];
    expect(lineDiff(before, after)).toEqual(["  …", "  c", "  d", "- e", "+ E", "  f", "  g", "  …"]);
  });
  it("refuses to diff huge texts rather than stall the pipeline", () => {
    expect(lineDiff(Array(3000).fill("x"), ["y"])).toEqual(["… 3000 lines → 1 lines (too long to show here)"]);
  });
});
