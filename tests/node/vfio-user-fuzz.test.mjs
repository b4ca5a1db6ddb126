// `vfio-abi vfio-user` without a server: the generator is seeded and sends what was asked, the
// script a plan hands the client ends once, reproducer files read back to the same steps and bad
// ones name their line, and the CLI refuses bad options before touching a socket. Against a real
// server (campaign, shrinking, finding the library's bugs, replaying reproducers) the vfio-user
// peer stage runs it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { VfioUserModel, vuServerDevice } from "../../dist/bindings/oracle/model/vfio-user.js";
import { randomSteps } from "../../dist/bindings/vfio-user-fuzz/gen.js";
import { simpler } from "../../dist/bindings/vfio-user-fuzz/campaign.js";
import { decodeMessage, encodeMessage } from "../../dist/bindings/vfio-user.js";
import * as C from "../../dist/bindings/generated/constants.js";
import { plan } from "../../dist/bindings/vfio-user-fuzz/script.js";
import { formatRepro, parseRepro, ReproError } from "../../dist/bindings/vfio-user-fuzz/repro.js";
import { LVU, RULES } from "../../dist/bindings/generated/wasm-abi.js";
import { oracle as ORACLE } from "../../schema/wasm-abi.mjs";

const bin = fileURLToPath(new URL("../../bin/vfio-abi.js", import.meta.url));
const reproDir = fileURLToPath(new URL("../vfio-user/reproducers/", import.meta.url));
const device = vuServerDevice();
const isRequest = (s) => s.kind === "send" || s.kind === "reconnect";
const hex = (s) => (s.kind === "send" ? Buffer.from(s.bytes).toString("hex") : s.kind);

test("randomSteps: seeded, one connection, the number of requests asked for", () => {
  for (const [count, seed] of [
    [1, 1],
    [200, 7],
    [500, 0xffffffff],
  ]) {
    const a = randomSteps(device, count, seed);
    assert.deepEqual(a.map(hex), randomSteps(device, count, seed).map(hex), "same seed, same steps");
    assert.notDeepEqual(a.map(hex), randomSteps(device, count, seed + 1).map(hex), "another seed, other steps");
    assert.equal(a[0].kind, "connect");
    assert.equal(a.at(-1).kind, "close");
    // the handshake is not one of the `count`
    assert.equal(a.filter(isRequest).length - 1, count);
  }
});

test("plan: one expectation per script line, the script ends with one QUIT", () => {
  const steps = randomSteps(device, 300, 3);
  const p = plan(new VfioUserModel(device), steps, "/tmp/none.sock");
  const lines = p.script.trimEnd().split("\n");
  assert.equal(lines.at(-1), "QUIT");
  assert.equal(lines.filter((l) => l === "QUIT").length, 1);
  assert.equal(p.lines.length, p.expect.length);
  assert.deepEqual(lines.slice(0, -1), p.lines);
});

test("reproducer files: format and parse give back the steps; bad files name the line", () => {
  const steps = [...randomSteps(device, 40, 11), { kind: "drain" }, { kind: "reconnect" }, { kind: "efd", fd: 101 }];
  const text = formatRepro({ device, steps, why: ["a test"] });
  const back = parseRepro(text, "t.txt");
  assert.deepEqual(back.steps.map(hex), steps.map(hex));
  assert.deepEqual(
    back.steps.filter((s) => s.kind === "send").map((s) => s.fds),
    steps.filter((s) => s.kind === "send").map((s) => s.fds),
  );
  assert.deepEqual(back.why, ["a test"]);
  assert.deepEqual(back.device.irqs, device.irqs);
  const bad = (t, re) =>
    assert.throws(
      () => parseRepro(t, "bad.txt"),
      (e) => e instanceof ReproError && re.test(e.message),
    );
  const dev = `DEVICE ${JSON.stringify(device)}`;
  bad("CONNECT\n", /no DEVICE line/);
  bad(`${dev}\nCONNECT\nSEND 0a0\n`, /bad\.txt:3: SEND needs the message in hex/);
  bad(`${dev}\nCONNECT\nSEND 00 1,x\n`, /bad\.txt:3: bad fd list/);
  bad(`${dev}\nCONNECT\nPOKE\n`, /bad\.txt:3: unknown line POKE/);
  bad(`${dev}\nSEND 00\n`, /must start with CONNECT/);
  bad(`DEVICE ${JSON.stringify({ ...device, driver: "vfio-pci" })}\nCONNECT\n`, /libvfio-user description/);
  bad(`DEVICE {"driver":"libvfio-user"}\nCONNECT\n`, /bad\.txt:1: bad DEVICE line/);
});

