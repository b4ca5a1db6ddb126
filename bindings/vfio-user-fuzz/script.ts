// Steps a vfio-user client takes, turned into a replay-client script with the model's prediction
// of every transcript line, and the comparison of a transcript with those predictions.
//
// The script and the transcript have one line per line (see native/vu-replay.c), so the i-th
// transcript line answers the i-th expectation; a server that sends more or fewer replies than the
// model predicts shows up as mismatching RECV lines.
import { encodeMessage, inspectMessage } from "../vfio-user.js";
import { fromHex, toHex } from "../hex.js";
import { toJSONValue } from "../json.js";
import { VFIO_USER_VERSION } from "../generated/constants.js";
import { parseFdList } from "../oracle/model/device.js";
import { LVU_MAJOR, LVU_MAX_DATA_XFER, LVU_MINOR, type VfioUserModel } from "../oracle/model/vfio-user.js";

/** What a client does, in order. */
export type Step =
  | { kind: "connect"; note?: string }
  | { kind: "send"; bytes: Uint8Array; fds: number[]; note?: string }
  | { kind: "efd"; fd: number; note?: string }
  | { kind: "close"; note?: string }
  /** close, connect again and negotiate (one unit for the shrinker) */
  | { kind: "reconnect"; note?: string }
  /** read every eventfd of the environment, results not compared (a clean slate between attempts) */
  | { kind: "drain"; note?: string };

export type Expected = "connect" | "send" | "reply" | "close" | "eventfd" | "drain";

export interface Expectation {
  /** The transcript line the model predicts. */
  line: string;
  /** Index of the step in the list given to plan(). */
  step: number;
  what: Expected;
  /** The model's rule for a reply (or CLIENT_SEND / CONNECTION_RESET). */
  rule: string | null;
}

export interface Mismatch {
  step: number;
  what: Expected;
  rule: string | null;
  expected: string;
  got: string;
}

export interface CheckResult {
  /** Messages sent (send steps). */
  requests: number;
  /** Send steps whose every line matched. */
  matched: number;
  replies: number;
  efdReads: number;
  mismatches: Mismatch[];
  /** How often each model rule was predicted. */
  rules: Map<string, number>;
}

const RECV_MS = 2000;
export const HELLO_MSG_ID = 0xfffe;

/** The VERSION request every connection starts with. */
export function hello(msgId = 0): Step {
  return {
    kind: "send",
    note: "VERSION handshake",
    fds: [],
    bytes: encodeMessage({
      msg_id: msgId,
      command: VFIO_USER_VERSION,
      body: {
        major: LVU_MAJOR,
        minor: LVU_MINOR,
        json: { capabilities: { max_msg_fds: 8, max_data_xfer_size: LVU_MAX_DATA_XFER } },
      },
    }),
  };
}

/** The script for `steps` and the model's expectation of every transcript line. */
export function plan(
  model: VfioUserModel,
  steps: Step[],
  socket: string,
): { script: string; expect: Expectation[]; lines: string[] } {
  const lines: string[] = [],
    expect: Expectation[] = [];
  const eventfds = parseFdList(model.device.fds?.eventfds ?? model.device.eventfds ?? "100-131");
  const want = (line: string, expected: string, step: number, what: Expected, rule: string | null = null) => {
    lines.push(line);
    expect.push({ line: expected, step, what, rule });
  };
  const connect = (i: number) => {
    want(`CONNECT ${socket} 5000`, "CONNECT ok", i, "connect");
    model.connect();
  };
  const send = (i: number, bytes: Uint8Array, fds: number[]) => {
    const p = model.send(bytes, fds);
    want(
      `SEND ${toHex(bytes)}${fds.length ? ` ${fds.join(",")}` : ""}`,
      p.sendError ? `SEND err ${p.sendError}` : `SEND ${bytes.length}`,
      i,
      "send",
      p.sendError ? "CLIENT_SEND" : null,
    );
    if (p.sendError) return;
    for (const r of p.replies) want(`RECV ${RECV_MS}`, `RECV ${toHex(r.bytes)} fds=${r.fds}`, i, "reply", r.rule);
    if (p.closed) {
      // the server dropped the connection: the client sees EOF, then connects and negotiates again
      want("RECV 1000", "RECV eof", i, "close", "CONNECTION_RESET");
      want("CLOSE", "CLOSE ok", i, "close");
      connect(i);
      send(i, (hello(HELLO_MSG_ID) as { bytes: Uint8Array }).bytes, []);
    }
  };
  const close = (i: number) => {
    want("CLOSE", "CLOSE ok", i, "close");
    model.disconnect();
  };
  steps.forEach((step, i) => {
    switch (step.kind) {
      case "connect":
        return connect(i);
      case "close":
        return close(i);
      case "reconnect":
        close(i);
        connect(i);
        return send(i, (hello(HELLO_MSG_ID) as { bytes: Uint8Array }).bytes, []);
      case "efd": {
        const e = model.eventfdRead(step.fd);
        return want(`EFD ${step.fd}`, e.errno ? `EFD ${step.fd} EAGAIN` : `EFD ${step.fd} ${e.count}`, i, "eventfd");
      }
      case "drain":
        for (const fd of eventfds) {
          model.eventfdRead(fd);
          want(`EFD ${fd}`, "", i, "drain");
        }
        return;
      case "send":
        return send(i, step.bytes, step.fds);
    }
  });
  // `lines` answer `expect` one to one; the script ends the client run after them
  return { script: `${[...lines, "QUIT"].join("\n")}\n`, expect, lines };
}

