// The wasm export ABI as a product (issue 7): documented (docs/wasm-abi.md), declared
// (vfio_abi_wasm.h), zero imports, within the size budget, and running outside Node: wasm2c + gcc,
// wabt's spectest-interp, JavaScriptCore's jsc shell, Bun, Deno, and the wasm2js build. Every host
// runs the same job (tests/embed/job.mjs) and must print exactly what Node prints.
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
import { runJob } from "./driver.mjs";
import { buildJob } from "./job.mjs";
import { wasmInfo } from "./wasm-info.mjs";
import { buildWast } from "./wast.mjs";

const root = fileURLToPath(new URL("../../", import.meta.url));
const here = fileURLToPath(new URL("./", import.meta.url));
const wasmPath = join(root, "build", "release.wasm");
const wasmBytes = readFileSync(wasmPath);
const info = wasmInfo(wasmBytes);
const header = readFileSync(join(root, "vfio_abi_wasm.h"), "utf8");
const doc = readFileSync(join(root, "docs", "wasm-abi.md"), "utf8");
const lib = await import(join(root, "dist", "bindings", "index.js"));
const skip = (process.env.VFIO_ABI_EMBED_SKIP ?? "").split(",").filter(Boolean);

const tmp = mkdtempSync(join(tmpdir(), "vfio-embed-"));
process.on("exit", () => rmSync(tmp, { recursive: true, force: true }));
const job = buildJob();
const jobPath = join(tmp, "job.txt");
writeFileSync(jobPath, job.text);
const nodeOut = runJob(new WebAssembly.Instance(new WebAssembly.Module(wasmBytes), {}).exports, job.text);

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

test("the job exercises parse, encode, walk, batch and the oracle, and Node reproduces the golden bytes", () => {
  const lines = nodeOut.trim().split("\n");
  const ops = new Set(lines.map((l) => l.split(" ")[0]));
  for (const op of ["version", "size", "parse", "setenc", "encf", "walk", "batch", "oracle", "obatch"])
    assert.ok(ops.has(op), op);
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
  assert.match(lines[0], new RegExp(`^version ${lib.EXPECTED_ABI_VERSION} \\d+ ${lib.EXPECTED_ABI_VERSION}$`));
});

// gzip budget: 10 KiB for the VFIO ioctl codec + oracle + fuzz, plus 1 KiB for vfio-user (message
// framing, command table, message-mode bodies, the libvfio-user profile's fd table), plus 0.5 KiB
// for the hostile-input hardening (memory-map checks on every pointer, the record window).
test("release module: zero imports, size budget (<= 24.5 KiB, gzip < 11.5 KiB)", () => {
  assert.deepEqual(info.imports, [], `imports: ${JSON.stringify(info.imports)}`);
  assert.deepEqual(WebAssembly.Module.imports(new WebAssembly.Module(wasmBytes)), []);
  const gz = gzipSync(wasmBytes, { level: 9 }).length;
  console.log(
    `# release.wasm ${wasmBytes.length} B (${(wasmBytes.length / 1024).toFixed(2)} KiB), gzip -9 ${gz} B (${(gz / 1024).toFixed(2)} KiB)`,
  );
  assert.ok(wasmBytes.length <= 24.5 * 1024, `release.wasm ${wasmBytes.length} B > 24.5 KiB`);
  assert.ok(gz < 11.5 * 1024, `gzip ${gz} B >= 11.5 KiB`);
});

