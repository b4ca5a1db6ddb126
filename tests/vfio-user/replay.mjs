// Replay steps against a vfio-user server with vu-replay and check every answer against the
// libvfio-user model: the script is built with the model's predictions (how many replies to read,
// when the server closes), the transcript is compared line by line.
//
// A step: { kind: 'connect' } | { kind: 'send', bytes, fds, note } | { kind: 'efd', fd, note } |
//         { kind: 'close' }. After a predicted close the driver reconnects and negotiates again.
import { spawnSync } from "node:child_process";

const RECV_MS = 2000;

/** The VERSION handshake every connection starts with (codec-built). */
export function hello(abi, msgId = 0) {
  return {
    kind: "send",
    note: "VERSION handshake",
    fds: [],
    bytes: abi.encodeMessage({
      msg_id: msgId,
      command: "VERSION",
      body: { major: 0, minor: 2, json: { capabilities: { max_msg_fds: 8, max_data_xfer_size: 1048576 } } },
    }),
  };
}

/**
 * Build the script and the expectations for `steps` on a fresh model. Returns { script, expect }:
 * expect[i] = { line (the transcript line it must equal, or a predicate), step, what, rule }.
 */
export function plan(abi, model, steps, socket) {
  const lines = [],
    expect = [];
  const want = (line, match, step, what, rule = null) => {
    lines.push(line);
    expect.push({ match, step, what, rule });
  };
  const connect = (step) => {
    want(`CONNECT ${socket} 5000`, "CONNECT ok", step, "connect");
    model.connect();
  };
  const sendOne = (step) => {
    const p = model.send(step.bytes, step.fds ?? []);
    want(
      `SEND ${abi.toHex(step.bytes)}${step.fds?.length ? ` ${step.fds.join(",")}` : ""}`,
      p.sendError ? `SEND err ${p.sendError}` : `SEND ${step.bytes.length}`,
      step,
      "send",
      p.sendError ? "CLIENT_SEND" : null,
    );
    if (p.sendError) return;
    for (const r of p.replies)
      want(`RECV ${RECV_MS}`, `RECV ${abi.toHex(r.bytes)} fds=${r.fds}`, step, "reply", r.rule);
    if (p.closed) {
      want("RECV 1000", "RECV eof", step, "close", "CONNECTION_RESET");
      want("CLOSE", "CLOSE ok", step, "close");
      connect(step);
      sendOne({ ...hello(abi, 0xfffe), note: "VERSION after reconnect" });
    }
  };
  for (const step of steps) {
    if (step.kind === "connect") connect(step);
    else if (step.kind === "close") {
      want("CLOSE", "CLOSE ok", step, "close");
      model.disconnect();
    } else if (step.kind === "efd") {
      const e = model.eventfdRead(step.fd);
      want(`EFD ${step.fd}`, e.errno ? `EFD ${step.fd} EAGAIN` : `EFD ${step.fd} ${e.count}`, step, "eventfd");
    } else sendOne(step);
  }
  lines.push("QUIT");
  return { script: `${lines.join("\n")}\n`, expect };
}

/** Run vu-replay on a script; the transcript's lines. */
export function runScript(replayBin, script, timeoutMs = 600_000) {
  const r = spawnSync(replayBin, ["-"], { input: script, encoding: "utf8", maxBuffer: 1 << 30, timeout: timeoutMs });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`vu-replay exited ${r.status}: ${r.stderr}`);
  return r.stdout.split("\n").filter((l) => l.length);
}

/** Compare a transcript with the expectations. */
export function check(abi, expect, transcript) {
  const res = { requests: 0, matched: 0, replies: 0, efdReads: 0, mismatches: [], rules: new Map() };
  const bad = new Set();
  expect.forEach((e, i) => {
    const got = transcript[i] ?? "(transcript ended)";
    if (e.what === "send" && e.step.kind === "send") res.requests++;
    if (e.what === "reply") res.replies++;
    if (e.what === "eventfd") res.efdReads++;
    if (e.rule) res.rules.set(e.rule, (res.rules.get(e.rule) ?? 0) + 1);
    if (got !== e.match) {
      bad.add(e.step);
      res.mismatches.push({
        step: e.step,
        note: e.step.note,
        what: e.what,
        rule: e.rule,
        expected: e.match,
        got,
        explain: explain(abi, e.match, got),
      });
    }
  });
  const sends = new Set(expect.filter((e) => e.what === "send").map((e) => e.step));
  res.matched = [...sends].filter((s) => !bad.has(s)).length;
  return res;
}

/** Decode both sides of a reply mismatch into readable text. */
function explain(abi, expected, got) {
  const msg = (line) => {
    const m = /^RECV ([0-9a-f]+) fds=(\d+)$/.exec(line);
    if (!m) return line;
    const r = abi.inspect("vfio_user_message", abi.fromHex(m[1]));
    const v = r.value;
    return `${v.$?.message?.command ?? v.command} ${v.$?.message?.type ?? ""} id=${v.msg_id} ${v.$?.message?.errno ?? ""} body=${v.body ? JSON.stringify(abi.toJSONValue(v.body.$ ? { ...v.body, $: undefined } : v.body)) : "-"} fds=${m[2]}`;
  };
  return `expected ${msg(expected)} | got ${msg(got)}`;
}
