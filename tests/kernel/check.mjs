// Scripts and checks of the differential campaigns. A segment ({ device, env, items }) becomes
// FDS + OPEN + one line per item + CLOSE in the replay script; every line produces exactly one
// record in the transcript, so records are matched to items by position. Each item's kernel answer
// is compared with what the device model predicts: ret and errno, reply bytes, the 256 guard bytes
// after the buffer, eventfd counters, and that every reply decodes and re-encodes byte for byte.
import { formatFds } from "./walk.mjs";

const GUARD = 256,
  GUARD_BYTE = 0xa5;
export const TAIL = new Uint8Array(GUARD).fill(GUARD_BYTE);
const STRUCT = {
  DEVICE_SET_IRQS: "vfio_irq_set",
  DEVICE_GET_IRQ_INFO: "vfio_irq_info",
  DEVICE_GET_REGION_INFO: "vfio_region_info",
  DEVICE_GET_INFO: "vfio_device_info",
};
/** Items that are device ioctls (the "requests" of a campaign); the others are eventfd and region accesses. */
export const isRequest = (it) => it.ioctl.startsWith("DEVICE_");

const hex = (b) => Buffer.from(b.buffer, b.byteOffset, b.length).toString("hex");

/** The replay line of one item. */
export function scriptLine(it) {
  switch (it.ioctl) {
    case "DEVICE_RESET":
      return "DEVICE_RESET";
    case "EFD_READ":
      return `EFD_READ ${it.efd}`;
    case "FD_READ":
      return `FD_READ ${it.fd}`;
    case "FD_WRITE":
      return `FD_WRITE ${it.fd}`;
    case "REGION_WRITE":
      return `REGION_WRITE ${it.region} ${it.offset} ${hex(it.bytes)}`;
    default:
      return `${it.ioctl} ${hex(it.bytes)}`;
  }
}

/** The lines a segment adds to a script (its first line resets the fd environment). */
export function segmentLines(seg) {
  return [
    `FDS ${formatFds(seg.env.eventfds)} ${formatFds(seg.env.files)}`,
    `OPEN ${seg.device.bdf}`,
    ...seg.items.map(scriptLine),
    "CLOSE",
  ];
}

/** A whole boot's script: compact replies, then the segments. */
export function buildScript(segments, header = []) {
  return [...header.map((h) => `# ${h}`), "MODE compact", ...segments.flatMap(segmentLines), "QUIT", ""].join("\n");
}

/** The guard as the replay program reports it, from predicted memory after the buffer. */
function guardOf(after, toHex) {
  let first = -1,
    last = -1;
  for (let i = 0; i < after.length; i++)
    if (after[i] !== GUARD_BYTE) {
      if (first < 0) first = i;
      last = i;
    }
  return first < 0 ? "ok" : { clobberedAt: first, bytesHex: toHex(after.subarray(first, last + 1)) };
}

function roundTrip(api, struct, bytes, epoch, requestBytes) {
  const prof = { epoch };
  let d;
  try {
    d = api.decode(struct, bytes, prof);
  } catch (e) {
    // the decoder may reject a buffer; then it must also reject the request (same malformation)
    try {
      api.decode(struct, requestBytes, prof);
    } catch {
      return null;
    }
    return `reply rejected by decode (${e.message}) but the request decodes`;
  }
  const again = api.toHex(api.encode(struct, d, prof));
  return again === api.toHex(bytes) ? null : `re-encode ${again} != ${api.toHex(bytes)}`;
}

/**
 * The model state a request meets, as a short key (interrupt type and vectors, INTx mask, the
 * device's line, the unmask irqfd, ERR/REQ triggers): the campaign summary counts them, so it
 * shows which states the walks reached.
 */
