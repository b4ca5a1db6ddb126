// The wasm export ABI as a product (issue 7): documented (docs/wasm-abi.md), declared
// (vfio_abi_wasm.h), zero imports, within the size budget, and running outside Node: wasm2c + gcc,
// wabt's spectest-interp, JavaScriptCore's jsc shell, Bun, Deno, and the wasm2js build. Both modules
// (the core and the fuzzing module) are covered: every host runs the same job (tests/embed/job.mjs)
// on both and must print exactly what Node prints.
//
// CI needs: apt-get install -y --no-install-recommends wabt gcc libc6-dev libjavascriptcoregtk-4.0-bin
// (bun and deno come from npm devDependencies). A missing tool fails the test with the package to
// install; VFIO_ABI_EMBED_SKIP=jsc,bun,... skips named hosts visibly (t.skip), never silently.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import * as W from "../../schema/wasm-abi.mjs";
import { runJob } from "./driver.mjs";
import { buildJob } from "./job.mjs";
import { wasmInfo } from "./wasm-info.mjs";
import { buildWast } from "./wast.mjs";

const root = fileURLToPath(new URL("../../", import.meta.url));
const here = fileURLToPath(new URL("./", import.meta.url));
const wasmPath = join(root, "build", "release.wasm");
const wasmBytes = readFileSync(wasmPath);
const info = wasmInfo(wasmBytes);
const fuzzPath = join(root, "build", "fuzz.wasm");
const fuzzBytes = readFileSync(fuzzPath);
const fuzzInfo = wasmInfo(fuzzBytes);
const header = readFileSync(join(root, "vfio_abi_wasm.h"), "utf8");
const doc = readFileSync(join(root, "docs", "wasm-abi.md"), "utf8");
const lib = await import(join(root, "dist", "bindings", "index.js"));
const skip = (process.env.VFIO_ABI_EMBED_SKIP ?? "").split(",").filter(Boolean);

const tmp = mkdtempSync(join(tmpdir(), "vfio-embed-"));
process.on("exit", () => rmSync(tmp, { recursive: true, force: true }));
const job = buildJob();
const jobPath = join(tmp, "job.txt");
writeFileSync(jobPath, job.text);
const instance = (bytes) => new WebAssembly.Instance(new WebAssembly.Module(bytes), {}).exports;
const nodeOut = runJob(instance(wasmBytes), job.text, instance(fuzzBytes));

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: root, encoding: "utf8", maxBuffer: 64 << 20, timeout: 120_000, ...opts });
  if (r.error) throw new Error(`${cmd}: ${r.error.message}`);
  assert.equal(r.status, 0, `${cmd} ${args.join(" ")} exited ${r.status}:\n${r.stderr}\n${r.stdout.slice(0, 2000)}`);
  return r.stdout;
}
const have = (cmd) => spawnSync("sh", ["-c", `command -v ${cmd}`]).status === 0;
function need(t, host, cmds, pkg) {
  if (skip.includes(host)) {
    t.skip(`VFIO_ABI_EMBED_SKIP=${host}`);
    return false;
  }
  for (const c of cmds) assert.ok(have(c) || existsSync(c), `${c} not found: install ${pkg}`);
  return true;
}
/** Same output as Node, line by line (first difference reported). */
function sameAsNode(out, who) {
  const a = out.split("\n"),
    b = nodeOut.split("\n");
  for (let i = 0; i < Math.max(a.length, b.length); i++)
    assert.equal(a[i], b[i], `${who} line ${i + 1} differs from Node`);
}

test("the job exercises parse, encode, walk, batch, the oracle and the fuzzing module, and Node reproduces the golden bytes", () => {
  const lines = nodeOut.trim().split("\n");
  const ops = new Set(lines.map((l) => l.split(" ")[0]));
  for (const op of ["version", "size", "parse", "setenc", "encf", "walk", "batch", "oracle", "obatch"])
    assert.ok(ops.has(op), op);
  for (const op of ["fgen", "fmut", "fbatch", "fcamp"]) assert.ok(ops.has(op), op);
  // every generated case has bytes, every class was reached, the campaign shard found no failure
  const gens = lines.filter((l) => l.startsWith("fgen ")).map((l) => l.split(" "));
  assert.ok(gens.every((g) => Number(g[1]) > 0));
  const classes = new Set(gens.map((g) => Number(g[2])));
  for (const c of W.fuzz.classes) assert.ok(classes.has(c.id), `class ${c.name} not generated`);
  const camp = lines.find((l) => l.startsWith("fcamp ")).split(" ");
  assert.equal(camp[1], "0", "campaign failures");
  const jobLines = job.text.split("\n").filter((l) => l && !l.startsWith("#"));
  assert.equal(lines.length, jobLines.length);
  const all = job.text.split("\n");
  for (const e of job.expect) {
    const k = all.slice(0, e.index + 1).filter((l) => l && !l.startsWith("#")).length - 1;
    const [, r, hex] = lines[k].split(" ");
    assert.ok(Number(r) > 0, lines[k]);
    assert.equal(hex, e.bytes, `${all[e.index - 1]}`);
  }
  assert.ok(job.expect.length >= 12, `${job.expect.length} encode round trips`);
  assert.match(lines[0], new RegExp(`^version ${W.abiVersion} \\d+ ${W.abiVersion}$`));
});