test("every export is documented in docs/wasm-abi.md and declared in vfio_abi_wasm.h with its real signature", () => {
  const declared = new Map([...header.matchAll(/^\s*X\([\w ]+, (\w+), "([^"]+)",/gm)].map((m) => [m[1], m[2]]));
  const globals = new Set([...header.matchAll(/^\s*X\(\w+, (\w+)\) \\$/gm)].map((m) => m[1]));
  const documented = new Map([...doc.matchAll(/^\|\s*`(\w+)`\s*\|\s*`([^`]+)`\s*\|/gm)].map((m) => [m[1], m[2]]));
  const problems = [];
  for (const e of info.exports) {
    if (!documented.has(e.name)) problems.push(`${e.name}: not in the export table of docs/wasm-abi.md`);
    else if (e.sig && documented.get(e.name) !== e.sig)
      problems.push(`${e.name}: docs say ${documented.get(e.name)}, module has ${e.sig}`);
    if (e.kind === "function") {
      if (!declared.has(e.name))
        problems.push(`${e.name}: not in VFIO_ABI_EXPORTS of vfio_abi_wasm.h (run npm run gen)`);
      else if (declared.get(e.name) !== e.sig)
        problems.push(`${e.name}: header says ${declared.get(e.name)}, module has ${e.sig}`);
      if (!new RegExp(`^#+ .*\`${e.name}\\b`, "m").test(doc))
        problems.push(`${e.name}: no section heading in docs/wasm-abi.md`);
    }
    if (e.kind === "global" && !globals.has(e.name)) problems.push(`${e.name}: not in VFIO_ABI_GLOBALS`);
  }
  const names = new Set(info.exports.map((e) => e.name));
  for (const n of declared.keys()) if (!names.has(n)) problems.push(`${n}: declared in the header but not exported`);
  for (const n of documented.keys()) if (!names.has(n)) problems.push(`${n}: documented but not exported`);
  assert.deepEqual(problems, []);
  assert.match(
    header,
    new RegExp(`#define VFIO_ABI_NUM_FUNCTIONS ${info.exports.filter((e) => e.kind === "function").length}\\b`),
  );
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
    `${lib.EXPECTED_ABI_VERSION} ${lib.Status.E_CAP_LOOP} ${lib.structByName("vfio_irq_set").id} 24`,
  );
});

test("wasm2c + gcc: a C host decodes, encodes, walks caps and runs the oracle exactly like Node", (t) => {
  if (!need(t, "wasm2c", ["wasm2c", "gcc", "/usr/share/wabt/wasm2c/wasm-rt-impl.c"], "wabt gcc libc6-dev")) return;
  run("wasm2c", [wasmPath, "-n", "vfio", "-o", join(tmp, "vfio.c")]);
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
  run("gcc", ["-std=gnu11", "-O1", "-w", "-I", tmp, "-I", rt, "-c", join(tmp, "vfio.c"), "-o", join(tmp, "vfio.o")]);
  run("gcc", ["-std=gnu11", "-O1", "-w", "-I", rt, "-c", join(rt, "wasm-rt-impl.c"), "-o", join(tmp, "rt.o")]);
  run("gcc", [join(tmp, "host.o"), join(tmp, "vfio.o"), join(tmp, "rt.o"), "-lm", "-o", join(tmp, "host")]);
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
  const { text, asserts } = buildWast(wasmBytes, { parses, walks, encodes });
  assert.ok(asserts > 500, `${asserts} assertions`);
  const wast = join(tmp, "golden.wast");
  writeFileSync(wast, text);
  run("wast2json", [wast, "-o", join(tmp, "golden.json")]);
  const out = run("spectest-interp", [join(tmp, "golden.json")]);
  const m = /(\d+)\/(\d+) tests passed/.exec(out);
  assert.ok(m && m[1] === m[2] && Number(m[1]) >= asserts, out.slice(-500));
  console.log(`# spectest-interp: ${m[0]} (${asserts} assert_return)`);
});

test("JavaScriptCore jsc shell: raw exports, same output as Node", (t) => {
  if (!need(t, "jsc", ["jsc"], "libjavascriptcoregtk-4.0-bin")) return;
  sameAsNode(run("jsc", ["-m", join(here, "host-jsc.mjs"), "--", wasmPath, jobPath]), "jsc");
});

for (const rt of ["bun", "deno"]) {
  const bin = join(root, "node_modules", ".bin", rt);
  const args = rt === "deno" ? ["run", "--allow-read"] : [];
  test(`${rt}: raw exports give the same output as Node`, (t) => {
    if (!need(t, rt, [bin], `the ${rt} npm devDependency`)) return;
    console.log(`# ${rt} ${run(bin, ["--version"]).split("\n")[0]}`);
    sameAsNode(run(bin, [...args, join(here, "host-js.mjs"), wasmPath, jobPath]), rt);
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

test("wasm2js build (pure JS, no WebAssembly): same output as Node", () => {
  const js = join(root, "build", "release.wasm2js.js");
  assert.ok(existsSync(js), "build/release.wasm2js.js missing (scripts/build/wasm2js.mjs)");
  sameAsNode(run(process.execPath, [join(here, "host-js.mjs"), js, jobPath]), "wasm2js");
});
