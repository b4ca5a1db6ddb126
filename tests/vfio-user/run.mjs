#!/usr/bin/env node
// vfio-user peer stage (npm test stage "vfio-user"): a real libvfio-user server answers
// codec-built messages and the libvfio-user model predicts every answer byte for byte.
//  1. unpack and build libvfio-user (meson + ninja), vu-server on it, vu-replay; gcc checks the
//     schema's vfio-user layouts against the library's include/vfio-user.h;
//  2. replay: the library's documented behaviours, framing and fd cases, the fuzzer's seeded
//     corpora, random stateful sequences (several device shapes), the two bug reproducers;
//  3. every request's replies, every close and every eventfd counter must match the model.
//     The reproducers must also differ from the model without the bug.
//
//   node tests/vfio-user/run.mjs [--seed N] [--random N] [--corpus N] [--work-dir DIR] [--verbose]
//
// Exit: 0 all matched; 1 a mismatch; 2 could not build or run; 3 did not run (no libvfio-user
// snapshot: the reason and how to enable the stage are printed).
import * as fs from "node:fs";
import * as path from "node:path";
import { spawn } from "node:child_process";
import { findTarball, buildPeer, checkLayouts, root, ENABLE_HINT } from "./peer.mjs";

const argv = process.argv.slice(2);
const opt = (name, d) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : d;
};
const seed = Number(opt("--seed", "20250611"));
const perDevice = Number(opt("--random", "3500"));
const perFamily = Number(opt("--corpus", "400"));
const verbose = argv.includes("--verbose");
const workDir = path.resolve(
  opt("--work-dir", process.env.VFIO_USER_WORK_DIR || path.join(root, "tests", "vfio-user", ".work")),
);

const t0 = Date.now();
const { tarball, why } = findTarball();
if (!tarball) {
  console.log(`vfio-user peer stage: DID NOT RUN: ${why}`);
  console.log(`  to enable it: ${ENABLE_HINT}`);
  process.exit(3);
}
if (!fs.existsSync(path.join(root, "dist", "bindings", "index.js"))) {
  console.error("vfio-user stage: dist/bindings is missing - run `node scripts/build.mjs` first");
  process.exit(2);
}
const abi = await import("../../dist/bindings/index.js");
const { VfioUserModel, vuServerDevice } = await import("../../dist/bindings/oracle/model/vfio-user.js");
const { plan, runScript, check } = await import("./replay.mjs");
const plans = await import("./plans.mjs");

let peer;
try {
  fs.mkdirSync(workDir, { recursive: true });
  peer = buildPeer(tarball, workDir);
  const n = await checkLayouts(peer.include, workDir);
  console.log(
    `vfio-user: libvfio-user ${path.basename(tarball)} built (${((Date.now() - t0) / 1000).toFixed(1)} s); gcc: ${n} vfio-user layout values and constants match the schema`,
  );
} catch (e) {
  console.error(`vfio-user stage: could not build the peer: ${e.stderr ?? ""}${e.message}`);
  process.exit(2);
}

/** Start vu-server with these irq counts; resolves when it listens. */
function startServer(name, counts) {
  const socket = path.join(workDir, `${name}.sock`);
  const log = path.join(workDir, `${name}.log`);
  fs.rmSync(log, { force: true });
  const names = ["--intx", "--msi", "--msix", "--err", "--req"];
  const args = [
    "--socket",
    socket,
    ...counts.flatMap((c, i) => [names[i], String(c)]),
    ...(verbose ? ["--log", log] : []),
  ];
  const child = spawn(peer.server, args, { stdio: ["ignore", "pipe", "pipe"] });
  let err = "";
  child.stderr.on("data", (d) => {
    err += d;
  });
  return new Promise((resolve, reject) => {
    child.stdout.once("data", () => resolve({ child, socket, stderr: () => err }));
    child.once("exit", (code, sig) => reject(new Error(`vu-server ${name} exited (${code ?? sig}): ${err}`)));
  });
}

