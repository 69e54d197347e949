import { mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import ts from "typescript";
import { importsOf, PACKAGE_NAME, readmeSnippets, ROOT } from "./snippets";

/**
 * README's TypeScript snippets are code a newcomer copies: each is compiled, as the file it names, against
 * the library's public entry point (lib/index.ts standing in for the published package), so a renamed
 * export or a changed prop breaks this test instead of the reader.
 */
describe("README.md TypeScript snippets", () => {
  const snippets = readmeSnippets();

  it("exist, and name distinct files", () => {
    expect(snippets.length).toBeGreaterThanOrEqual(4);
    expect(new Set(snippets.map((s) => s.file)).size).toBe(snippets.length);
  });

  it("import only the public API (the package, cdktf, constructs) and each other", () => {
    for (const s of snippets) {
      const bad = importsOf(s.code).filter((m) => ![PACKAGE_NAME, "cdktf", "constructs"].includes(m) && !m.startsWith("./"));
      expect([s.file, bad]).toEqual([s.file, []]);
    }
  });

  it("type-check against the public API with the repo's strict compiler options", () => {
    const dir = mkdtempSync(join(tmpdir(), "readme-snippets-"));
    symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"));
    for (const s of snippets) writeFileSync(join(dir, s.file), s.code);
    const program = ts.createProgram(snippets.map((s) => join(dir, s.file)), {
      strict: true,
      noEmit: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.CommonJS,
      moduleResolution: ts.ModuleResolutionKind.Node10,
      esModuleInterop: true,
      skipLibCheck: true,
      types: ["node"],
      baseUrl: dir,
      paths: { [PACKAGE_NAME]: [join(ROOT, "lib", "index.ts")] },
    });
    // The snippets' diagnostics only (lib/ itself is type-checked by `npm test`'s tsc): checking all of lib here took 5 s.
    const diagnostics = snippets.flatMap((s) => ts.getPreEmitDiagnostics(program, program.getSourceFile(join(dir, s.file)))).map((d) => {
      const where = d.file ? `${d.file.fileName.replace(`${dir}/`, "")}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}` : "";
      return `${where} ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`;
    });
    expect(diagnostics).toEqual([]);
  });
});