export function stateKey(model) {
  const s = model.describeState();
  const parts = [s.irqType === "none" ? "none" : s.irqType === "INTx" ? "INTx" : `${s.irqType}x${s.vectors}`];
  if (s.irqType === "INTx") parts.push(model.intxMasked ? "masked" : "unmasked");
  if (model.line.level) parts.push("line");
  if (s.intxUnmaskFd) parts.push("irqfd");
  if (s.err) parts.push("err");
  if (s.req) parts.push("req");
  return parts.join("/");
}

function countState(stats, model) {
  const k = stateKey(model);
  stats.states[k] = (stats.states[k] ?? 0) + 1;
}

/** Fresh per-kernel counters. */
export function newStats() {
  return {
    requests: 0,
    retErrnoMatched: 0,
    bytesMatched: 0,
    eventfdReads: 0,
    eventfdMatched: 0,
    eventfdMaybe: 0,
    otherOps: 0,
    otherMatched: 0,
    decoded: 0,
    mismatches: 0,
    byRule: {},
    firstMismatches: [],
    states: {},
  };
}

/**
 * Check one segment's records. Returns the mismatches [{ itemIndex, kind, rule, detail }] and adds
 * to `stats`. `api`: { DeviceModel, decode, encode, toHex, kernelRules }.
 */
export function checkSegment(api, kernel, seg, records, stats) {
  const model = new api.DeviceModel({ ...seg.device, kernel, eventfds: seg.env.eventfds, openFds: seg.env.files });
  const epoch = api.kernelRules(kernel) === 0 ? "6.1" : "6.6";
  const out = [];
  const expectCmd = ["FDS", "OPEN"];
  for (let i = 0; i < expectCmd.length; i++) {
    const rec = records[i];
    if (!rec || rec.cmd !== expectCmd[i] || rec.extra.err.length) {
      out.push({
        itemIndex: -1,
        kind: "harness",
        rule: "HARNESS",
        detail: `${expectCmd[i]} failed: ${rec ? rec.extra.lines.join(" | ") : "no record"}`,
      });
      return out;
    }
  }
  seg.items.forEach((it, k) => {
    countState(stats, model);
    const rec = records[k + 2];
    const bad = (kind, rule, detail) => out.push({ itemIndex: k, kind, rule, detail });
    if (!rec) return bad("harness", "HARNESS", "transcript ended");
    const cmd = it.ioctl === "EFD_READ" ? "EFD_READ" : it.ioctl;
    if (rec.cmd !== cmd) return bad("harness", "HARNESS", `expected ${cmd}, got ${rec.extra.lines.join(" | ")}`);
    if (it.ioctl === "FD_READ" || it.ioctl === "EFD_READ") checkEventfdRead(model, it, rec, stats, bad);
    else if (it.ioctl === "FD_WRITE" || it.ioctl === "REGION_WRITE") checkOtherOp(model, it, rec, stats, bad);
    else checkRequest(api, epoch, model, it, rec, stats, bad);
    return undefined;
  });
  const closeRec = records[seg.items.length + 2];
  if (closeRec?.cmd !== "CLOSE")
    out.push({ itemIndex: seg.items.length, kind: "harness", rule: "HARNESS", detail: "no CLOSE record" });
  if (out.length) stats.mismatches += out.length;
  return out;
}

/** An eventfd read: the counter the kernel gave against the model's (a range where work items may deliver). */
function checkEventfdRead(model, it, rec, stats, bad) {
  const fd = it.ioctl === "FD_READ" ? it.fd : 100 + it.efd;
  const got = rec.ret >= 0 ? rec.extra.count : 0;
  const gotErr = rec.ret < 0 ? rec.errnoName : null;
  const e = model.eventfdRead(fd, got);
  stats.eventfdReads++;
  // the model may allow a range: [count, count + maybe] signals (work-item deliveries)
  const inRange = got >= e.count && got <= e.count + e.maybe;
  const retOk = e.maybe
    ? (got > 0 ? rec.ret === 8 : gotErr === "EAGAIN") && (e.count === 0 || got > 0)
    : e.ret === rec.ret && (e.errno ?? null) === gotErr;
  if (!inRange || !retOk) {
    const pred = e.maybe ? `count ${e.count}..${e.count + e.maybe}` : (e.errno ?? `ret=${e.ret} count=${e.count}`);
    return bad(
      "eventfd",
      "EVENTFD_COUNT",
      `read ${fd}: predicted ${pred}, kernel ${gotErr ?? `ret=${rec.ret} count=${got}`}`,
    );
  }
  if (e.maybe) stats.eventfdMaybe++;
  stats.eventfdMatched++;
}

