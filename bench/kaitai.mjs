// Kaitai Struct as a benchmark peer: compiles bench/ksy/*.ksy with the JavaScript build of the
// official compiler (kaitai-struct-compiler) when the bench runs, and loads the generated parsers
// against the kaitai-struct runtime. Nothing generated is checked in.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import YAML from "yaml";

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(join(here, "..", "package.json"));

/** Compile one .ksy (by file name, without extension) -> { Parser, KaitaiStream, version }. */
export async function loadKaitai(name) {
  const compiler = require("kaitai-struct-compiler");
  const KaitaiStream = require("kaitai-struct/KaitaiStream");
  const ksy = YAML.parse(readFileSync(join(here, "ksy", `${name}.ksy`), "utf8"));
  const files = await compiler.compile("javascript", ksy, null, false);
  const [src] = Object.values(files);
  // The output is a UMD module that requires the runtime by its package name.
  const exp = {};
  new Function("exports", "require", src)(exp, (id) =>
    id === "kaitai-struct/KaitaiStream" ? KaitaiStream : require(id),
  );
  const Parser = Object.values(exp)[0];
  return { Parser, KaitaiStream, version: require("kaitai-struct-compiler/package.json").version };
}