/** Compare a transcript with the expectations (drain lines are not compared). */
export function check(expect: Expectation[], transcript: string[]): CheckResult {
  const res: CheckResult = { requests: 0, matched: 0, replies: 0, efdReads: 0, mismatches: [], rules: new Map() };
  const bad = new Set<number>(),
    sends = new Set<number>();
  expect.forEach((e, i) => {
    if (e.what === "drain") return;
    const got = transcript[i] ?? "(transcript ended)";
    if (e.what === "send") sends.add(e.step);
    if (e.what === "reply") res.replies++;
    if (e.what === "eventfd") res.efdReads++;
    if (e.rule) res.rules.set(e.rule, (res.rules.get(e.rule) ?? 0) + 1);
    if (got !== e.line) {
      bad.add(e.step);
      res.mismatches.push({ step: e.step, what: e.what, rule: e.rule, expected: e.line, got });
    }
  });
  res.requests = [...expect].filter((e) => e.what === "send").length;
  res.matched = res.requests - expect.filter((e) => e.what === "send" && bad.has(e.step)).length;
  return res;
}

/** A transcript line in words: a RECV line as the decoded message, others as they are. */
export function describeLine(line: string): string {
  const m = /^RECV ([0-9a-f]+) fds=(\d+)$/.exec(line);
  if (!m) return line;
  const r = inspectMessage(fromHex(m[1]));
  const v = r.value as Record<string, unknown> & {
    $?: { message?: { command?: string; type?: string; errno?: string } };
  };
  const meta = v.$?.message;
  const body = v.body as Record<string, unknown> | Uint8Array | undefined;
  const bodyText =
    body === undefined
      ? "-"
      : JSON.stringify(toJSONValue(body instanceof Uint8Array ? body : { ...body, $: undefined }));
  return `${meta?.command ?? v.command} ${meta?.type ?? ""}${meta?.errno ? ` ${meta.errno}` : ""} id=${v.msg_id} body=${bodyText} fds=${m[2]}`;
}

/** "expected X | got Y" in words. */
export const explain = (m: Mismatch): string => `expected ${describeLine(m.expected)} | got ${describeLine(m.got)}`;

/** The command of a message by its name (its number when it has none or the header is short). */
export function commandName(bytes: Uint8Array): string {
  const v = inspectMessage(bytes).value as { command?: number; $?: { message?: { command?: string } } };
  return v.$?.message?.command ?? `command ${v.command ?? "?"}`;
}

/** A send step in words (the message decoded). */
export function describeStep(step: Step): string {
  if (step.kind === "efd") return `read eventfd ${step.fd}`;
  if (step.kind !== "send") return step.kind;
  const r = inspectMessage(step.bytes);
  const v = r.value as Record<string, unknown> & { $?: { message?: { command?: string } } };
  const body = v.body as Record<string, unknown> | Uint8Array | undefined;
  const bodyText =
    body === undefined
      ? ""
      : ` ${JSON.stringify(toJSONValue(body instanceof Uint8Array ? body : { ...body, $: undefined }))}`;
  const fds = step.fds.length ? ` fds ${step.fds.join(",")}` : "";
  return `${v.$?.message?.command ?? `command ${v.command}`}${bodyText}${fds}${r.ok ? "" : ` (${r.diagnostics.find((d) => d.severity === "error")?.code ?? "bad framing"})`}`;
}