// The core's budget: 24 KiB, 10 KiB gzip (the codec, the oracle and vfio-user framing). The fuzzing
// module is loaded only to fuzz; it has no budget, only the zero-import rule.
test("both modules have zero imports; the core is within its size budget (<= 24 KiB, gzip <= 10 KiB)", () => {
  for (const [name, bytes, i] of [
    ["release.wasm", wasmBytes, info],
    ["fuzz.wasm", fuzzBytes, fuzzInfo],
  ]) {
    assert.deepEqual(i.imports, [], `${name} imports: ${JSON.stringify(i.imports)}`);
    assert.deepEqual(WebAssembly.Module.imports(new WebAssembly.Module(bytes)), [], name);
    const gz = gzipSync(bytes, { level: 9 }).length;
    console.log(
      `# ${name} ${bytes.length} B (${(bytes.length / 1024).toFixed(2)} KiB), gzip -9 ${gz} B (${(gz / 1024).toFixed(2)} KiB)`,
    );
  }
  const gz = gzipSync(wasmBytes, { level: 9 }).length;
  assert.ok(wasmBytes.length <= 24 * 1024, `release.wasm ${wasmBytes.length} B > 24 KiB`);
  assert.ok(gz <= 10 * 1024, `release.wasm gzip ${gz} B > 10 KiB`);
});

test("every export of both modules is documented in docs/wasm-abi.md and declared in vfio_abi_wasm.h with its real signature", () => {
  const xMacro = (macro) => {
    const body = new RegExp(`#define ${macro}\\(X\\) \\\\\\n([\\s\\S]*?)/\\* end \\*/`).exec(header);
    assert.ok(body, `${macro} missing from vfio_abi_wasm.h`);
    return new Map([...body[1].matchAll(/^\s*X\([\w ]+, (\w+), "([^"]+)",/gm)].map((m) => [m[1], m[2]]));
  };
  const globals = new Set([...header.matchAll(/^\s*X\(\w+, (\w+)\) \\$/gm)].map((m) => m[1]));
  const documented = new Map(
    [...doc.matchAll(/^\|\s*`(\w+)`\s*\|\s*`([^`]+)`\s*\|.*\|\s*([\w, ]+?)\s*\|$/gm)].map((m) => [
      m[1],
      { sig: m[2], modules: m[3].split(", ") },
    ]),
  );
  const problems = [];
  for (const [module, minfo, macro, count] of [
    ["core", info, "VFIO_ABI_EXPORTS", "VFIO_ABI_NUM_FUNCTIONS"],
    ["fuzz", fuzzInfo, "VFIO_ABI_FUZZ_EXPORTS", "VFIO_ABI_FUZZ_NUM_FUNCTIONS"],
  ]) {
    const declared = xMacro(macro);
    for (const e of minfo.exports) {
      const d = documented.get(e.name);
      if (!d) problems.push(`${e.name}: not in the export table of docs/wasm-abi.md`);
      else {
        if (e.sig && d.sig !== e.sig) problems.push(`${e.name}: docs say ${d.sig}, module has ${e.sig}`);
        if (!d.modules.includes(module)) problems.push(`${e.name}: docs do not list module ${module}`);
      }
      if (e.kind === "function") {
        if (!declared.has(e.name)) problems.push(`${e.name}: not in ${macro} of vfio_abi_wasm.h (run npm run gen)`);
        else if (declared.get(e.name) !== e.sig)
          problems.push(`${e.name}: header says ${declared.get(e.name)}, module has ${e.sig}`);
        if (!new RegExp(`^#+ .*\`${e.name}\\b`, "m").test(doc))
          problems.push(`${e.name}: no section heading in docs/wasm-abi.md`);
      }
      if (e.kind === "global" && !globals.has(e.name)) problems.push(`${e.name}: not in VFIO_ABI_GLOBALS`);
    }
    const names = new Set(minfo.exports.map((e) => e.name));
    for (const n of declared.keys())
      if (!names.has(n)) problems.push(`${n}: in ${macro} but not exported by ${module}`);
    for (const [n, d] of documented)
      if (d.modules.includes(module) && !names.has(n)) problems.push(`${n}: documented for ${module} but not exported`);
    assert.match(
      header,
      new RegExp(`#define ${count} ${minfo.exports.filter((e) => e.kind === "function").length}\\b`),
    );
  }
  assert.deepEqual(problems, []);
});