test("the stage's bug reproducers: each names one library bug rule and parses", () => {
  const bugs = RULES.filter((r) => r.name.startsWith("LVU_BUG_")).map((r) => r.name);
  const files = readdirSync(reproDir).filter((f) => f.endsWith(".txt"));
  assert.deepEqual(files.map((f) => f.replace(/\.txt$/, "")).sort(), [...bugs].sort(), "one reproducer per bug rule");
  for (const f of files) {
    const r = parseRepro(readFileSync(reproDir + f, "utf8"), f);
    assert.ok(r.why.includes(r.why.find((w) => w.startsWith(`explained by: ${f.replace(/\.txt$/, "")} `))), f);
    assert.equal(r.device.fixed, undefined, `${f}: replayed on the full model`);
  }
});

const cli = (...args) => spawnSync(process.execPath, [bin, "vfio-user", ...args], { encoding: "utf8" });

test("vfio-abi vfio-user: usage errors exit 2 before any socket is touched", () => {
  const help = cli("--help");
  assert.equal(help.status, 0);
  for (const b of RULES.filter((r) => r.name.startsWith("LVU_BUG_"))) assert.match(help.stdout, new RegExp(b.name));
  const cases = [
    [[], /--socket PATH is required/],
    [["--socket", "/nonexistent.sock", "--fixed", "LVU_NOPE"], /--fixed LVU_NOPE: not a libvfio-user bug rule/],
    [["--socket", "/nonexistent.sock", "--requests", "0"], /--requests must be an integer from 1/],
    [["--socket", "/nonexistent.sock", "--seed", "x"], /--seed must be an integer/],
    [["--bogus"], /Unknown option/],
    [["--replay", "/nonexistent.txt", "--client", "/nonexistent-client"], /no such file|ENOENT/],
  ];
  for (const [args, re] of cases) {
    const r = cli(...args);
    assert.equal(r.status, 2, `${args.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, re);
  }
});

test("the peer stage without a libvfio-user snapshot says it did not run and how to enable it (exit 3)", () => {
  const stage = fileURLToPath(new URL("../vfio-user/run.mjs", import.meta.url));
  const r = spawnSync(process.execPath, [stage], {
    encoding: "utf8",
    env: { ...process.env, VFIO_ABI_PEERS: "/nonexistent-peers-dir" },
  });
  assert.equal(r.status, 3, r.stderr);
  assert.match(r.stdout, /DID NOT RUN: \/nonexistent-peers-dir does not exist/);
  assert.match(r.stdout, /to enable it: set VFIO_ABI_PEERS/);
});

test("the libvfio-user part of the device block: its words lie after the base block and do not overlap", () => {
  const end = (xs) => Math.max(...xs.map((x) => x.word + x.words));
  const base = end(ORACLE.device);
  const L = Object.fromEntries(ORACLE.libvfioUser.map((x) => [x.name, x.value]));
  assert.ok(L.LVU_MSG_NFDS >= base, "LVU_MSG_NFDS after the base block");
  assert.ok(L.LVU_MSG_KINDS > L.LVU_MSG_NFDS);
  assert.ok(L.LVU_MSG_KINDS + L.LVU_MAX_FDS <= L.LVU_TABLE, "the fd kinds end before the table");
  const slots = [L.LVU_SLOT_ERR, L.LVU_SLOT_REQ, L.LVU_SLOT_INTX];
  assert.equal(new Set(slots).size, 3);
  for (const s of slots) assert.ok(s >= L.LVU_SLOTS, "the ERR/REQ/INTx slots follow the vector slots");
  assert.ok(L.LVU_TABLE * 4 + Math.max(...slots) + 1 <= L.LVU_WORDS * 4, "the table ends inside LVU_WORDS");
});

test("simpler: a SET_IRQS message shrinks its range with its fds or DATA_BOOL bytes; other messages do not", () => {
  const { VFIO_IRQ_SET_DATA_EVENTFD, VFIO_IRQ_SET_DATA_BOOL, VFIO_IRQ_SET_ACTION_TRIGGER } = C;
  const { VFIO_PCI_MSIX_IRQ_INDEX: MSIX, VFIO_USER_DEVICE_SET_IRQS: SET, VFIO_USER_DEVICE_GET_INFO } = C;
  const send = (body, fds = []) => ({ kind: "send", fds, bytes: encodeMessage({ msg_id: 9, command: SET, body }) });
  const body = (s) => decodeMessage(s.bytes).body;
  const ev = send(
    { flags: VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER, index: MSIX, start: 2, count: 4 },
    [100, 101, 102, 103],
  );
  const got = simpler(ev).map((s) => [body(s).start, body(s).count, s.fds.join(",")]);
  assert.deepEqual(got, [
    [2, 1, "100"],
    [5, 1, "103"],
    [2, 2, "100,101"],
    [0, 4, "100,101,102,103"],
  ]);
  for (const s of simpler(ev)) assert.equal(decodeMessage(s.bytes).msg_id, 9);
  const bool = send({
    flags: VFIO_IRQ_SET_DATA_BOOL | VFIO_IRQ_SET_ACTION_TRIGGER,
    index: MSIX,
    start: 0,
    count: 3,
    data: [1, 0, 2],
  });
  assert.deepEqual(
    simpler(bool).map((s) => [...body(s).data]),
    [[1], [2], [1]],
  );
  const info = {
    kind: "send",
    fds: [],
    bytes: encodeMessage({ msg_id: 1, command: VFIO_USER_DEVICE_GET_INFO, body: { argsz: 16 } }),
  };
  assert.deepEqual(simpler(info), []);
  assert.deepEqual(simpler({ kind: "efd", fd: 100 }), []);
  assert.deepEqual(simpler({ kind: "send", fds: [], bytes: new Uint8Array(3) }), [], "bad framing stays as it is");
});

/**
 * What a run of steps makes the libvfio-user model go through: per irq index, eventfds installed
 * where there were none (enable), more (grow), fewer (shrink), none left (disable); DATA_NONE and
 * DATA_BOOL triggers that signal an eventfd; the kinds of fds sent; the model's rules.
 */
function statesReached(dev, steps) {
  const names = ["INTx", "MSI", "MSI-X", "ERR", "REQ"];
  const m = new VfioUserModel(dev);
  const installed = () => {
    // the fd table as the oracle keeps it: one byte per slot, fd kind | owner index << 2
    const n = [0, 0, 0, 0, 0];
    for (const b of new Uint8Array(m.state.buffer, LVU.LVU_TABLE * 4, LVU.LVU_SLOT_INTX + 1)) if (b & 3) n[b >> 2]++;
    return n;
  };
  const kinds = {
    [LVU.FD_EVENTFD]: "eventfd",
    [LVU.FD_READONLY]: "read-only file",
    [LVU.FD_WRITABLE]: "writable file",
  };
  const signals = () => [...m.counts.values()].reduce((a, b) => a + b, 0);
  const seen = new Set();
  for (const s of steps) {
    const before = installed(),
      sig = signals();
    const p = plan(m, [s], "/tmp/none.sock");
    for (const e of p.expect) if (e.rule) seen.add(`rule ${e.rule}`);
    if (s.kind === "reconnect" && before.some(Boolean)) seen.add("reconnect with fds installed");
    if (s.kind !== "send") continue;
    for (const fd of s.fds) seen.add(`fd ${kinds[m.fdKind(fd)] ?? "closed"}`);
    const dv = new DataView(s.bytes.buffer, s.bytes.byteOffset, s.bytes.byteLength);
    const at = C.O_VFIO_USER_MESSAGE__BODY;
    if (s.bytes.length < at + C.SIZEOF_VFIO_IRQ_SET) continue;
    if (dv.getUint16(C.O_VFIO_USER_MESSAGE__COMMAND, true) !== C.VFIO_USER_DEVICE_SET_IRQS) continue;
    const flags = dv.getUint32(at + C.O_VFIO_IRQ_SET__FLAGS, true),
      index = dv.getUint32(at + C.O_VFIO_IRQ_SET__INDEX, true);
    const after = installed();
    names.forEach((name, i) => {
      if (after[i] > before[i]) seen.add(`${name} ${before[i] ? "grow" : "enable"}`);
      if (after[i] < before[i]) seen.add(`${name} ${after[i] ? "shrink" : "disable"}`);
    });
    const dt = flags & C.VFIO_IRQ_SET_DATA_TYPE_MASK;
    if (signals() > sig)
      seen.add(`${names[index]} ${dt === C.VFIO_IRQ_SET_DATA_BOOL ? "DATA_BOOL" : "DATA_NONE"} signals`);
  }
  return seen;
}

test("randomSteps reaches every state: enable/grow/shrink/disable, ERR/REQ, NONE/BOOL/EVENTFD, fds of each kind, both bugs", () => {
  const want = (names, what) => names.flatMap((n) => what.map((w) => `${n} ${w}`));
  const everywhere = [
    ...want(["INTx", "MSI", "MSI-X", "ERR", "REQ"], ["enable", "disable", "DATA_NONE signals", "DATA_BOOL signals"]),
    ...want(["MSI", "MSI-X"], ["grow", "shrink"]),
    ...["eventfd", "read-only file", "writable file", "closed"].map((k) => `fd ${k}`),
    "reconnect with fds installed",
    // a trigger on a read-only file fails; fds with NONE/BOOL; the wrong number of fds; ERR/REQ limits
    ...["LVU_TRIGGER_FD", "LVU_FDS_NOT_EVENTFD", "LVU_FDS", "LVU_ERR_REQ", "LVU_COUNT0", "LVU_BOOL_LEN"].map(
      (r) => `rule ${r}`,
    ),
    ...["LVU_BUG_DISABLE_RANGE", "LVU_BUG_INTX_SHARED"].map((r) => `rule ${r}`),
  ];
  const closed = [77, 99, 150];
  for (const [counts, extra] of [
    [[1, 4, 16, 1, 1], []],
    // several INTx lines share the MSI/MSI-X slots 0..3: they grow and shrink too
    [[4, 8, 8, 1, 1], want(["INTx"], ["grow", "shrink"])],
  ]) {
    const dev = vuServerDevice(counts);
    const seen = statesReached(dev, randomSteps(dev, 3500, 20250611, closed));
    const missing = [...everywhere, ...extra].filter((k) => !seen.has(k));
    assert.deepEqual(missing, [], `device ${counts}: the generator never reached these`);
  }
});

test("LVU_BUG_ERR_REQ_ARRAY: with ERR count 2 a whole-ERR disable closes REQ's eventfd; the model refuses servers it cannot follow", async () => {
  const { builders } = await import("../../dist/bindings/vfio-user-fuzz/gen.js");
  const { hello } = await import("../../dist/bindings/vfio-user-fuzz/script.js");
  const { vuModelGap } = await import("../../dist/bindings/oracle/model/vfio-user.js");
  const b = builders();
  const T = C.VFIO_IRQ_SET_ACTION_TRIGGER;
  const [ERR, REQ] = [C.VFIO_PCI_ERR_IRQ_INDEX, C.VFIO_PCI_REQ_IRQ_INDEX];
  const efd = 101;
  const steps = [
    { kind: "connect" },
    hello(),
    b.setIrqs("REQ eventfd", { flags: C.VFIO_IRQ_SET_DATA_EVENTFD | T, index: REQ, count: 1 }, [efd]),
    b.setIrqs("disable all of ERR", { flags: C.VFIO_IRQ_SET_DATA_NONE | T, index: ERR, count: 0 }),
    b.setIrqs("REQ trigger", { flags: C.VFIO_IRQ_SET_DATA_NONE | T, index: REQ, count: 1 }),
    { kind: "efd", fd: efd },
  ];
  const last = (dev) => plan(new VfioUserModel(dev), steps, "/tmp/none.sock").expect;
  const err2 = vuServerDevice([0, 0, 0, 2, 1]);
  const buggy = last(err2),
    fixed = last({ ...err2, fixed: ["LVU_BUG_ERR_REQ_ARRAY"] });
  assert.ok(
    buggy.some((e) => e.rule === "LVU_BUG_ERR_REQ_ARRAY"),
    "the disable names the bug",
  );
  assert.equal(buggy.at(-1).line, `EFD ${efd} EAGAIN`, "REQ's eventfd was closed with ERR's");
  assert.equal(fixed.at(-1).line, `EFD ${efd} 1`);
  // with ERR count 1 the disable stays on ERR's eventfd: no difference, no rule
  const one = last(vuServerDevice([0, 0, 0, 1, 1]));
  assert.equal(one.at(-1).line, `EFD ${efd} 1`);
  assert.ok(!one.some((e) => e.rule === "LVU_BUG_ERR_REQ_ARRAY"));
  // servers the model cannot follow are refused with the reason, before anything is predicted
  for (const [counts, re] of [
    [[1, 1, 4096, 1, 1], /4096 vectors.*at most 2048/],
    [[1, 1, 16, 1, 2], /REQ count 2.*LVU_BUG_ERR_REQ_ARRAY/],
    [[1, 1, 16, 3, 1], /ERR count 3/],
  ]) {
    assert.match(vuModelGap(vuServerDevice(counts)), re);
    assert.throws(() => new VfioUserModel(vuServerDevice(counts)), re);
  }
  assert.equal(vuModelGap(vuServerDevice([1, 1, 16, 1, 2], { fixed: ["LVU_BUG_ERR_REQ_ARRAY"] })), null);
  assert.equal(vuModelGap(vuServerDevice([1, 32, 2048, 2, 1])), null);
});
