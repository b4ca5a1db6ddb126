// The libvfio-user peer: find the source snapshot, build it (meson + ninja) and the two programs
// of the stage (vu-server on the library, vu-replay), and check the vfio-user structs of the schema
// against gcc on the library's include/vfio-user.h. Everything is cached in the work directory,
// keyed by the tarball's hash.
//
// The snapshot: VFIO_ABI_PEERS (a directory holding libvfio-user-*.tar.gz, or the tarball itself),
// default ../shared/peers/ beside the repository.
import { createHash } from "node:crypto";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
export const root = path.resolve(here, "..", "..");
export const ENABLE_HINT =
  "set VFIO_ABI_PEERS to a directory holding libvfio-user-<commit>.tar.gz (a snapshot of nutanix/libvfio-user) or to the tarball itself";

/** The tarball, or null with the reason. */
export function findTarball() {
  const where = process.env.VFIO_ABI_PEERS || path.resolve(root, "..", "shared", "peers");
  if (!fs.existsSync(where)) return { tarball: null, why: `${where} does not exist` };
  if (fs.statSync(where).isFile()) return { tarball: where };
  const hits = fs
    .readdirSync(where)
    .filter((f) => /^libvfio-user-.*\.tar\.gz$/.test(f))
    .sort();
  if (!hits.length) return { tarball: null, why: `no libvfio-user-*.tar.gz in ${where}` };
  return { tarball: path.join(where, hits[hits.length - 1]) };
}

const run = (cmd, args, opts = {}) =>
  execFileSync(cmd, args, { stdio: ["ignore", "pipe", "pipe"], encoding: "utf8", ...opts });

/** Build everything (cached). Returns { lib, include, server, replay, version }. */
export function buildPeer(tarball, workDir) {
  const hash = createHash("sha256").update(fs.readFileSync(tarball)).digest("hex").slice(0, 12);
  const dir = path.join(workDir, `libvfio-user-${hash}`);
  const src = path.join(dir, "src");
  const build = path.join(dir, "build");
  const lib = path.join(build, "lib");
  if (!fs.existsSync(path.join(lib, "libvfio-user.so"))) {
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(src, { recursive: true });
    run("tar", ["xzf", tarball, "-C", src, "--strip-components=1"]);
    // the library's default debug build keeps its asserts: an assert that fires is a finding
    run("meson", ["setup", build, src], { cwd: dir });
    run("ninja", ["-C", build]);
  }
  const include = path.join(src, "include");
  const bin = path.join(dir, "bin");
  fs.mkdirSync(bin, { recursive: true });
  const server = path.join(bin, "vu-server");
  const replay = path.join(bin, "vu-replay");
  const stale = (out, input) => !fs.existsSync(out) || fs.statSync(out).mtimeMs < fs.statSync(input).mtimeMs;
  const serverSrc = path.join(here, "vu-server.c"),
    replaySrc = path.join(root, "native", "vu-replay.c");
  if (stale(server, serverSrc))
    run("gcc", [
      "-O2",
      "-Wall",
      "-Wextra",
      "-Werror",
      `-I${include}`,
      serverSrc,
      `-L${lib}`,
      "-lvfio-user",
      `-Wl,-rpath,${lib}`,
      "-o",
      server,
    ]);
  const replayHeader = path.join(root, "native", "replay-hex.h");
  if (stale(replay, replaySrc) || stale(replay, replayHeader))
    run("gcc", ["-O2", "-Wall", "-Wextra", "-Werror", replaySrc, "-o", replay]);
  return { dir, lib, include, server, replay, hash };
}

/**
 * gcc on the library's header: sizeof and offsetof of every vfio-user struct of the schema, and the
 * command numbers and flag bits. Returns the number of values checked; throws on a difference.
 */
export async function checkLayouts(include, workDir) {
  const { SCHEMA } = await import("../../dist/bindings/index.js");
  const cName = (s) => (s.cName.startsWith("struct vfio_user_message") ? "struct vfio_user_header" : s.cName);
  const lines = ["#include <stddef.h>", "#include <stdio.h>", '#include "vfio-user.h"', "int main(void) {"];
  const expect = [];
  const add = (expr, value, what) => {
    lines.push(`  printf("%lld\\n", (long long)(${expr}));`);
    expect.push({ value, what });
  };
  for (const s of SCHEMA.structs.filter((x) => x.name.startsWith("vfio_user_"))) {
    const fields = SCHEMA.fields.slice(s.firstField, s.firstField + s.nfields);
    const c = cName(s);
    const fixed = fields.filter((f) => f.scalar);
    if (s.kind !== "message" && !fields.some((f) => f.type === "bytes")) add(`sizeof(${c})`, s.size[1], `sizeof ${c}`);
    for (const f of fixed)
      add(`offsetof(${c}, ${f.name === "command" ? "cmd" : f.name})`, f.offsets[1], `${c}.${f.name}`);
    const t = fields.find((f) => f.type === "bytes");
    if (t) add(`offsetof(${c}, ${t.name})`, t.offsets[1], `${c}.${t.name}`);
  }
  for (const c of SCHEMA.vfioUser.commands) add(c.name, c.value, c.name);
  for (const b of SCHEMA.flagSets.vfio_user_header_flags.bits) add(b.name, b.value, b.name);
  for (const v of SCHEMA.flagSets.vfio_user_header_flags.fields[0].values) add(v.name, v.value, v.name);
  for (const b of SCHEMA.flagSets.vfio_user_dma_map_flags.bits) add(b.name, b.value, b.name);
  lines.push("  return 0;", "}");
  const dir = path.join(workDir, "layout");
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, "layout.c"), `${lines.join("\n")}\n`);
  run("gcc", ["-Wall", `-I${include}`, path.join(dir, "layout.c"), "-o", path.join(dir, "layout")]);
  const got = run(path.join(dir, "layout"), []).trim().split("\n").map(Number);
  const bad = expect
    .filter((e, i) => got[i] !== e.value)
    .map((e) => `${e.what}: schema ${e.value}, gcc ${got[expect.indexOf(e)]}`);
  if (bad.length) throw new Error(`vfio-user layouts differ from libvfio-user's header:\n  ${bad.join("\n  ")}`);
  return expect.length;
}
