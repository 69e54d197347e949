#!/usr/bin/env node
// `npm run synth`, `cdktf synth` (cdktf.json "app") and `npm run bench`: runs stacks/<entry>.ts precompiled.
// Starting through `npx tsx` cost ~1 s before any synth (npx resolving itself, tsx's loader thread, esbuild per
// file); plain node on JavaScript costs nothing. The JavaScript lives in .synth-build/ (gitignored), mirroring
// lib/ and stacks/, and is brought up to date here, file by file: a file is transpiled again only when its .ts
// is newer (type-only, like tsx: `npm test` runs tsc for types; tsconfig's isolatedModules makes each file
// transpilable alone). A fresh clone transpiles everything once (~1-2 s). Usage: node stacks/run.js [entry].
"use strict";
const { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } = require("node:fs");
const { dirname, join, relative } = require("node:path");

const root = join(__dirname, "..");

/** Every .ts file under the directory (no declarations), recursively. */
function sources(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sources(path);
    return e.name.endsWith(".ts") && !e.name.endsWith(".d.ts") ? [path] : [];
  });
}

/** Transpiles into `out` the sources whose JavaScript is missing or older; TypeScript is loaded only if one is. */
function build(out) {
  const inputs = [...sources(join(root, "lib")), ...sources(__dirname)];
  let ts;
  let options;
  for (const src of inputs) {
    const js = join(out, relative(root, src)).replace(/\.ts$/, ".js");
    if (existsSync(js) && statSync(js).mtimeMs >= statSync(src).mtimeMs) continue;
    if (!ts) {
      ts = require("typescript");
      const { config } = ts.readConfigFile(join(root, "tsconfig.json"), ts.sys.readFile);
      options = { ...ts.convertCompilerOptionsFromJson(config.compilerOptions, root).options, noEmit: false, declaration: false, sourceMap: false };
    }
    const { outputText } = ts.transpileModule(readFileSync(src, "utf8"), { compilerOptions: options, fileName: src });
    mkdirSync(dirname(js), { recursive: true });
    // Written aside, then renamed: a synth running at the same time never requires half a file.
    writeFileSync(`${js}.${process.pid}`, outputText);
    renameSync(`${js}.${process.pid}`, js);
  }
  // A deleted or renamed source leaves no stale module behind to be required by mistake.
  const wanted = new Set(inputs.map((src) => join(out, relative(root, src)).replace(/\.ts$/, ".js")));
  for (const dir of ["lib", "stacks"].map((d) => join(out, d)).filter(existsSync)) {
    for (const js of compiled(dir)) if (!wanted.has(js)) unlinkSync(js);
  }
}

function compiled(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? compiled(join(dir, e.name)) : [join(dir, e.name)]));
}

module.exports = { build };

if (require.main === module) {
  // SYNTH_BUILD_DIR: another folder for the JavaScript, inside the repo (tests use one of their own).
  const out = process.env.SYNTH_BUILD_DIR || join(root, ".synth-build");
  build(out);
  // The entry's own arguments follow it (`node stacks/run.js bench --check`): take the entry out of argv.
  const entry = process.argv[2] && !process.argv[2].startsWith("-") ? process.argv.splice(2, 1)[0] : "main";
  require(join(out, "stacks", `${entry}.js`));
}
