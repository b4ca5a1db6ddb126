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
import { spawn, spawnSync } from "node:child_process";
import { findTarball, buildPeer, checkLayouts, root, ENABLE_HINT } from "./peer.mjs";
import { intArg, parseOptions, seedArg } from "../../scripts/lib/options.mjs";

const text = { type: "string" };
const { values: args } = parseOptions("vfio-user stage", {
  usage:
    "node tests/vfio-user/run.mjs [--seed N] [--random N] [--corpus N] [--work-dir DIR] [--verbose] [--replay FILE]...",
  options: {
    seed: text,
    random: text,
    corpus: text,
    "work-dir": text,
    verbose: { type: "boolean" },
    replay: { type: "string", multiple: true, default: [] },
  },
});
const seed = seedArg("vfio-user stage", "--seed", args.seed, 20250611);
const perDevice = intArg("vfio-user stage", "--random", args.random, 3500);
const perFamily = intArg("vfio-user stage", "--corpus", args.corpus, 400);
const verbose = args.verbose;
const workDir = path.resolve(
  args["work-dir"] ?? (process.env.VFIO_USER_WORK_DIR || path.join(root, "tests", "vfio-user", ".work")),
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
const { VfioUserModel, vuServerDevice, vuModelGap } = await import("../../dist/bindings/oracle/model/vfio-user.js");
const { plan, check, explain, hello } = await import("../../dist/bindings/vfio-user-fuzz/script.js");
const { runClient, checkClientEnv } = await import("../../dist/bindings/vfio-user-fuzz/client.js");
const { parseRepro } = await import("../../dist/bindings/vfio-user-fuzz/repro.js");
const plans = await import("./plans.mjs");
const { campaignChecks } = await import("./campaign.mjs");

// the bug reproducers: files the CLI campaign wrote (vfio-abi vfio-user --fixed ...), plus --replay FILE
const reproDir = path.join(root, "tests", "vfio-user", "reproducers");
const reproFiles = [
  ...fs
    .readdirSync(reproDir)
    .filter((f) => f.endsWith(".txt"))
    .sort()
    .map((f) => path.join(reproDir, f)),
  ...args.replay.map((f) => path.resolve(f)),
];
/** The bug a reproducer shows: its "explained by: RULE" line. */
const bugOf = (r) => /^explained by: (\S+)/.exec(r.why.find((w) => w.startsWith("explained by:")) ?? "")?.[1];

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

// the replay client's real fds (eventfds, files, closed fds) are the environment the model is told
try {
  const n = checkClientEnv(peer.replay, vuServerDevice());
  console.log(
    `vfio-user: the client's ${n} fds are the fd environment the model is told (eventfds, files, writable, closed)`,
  );
} catch (e) {
  console.error(`vfio-user stage: ${e.message}`);
  process.exit(1);
}

const DEVICES = [
  { name: "default", counts: [1, 4, 16, 1, 1] },
  { name: "msix2048", counts: [1, 32, 2048, 1, 1] },
  { name: "no-intx", counts: [0, 1, 8, 0, 1] },
  // four INTx lines (they share the MSI/MSI-X slots 0..3) and two ERR vectors (LVU_BUG_ERR_REQ_ARRAY)
  { name: "intx4-err2", counts: [4, 2, 8, 2, 1] },
];

const totals = { requests: 0, matched: 0, replies: 0, efdReads: 0, mismatches: [], rules: new Map(), runs: [] };
let failed = false;

/** Replay `steps` on the server and compare with the model of `device`; with `bugRule`, also check the model without it differs. */
function runSuite(server, name, label, steps, device, bugRule) {
  const t = Date.now();
  const { script, expect } = plan(new VfioUserModel(device), steps, server.socket);
  let transcript;
  try {
    transcript = runClient(peer.replay, script);
  } catch (e) {
    console.error(`vfio-user stage: ${label}: ${e.message}`);
    failed = true;
    return;
  }
  const res = check(expect, transcript);
  totals.requests += res.requests;
  totals.matched += res.matched;
  totals.replies += res.replies;
  totals.efdReads += res.efdReads;
  for (const [k, v] of res.rules) totals.rules.set(k, (totals.rules.get(k) ?? 0) + v);
  for (const m of res.mismatches)
    totals.mismatches.push({ device: name, suite: label, note: steps[m.step]?.note ?? steps[m.step]?.kind, ...m });
  let extra = "";
  if (bugRule) {
    // the same steps on the model without the bug must predict something else
    const fixed = plan(new VfioUserModel({ ...device, fixed: [bugRule] }), steps, server.socket);
    const differs = fixed.script !== script || check(fixed.expect, transcript).mismatches.length > 0;
    extra = differs
      ? `; the model without ${bugRule} disagrees with the server: the server has the bug`
      : `; WARNING: the model without ${bugRule} agrees too`;
    if (!differs) failed = true;
  }
  totals.runs.push({
    device: name,
    label,
    requests: res.requests,
    mismatches: res.mismatches.length,
    ms: Date.now() - t,
  });
  console.log(
    `vfio-user [${name}] ${label}: ${res.matched}/${res.requests} requests matched, ${res.replies} replies, ${res.efdReads} eventfd reads, ${res.mismatches.length} mismatches (${Date.now() - t} ms)${extra}`,
  );
}

async function withServer(name, counts, fn) {
  let server;
  try {
    server = await startServer(name, counts);
  } catch (e) {
    console.error(`vfio-user stage: ${e.message}`);
    process.exit(2);
  }
  try {
    await fn(server);
  } finally {
    server.child.kill("SIGTERM");
    if (server.stderr()) console.log(`vu-server ${name} stderr: ${server.stderr().trim()}`);
  }
}

for (const [di, dev] of DEVICES.entries()) {
  await withServer(dev.name, dev.counts, async (server) => {
    const device = vuServerDevice(dev.counts);
    if (di === 0) {
      runSuite(server, dev.name, "documented", plans.documented(abi), device);
      runSuite(server, dev.name, "framing", plans.framing(abi), device);
      runSuite(server, dev.name, "corpora", await plans.corpora(abi, perFamily, seed), device);
    }
    runSuite(server, dev.name, `random seed ${seed + di}`, plans.random(abi, perDevice, seed + di, dev.counts), device);
    if (di === 0) {
      // the CLI campaign against the same server: it agrees, and finds the two bugs when told they are fixed
      const c = campaignChecks({
        root,
        socket: server.socket,
        client: peer.replay,
        workDir,
        seed,
        counts: dev.counts,
        log: console.log,
      });
      if (!c.ok) failed = true;
    }
  });
}

// A server whose REQ count is 2 closes what is not an fd when its first client leaves
// (LVU_BUG_ERR_REQ_ARRAY) and crashes; the model refuses to predict such a server and says why.
await (async () => {
  const counts = [1, 4, 16, 1, 2];
  const gap = vuModelGap(vuServerDevice(counts));
  const server = await startServer("req2", counts);
  const exited = new Promise((resolve) => server.child.once("exit", (code, sig) => resolve(sig ?? `exit ${code}`)));
  // the handshake as any client sends it (planned on a device the model follows), then close
  const steps = [{ kind: "connect" }, hello(), { kind: "close" }];
  runClient(peer.replay, plan(new VfioUserModel(vuServerDevice()), steps, server.socket).script);
  const how = await Promise.race([exited, new Promise((resolve) => setTimeout(() => resolve(null), 5000))]);
  server.child.kill("SIGKILL");
  const ok = how === "SIGSEGV" && /LVU_BUG_ERR_REQ_ARRAY/.test(gap ?? "");
  console.log(
    `vfio-user [req2] one connection to a server with REQ count 2: the server ${how ? `ended (${how})` : "is still running"}; the model refuses it: ${gap ?? "no"}${ok ? "" : " - FAIL (want SIGSEGV and LVU_BUG_ERR_REQ_ARRAY)"}`,
  );
  if (!ok) failed = true;

  // `vfio-abi vfio-user --probe` against such a server: its first connection's close ends the
  // server; the probe must say so and name the bug from the counts it read, not just "cannot connect"
  const fresh = await startServer("req2-probe", counts);
  const probed = spawnSync(
    process.execPath,
    [path.join(root, "bin", "vfio-abi.js"), "vfio-user", "--probe", "--socket", fresh.socket, "--client", peer.replay],
    { encoding: "utf8" },
  );
  fresh.child.kill("SIGKILL");
  const named =
    probed.status === 2 &&
    /stopped taking connections/.test(probed.stderr) &&
    /irq counts 1, 4, 16, 1, 2/.test(probed.stderr) &&
    /LVU_BUG_ERR_REQ_ARRAY/.test(probed.stderr);
  console.log(
    `vfio-user [req2] --probe: exit ${probed.status}: ${probed.stderr.trim()}${named ? "" : " - FAIL (want exit 2 naming the crash and LVU_BUG_ERR_REQ_ARRAY)"}`,
  );
  if (!named) failed = true;
})();

// each reproducer on a fresh server shaped like its device
for (const file of reproFiles) {
  const r = parseRepro(fs.readFileSync(file, "utf8"), file);
  const bug = bugOf(r);
  if (!bug) {
    console.log(`vfio-user: ${file} names no bug ("explained by: RULE")`);
    failed = true;
  }
  const counts = [0, 1, 2, 3, 4].map((i) => r.device.irqs.find((q) => q.index === i)?.count ?? 0);
  await withServer("repro", counts, (server) =>
    runSuite(server, "repro", `reproducer ${path.basename(file)}`, r.steps, r.device, bug),
  );
}

const top = [...totals.rules.entries()]
  .sort((a, b) => b[1] - a[1])
  .map(([k, v]) => `${k} ${v}`)
  .join(", ");
console.log(`vfio-user: rules seen: ${top}`);
for (const m of totals.mismatches.slice(0, 40))
  console.log(`MISMATCH [${m.device}] ${m.suite}: ${m.note} (${m.what}, rule ${m.rule ?? "-"})\n  ${explain(m)}`);
console.log(
  `vfio-user: ${totals.matched}/${totals.requests} requests matched, ${totals.replies} replies, ${totals.efdReads} eventfd reads, ${totals.mismatches.length} mismatches, ${((Date.now() - t0) / 1000).toFixed(1)} s`,
);
if (totals.requests < 10000) {
  console.log(`vfio-user: only ${totals.requests} requests (want >= 10000)`);
  failed = true;
}
process.exit(failed || totals.mismatches.length ? 1 : 0);
