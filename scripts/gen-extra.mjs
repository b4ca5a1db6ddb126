// Further generated outputs (C header, syzlang, docs tables): every module in scripts/gen/
// exports `outputs(ctx) -> { relativePath: text }`, so scripts/gen.mjs --check covers them too.
import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const dir = join(dirname(fileURLToPath(import.meta.url)), "gen");
const mods = [];
for (const f of readdirSync(dir)
  .filter((x) => x.endsWith(".mjs"))
  .sort())
  mods.push(await import(pathToFileURL(join(dir, f)).href));

export function outputs(ctx) {
  return Object.assign({}, ...mods.map((m) => m.outputs(ctx)));
}