const DEVICES = [
  { name: "default", counts: [1, 4, 16, 1, 1] },
  { name: "msix2048", counts: [1, 32, 2048, 1, 1] },
  { name: "no-intx", counts: [0, 1, 8, 0, 1] },
];

const totals = { requests: 0, matched: 0, replies: 0, efdReads: 0, mismatches: [], rules: new Map(), runs: [] };
let failed = false;
for (const [di, dev] of DEVICES.entries()) {
  let server;
  try {
    server = await startServer(dev.name, dev.counts);
  } catch (e) {
    console.error(`vfio-user stage: ${e.message}`);
    process.exit(2);
  }
  const suites = [];
  if (di === 0) {
    suites.push(
      ["documented", plans.documented(abi)],
      ["framing", plans.framing(abi)],
      ["corpora", await plans.corpora(abi, perFamily, seed)],
    );
  }
  suites.push([`random seed ${seed + di}`, plans.random(abi, perDevice, seed + di, dev.counts)]);
  if (di === 0) for (const r of plans.reproducers(abi)) suites.push([`reproducer ${r.rule}`, r.steps, r.rule]);
  for (const [label, steps, bugRule] of suites) {
    const t = Date.now();
    const device = vuServerDevice(dev.counts);
    const { script, expect } = plan(abi, new VfioUserModel(device), steps, server.socket);
    let transcript;
    try {
      transcript = runScript(peer.replay, script);
    } catch (e) {
      console.error(`vfio-user stage: ${label}: ${e.message}`);
      failed = true;
      continue;
    }
    const res = check(abi, expect, transcript);
    totals.requests += res.requests;
    totals.matched += res.matched;
    totals.replies += res.replies;
    totals.efdReads += res.efdReads;
    for (const [k, v] of res.rules) totals.rules.set(k, (totals.rules.get(k) ?? 0) + v);
    for (const m of res.mismatches) totals.mismatches.push({ device: dev.name, suite: label, ...m });
    let extra = "";
    if (bugRule) {
      // the same steps on the model without the bug must predict something else
      const fixed = plan(abi, new VfioUserModel({ ...device, fixed: [bugRule] }), steps, server.socket);
      const differs = check(abi, fixed.expect, transcript).mismatches.length > 0;
      extra = differs
        ? `; the model without ${bugRule} disagrees with the server: the server has the bug`
        : `; WARNING: the model without ${bugRule} agrees too`;
      if (!differs) failed = true;
    }
    totals.runs.push({
      device: dev.name,
      label,
      requests: res.requests,
      matched: res.matched,
      mismatches: res.mismatches.length,
      ms: Date.now() - t,
    });
    console.log(
      `vfio-user [${dev.name}] ${label}: ${res.matched}/${res.requests} requests matched, ${res.replies} replies, ${res.efdReads} eventfd reads, ${res.mismatches.length} mismatches (${Date.now() - t} ms)${extra}`,
    );
  }
  server.child.kill("SIGTERM");
  if (server.stderr()) console.log(`vu-server ${dev.name} stderr: ${server.stderr().trim()}`);
}

const top = [...totals.rules.entries()]
  .sort((a, b) => b[1] - a[1])
  .map(([k, v]) => `${k} ${v}`)
  .join(", ");
console.log(`vfio-user: rules seen: ${top}`);
for (const m of totals.mismatches.slice(0, 40))
  console.log(`MISMATCH [${m.device}] ${m.suite}: ${m.note} (${m.what}, rule ${m.rule ?? "-"})\n  ${m.explain}`);
console.log(
  `vfio-user: ${totals.matched}/${totals.requests} requests matched, ${totals.replies} replies, ${totals.efdReads} eventfd reads, ${totals.mismatches.length} mismatches, ${((Date.now() - t0) / 1000).toFixed(1)} s`,
);
if (totals.requests < 10000) {
  console.log(`vfio-user: only ${totals.requests} requests (want >= 10000)`);
  failed = true;
}
process.exit(failed || totals.mismatches.length ? 1 : 0);
