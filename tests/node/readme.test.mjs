// Every example in the README runs and prints what the README shows. In ```sh blocks, a line starting
// with "$ " is a command (run by bash, with vfio-abi on the PATH, in a scratch directory that has the
// repository's examples/); the lines after it, up to the next command, are its output (stdout and
// stderr). In the shown output, "…" stands for any text within a line, and a line that is only "…" for
// any number of lines.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync, readFileSync, symlinkSync, chmodSync, rmSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../", import.meta.url));
const readme = readFileSync(join(root, "README.md"), "utf8");

/** The examples, in order: { cmd, expect: string[], line }. */
function examples(md) {
  const out = [];
  const lines = md.split("\n");
  let inSh = false,
    cur = null;
  lines.forEach((l, i) => {
    if (l.startsWith("```")) {
      inSh = !inSh && l.trim() === "```sh";
      cur = null;
      return;
    }
    if (!inSh) return;
    if (l.startsWith("$ ")) {
      cur = { cmd: l.slice(2), expect: [], line: i + 1 };
      out.push(cur);
      return;
    }
    if (cur && l.trim() !== "") cur.expect.push(l.trimEnd());
  });
  return out;
}

/** Does the output match the shown lines ("…" wildcards)? Linear-time line matcher with backtracking only over "…" lines. */
function matches(actual, expect) {
  const lineRe = (e) =>
    new RegExp(
      "^" +
        e
          .split("…")
          .map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
          .join(".*") +
        "$",
    );
  const res = expect.map((e) => (e === "…" ? null : lineRe(e)));
  const memo = new Map();
  const go = (a, e) => {
    const k = a * 1000 + e;
    if (memo.has(k)) return memo.get(k);
    let r;
    if (e === res.length) r = a === actual.length;
    else if (res[e] === null) r = go(a, e + 1) || (a < actual.length && go(a + 1, e));
    else r = a < actual.length && res[e].test(actual[a]) && go(a + 1, e + 1);
    memo.set(k, r);
    return r;
  };
  return go(0, 0);
}

const all = examples(readme);
const work = mkdtempSync(join(tmpdir(), "vfio-readme-"));
process.on("exit", () => rmSync(work, { recursive: true, force: true }));
mkdirSync(join(work, "bin"));
writeFileSync(
  join(work, "bin", "vfio-abi"),
  `#!/bin/sh\nexec "${process.execPath}" "${join(root, "bin", "vfio-abi.js")}" "$@"\n`,
);
chmodSync(join(work, "bin", "vfio-abi"), 0o755);
symlinkSync(join(root, "examples"), join(work, "examples"));
const env = { ...process.env, PATH: `${join(work, "bin")}:${process.env.PATH}` };

test("the README has examples for every command", () => {
  const cmds = new Set(all.map((x) => /vfio-abi (\S+)/.exec(x.cmd)?.[1]).filter(Boolean));
  for (const c of ["decode", "encode", "inspect-spans", "ioctl", "predict", "topology", "fuzz", "syzlang", "inspect"])
    assert.ok(cmds.has(c), c);
});

for (const ex of all) {
  test(`README line ${ex.line}: $ ${ex.cmd}`, async () => {
    const actual =
      /^vfio-abi inspect(\s|$)/.test(ex.cmd) && !ex.cmd.includes("--help") ? await server(ex.cmd) : run(ex.cmd);
    assert.ok(
      matches(actual, ex.expect),
      `README line ${ex.line}: $ ${ex.cmd}\n--- shown:\n${ex.expect.join("\n")}\n--- printed:\n${actual.join("\n")}`,
    );
  });
}

function run(cmd) {
  const r = spawnSync("bash", ["-c", `${cmd} 2>&1`], { cwd: work, env, encoding: "utf8", timeout: 300_000 });
  return r.stdout
    .split("\n")
    .map((l) => l.trimEnd())
    .filter((l, i, a) => !(l === "" && i === a.length - 1));
}

/** The inspector runs until stopped: its first line, then stop it. Port 0 instead of 7357, which may be taken here. */
function server(cmd) {
  return new Promise((resolve, reject) => {
    const child = spawn("bash", ["-c", `exec ${cmd} --port 0`], { cwd: work, env });
    let buf = "";
    child.stdout.on("data", (d) => {
      buf += d;
      if (buf.includes("\n")) {
        child.kill("SIGTERM");
        resolve([buf.split("\n")[0].replace(/:\d+\/$/, ":7357/")]);
      }
    });
    child.on("exit", (c) => reject(new Error(`${cmd} exited with ${c} before printing its URL`)));
  });
}