test("header constants agree with the bindings (status codes, struct ids, version) and the header compiles cleanly", (t) => {
  if (!need(t, "gcc", ["gcc"], "gcc libc6-dev")) return;
  const def = (n) => {
    const m = new RegExp(`^#define ${n}\\s+\\(?(-?(?:0x[0-9a-f]+|\\d+))u?\\)?`, "m").exec(header);
    return m ? Number(m[1]) : undefined;
  };
  for (const [k, v] of Object.entries(lib.Status)) assert.equal(def(`VFIO_ABI_${k}`), v, k);
  for (const s of lib.SCHEMA.structs) assert.equal(def(`VFIO_ABI_S_${s.name.toUpperCase()}`), s.id, s.name);
  assert.equal(def("VFIO_ABI_VERSION"), lib.EXPECTED_ABI_VERSION);
  assert.equal(def("VFIO_ABI_PROF_BIG"), 1);
  const c = join(tmp, "hdr.c");
  writeFileSync(
    c,
    `#define VFIO_ABI_PROTOTYPES\n#include "vfio_abi_wasm.h"\n#include <stdio.h>\n
int main(void) { printf("%d %d %d %d\\n", VFIO_ABI_VERSION, VFIO_ABI_E_CAP_LOOP, VFIO_ABI_S_VFIO_IRQ_SET, (int)sizeof(vfio_abi_rec)); return 0; }\n`,
  );
  for (const std of ["c99", "c11"])
    run("gcc", [`-std=${std}`, "-Wall", "-Wextra", "-Werror", "-pedantic", "-I", root, c, "-o", join(tmp, "hdr")]);
  assert.equal(
    run(join(tmp, "hdr"), []).trim(),
    `${W.abiVersion} ${lib.Status.E_CAP_LOOP} ${lib.structByName("vfio_irq_set").id} 24`,
  );
});

test("wasm2c + gcc: a C host decodes, encodes, walks caps, runs the oracle and fuzzes exactly like Node", (t) => {
  if (!need(t, "wasm2c", ["wasm2c", "gcc", "/usr/share/wabt/wasm2c/wasm-rt-impl.c"], "wabt gcc libc6-dev")) return;
  run("wasm2c", [wasmPath, "-n", "vfio", "-o", join(tmp, "vfio.c")]);
  run("wasm2c", [fuzzPath, "-n", "fuzz", "-o", join(tmp, "fuzz.c")]);
  const rt = "/usr/share/wabt/wasm2c";
  // the host (and the header through it) must be warning-free; wasm2c's own output is not ours
  run("gcc", [
    "-std=gnu11",
    "-O1",
    "-Wall",
    "-Wextra",
    "-Werror",
    "-Wno-unused-parameter",
    "-I",
    tmp,
    "-I",
    root,
    "-I",
    rt,
    "-c",
    join(here, "host.c"),
    "-o",
    join(tmp, "host.o"),
  ]);
  for (const m of ["vfio", "fuzz"])
    run("gcc", ["-std=gnu11", "-O1", "-w", "-I", tmp, "-I", rt, "-c", join(tmp, `${m}.c`), "-o", join(tmp, `${m}.o`)]);
  run("gcc", ["-std=gnu11", "-O1", "-w", "-I", rt, "-c", join(rt, "wasm-rt-impl.c"), "-o", join(tmp, "rt.o")]);
  run("gcc", [
    join(tmp, "host.o"),
    join(tmp, "vfio.o"),
    join(tmp, "fuzz.o"),
    join(tmp, "rt.o"),
    "-lm",
    "-o",
    join(tmp, "host"),
  ]);
  sameAsNode(run(join(tmp, "host"), [], { input: job.text }), "wasm2c host");
});