/** An eventfd write or a region write (INTx unmask): ret and errno. */
function checkOtherOp(model, it, rec, stats, bad) {
  const e = it.ioctl === "FD_WRITE" ? model.eventfdWrite(it.fd) : model.regionWrite(it.region, it.offset, it.bytes);
  stats.otherOps++;
  const gotErr = rec.ret < 0 ? rec.errnoName : null;
  if (e.ret !== rec.ret || (e.errno ?? null) !== gotErr)
    return bad("ret", it.ioctl, `predicted ret=${e.ret} ${e.errno ?? ""}, kernel ret=${rec.ret} ${gotErr ?? ""}`);
  stats.otherMatched++;
}

/** An ioctl: ret and errno, the reply bytes, the guard bytes after them, and that the reply decodes and re-encodes. */
function checkRequest(api, epoch, model, it, rec, stats, bad) {
  stats.requests++;
  const p = model.predict(`VFIO_${it.ioctl}`, it.bytes, { tail: TAIL });
  const predErrno = p.errno ?? "OK";
  const gotErrno = rec.ret < 0 ? rec.errnoName : "OK";
  const rule = it.ioctl === "DEVICE_SET_IRQS" ? p.rule : `${it.ioctl.replace("DEVICE_", "")}:${p.rule}`;
  const slot = (stats.byRule[rule] ??= { requests: 0, mismatches: 0 });
  slot.requests++;
  const problems = [];
  if (p.ret !== rec.ret || predErrno !== gotErrno)
    problems.push(["ret", `ret/errno: predicted ${p.ret} ${predErrno}, kernel ${rec.ret} ${gotErrno}`]);
  else stats.retErrnoMatched++;
  if (it.ioctl === "DEVICE_RESET") stats.bytesMatched++;
  else {
    const len = it.bytes.length;
    const predReply = api.toHex(p.after.subarray(0, len));
    const gotReply = rec.replyHex === "=" ? api.toHex(it.bytes) : rec.replyHex;
    const predGuard = guardOf(p.after.subarray(len), api.toHex);
    let ok = true;
    if (gotReply !== predReply) {
      problems.push(["reply", `reply: predicted ${predReply}, kernel ${gotReply}`]);
      ok = false;
    }
    if (JSON.stringify(rec.guard) !== JSON.stringify(predGuard)) {
      problems.push(["guard", `guard: predicted ${JSON.stringify(predGuard)}, kernel ${JSON.stringify(rec.guard)}`]);
      ok = false;
    }
    if (ok) stats.bytesMatched++;
    const rt = roundTrip(api, STRUCT[it.ioctl], Buffer.from(gotReply, "hex"), epoch, it.bytes);
    if (rt) problems.push(["codec", `codec: ${rt}`]);
    else stats.decoded++;
  }
  if (problems.length) {
    slot.mismatches++;
    bad(
      problems[0][0],
      rule,
      `${scriptLine(it)}\n      ${problems.map((x) => x[1]).join("\n      ")}\n      model: ${p.reason}`,
    );
  }
}

/** Split a transcript's records into per-segment slices (FDS .. CLOSE), after the MODE record. */
export function splitRecords(records, segments) {
  const out = [];
  let i = records[0]?.cmd === "MODE" ? 1 : 0;
  for (const seg of segments) {
    const n = seg.items.length + 3;
    out.push(records.slice(i, i + n));
    i += n;
  }
  return out;
}