test("spectest-interp: .wast assertions generated from the golden vectors pass", (t) => {
  if (!need(t, "spectest", ["wast2json", "spectest-interp"], "wabt")) return;
  const parses = [],
    walks = [],
    encodes = [];
  let name = "";
  for (const l of job.text.split("\n")) {
    const w = l.trim().split(/\s+/);
    if (w[0] === "#") {
      name = w.slice(1).join("_");
      continue;
    }
    const n = (i) => Number(w[i]);
    if (w[0] === "parse") parses.push({ name, sid: n(1), prof: n(2), hex: w[3] === "-" ? "" : w[3] });
    if (w[0] === "walk") walks.push({ name, prof: n(1), fixed: n(2), start: n(3), hex: w[4] });
    if (w[0] === "setenc")
      encodes.push({
        name,
        prof: n(1),
        argsz: n(2),
        flags: n(3),
        index: n(4),
        start: n(5),
        count: n(6),
        npayload: n(7),
        payload: Uint8Array.from((w[8] === "-" ? "" : w[8]).match(/../g) ?? [], (x) => parseInt(x, 16)),
      });
  }
  const fuzz = { gens: [], muts: [], batches: [] };
  for (const l of job.text.split("\n")) {
    const w = l.trim().split(/\s+/);
    const n = (i) => Number(w[i]);
    if (w[0] === "fgen") fuzz.gens.push({ sid: n(1), seed: n(2), idx: n(3), prof: n(4), cls: n(5), dev: w[6] });
    if (w[0] === "fmut") fuzz.muts.push({ sid: n(1), prof: n(2), seed: BigInt(w[3]), hex: w[4] });
    if (w[0] === "fbatch") fuzz.batches.push({ sid: n(1), seed: n(2), first: n(3), n: n(4), prof: n(5), dev: w[6] });
  }
  const { text, asserts, fuzzAsserts } = buildWast(wasmBytes, { parses, walks, encodes }, fuzzBytes, fuzz);
  assert.ok(asserts > 500, `${asserts} assertions`);
  assert.ok(fuzzAsserts > 500, `${fuzzAsserts} assertions on the fuzzing module`);
  const wast = join(tmp, "golden.wast");
  writeFileSync(wast, text);
  run("wast2json", [wast, "-o", join(tmp, "golden.json")]);
  const out = run("spectest-interp", [join(tmp, "golden.json")]);
  const m = /(\d+)\/(\d+) tests passed/.exec(out);
  assert.ok(m && m[1] === m[2] && Number(m[1]) >= asserts, out.slice(-500));
  console.log(`# spectest-interp: ${m[0]} (${asserts} assert_return, ${fuzzAsserts} of them on the fuzzing module)`);
});

test("JavaScriptCore jsc shell: raw exports, same output as Node", (t) => {
  if (!need(t, "jsc", ["jsc"], "libjavascriptcoregtk-4.0-bin")) return;
  sameAsNode(run("jsc", ["-m", join(here, "host-jsc.mjs"), "--", wasmPath, fuzzPath, jobPath]), "jsc");
});

for (const rt of ["bun", "deno"]) {
  const bin = join(root, "node_modules", ".bin", rt);
  const args = rt === "deno" ? ["run", "--allow-read"] : [];
  test(`${rt}: raw exports give the same output as Node`, (t) => {
    if (!need(t, rt, [bin], `the ${rt} npm devDependency`)) return;
    console.log(`# ${rt} ${run(bin, ["--version"]).split("\n")[0]}`);
    sameAsNode(run(bin, [...args, join(here, "host-js.mjs"), wasmPath, fuzzPath, jobPath]), rt);
  });
  test(`${rt}: the Node golden-vector suite (tests/node/codec.test.mjs) passes unchanged`, (t) => {
    if (!need(t, rt, [bin], `the ${rt} npm devDependency`)) return;
    const out =
      rt === "deno"
        ? run(bin, ["test", "--allow-read", "--no-check", "tests/node/codec.test.mjs"], {
            env: { ...process.env, NO_COLOR: "1" },
          })
        : spawnSync(bin, ["test", "./tests/node/codec.test.mjs"], { cwd: root, encoding: "utf8", timeout: 120_000 });
    const text = typeof out === "string" ? out : out.stdout + out.stderr;
    if (typeof out !== "string") assert.equal(out.status, 0, text);
    const m = rt === "deno" ? /ok \| (\d+) passed \| 0 failed/.exec(text) : /(\d+) pass\s+0 fail/.exec(text);
    assert.ok(m && Number(m[1]) >= 40, text.slice(-800));
  });
}

test("wasm2js builds of both modules (pure JS, no WebAssembly): same output as Node", () => {
  const js = ["release", "fuzz"].map((m) => join(root, "build", `${m}.wasm2js.js`));
  for (const f of js) assert.ok(existsSync(f), `${f} missing (scripts/build/wasm2js.mjs)`);
  sameAsNode(run(process.execPath, [join(here, "host-js.mjs"), ...js, jobPath]), "wasm2js");
});
