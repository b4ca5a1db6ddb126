// Checking a foreign-architecture transcript against the device-state model, request by request:
// ret and errno, the reply bytes and the guard after the buffer, the eventfd counters, and the codec
// (every reply decodes and re-encodes to the same bytes in the guest's byte order, or is rejected
// exactly when the request itself is).
import { DeviceModel, decode, encode, toHex } from "../../../dist/bindings/index.js";

const GUARD = 256,
  GUARD_BYTE = 0xa5;
const STRUCT = {
  DEVICE_SET_IRQS: "vfio_irq_set",
  DEVICE_GET_IRQ_INFO: "vfio_irq_info",
  DEVICE_GET_REGION_INFO: "vfio_region_info",
  DEVICE_GET_INFO: "vfio_device_info",
};

/** The guard as the replay program reports it, from predicted memory after the buffer. */
function guardOf(after) {
  let first = -1,
    last = -1;
  for (let i = 0; i < after.length; i++) {
    if (after[i] !== GUARD_BYTE) {
      if (first < 0) first = i;
      last = i;
    }
  }
  return first < 0 ? "ok" : { clobberedAt: first, bytesHex: toHex(after.subarray(first, last + 1)) };
}

function roundTrip(struct, bytes, prof, requestBytes) {
  let d;
  try {
    d = decode(struct, bytes, prof);
  } catch (e) {
    try {
      decode(struct, requestBytes, prof);
    } catch {
      return { ok: true, rejected: true };
    }
    return { ok: false, why: `reply rejected by decode (${e.message}) but the request decodes` };
  }
  const again = encode(struct, d, prof);
  if (toHex(again) !== toHex(bytes)) return { ok: false, why: `re-encode ${toHex(again)} != ${toHex(bytes)}` };
  return { ok: true, rejected: false };
}

export function newStats() {
  return {
    requests: 0,
    matched: 0,
    bytesMatched: 0,
    decoded: 0,
    rejected: 0,
    setIrqs: 0,
    efdReads: 0,
    efdMatched: 0,
    mismatches: [],
    byRule: new Map(),
  };
}

/**
 * Check the records of one device (the OPEN/USE record already consumed) against a fresh model.
 * @param {{device: object, items: object[], records: object[], at: number, prof: object, stats: object,
 *          replies?: Map<string, object>}} o
 *   records[at..]: the transcript records of this device's items, in order; `replies` collects the
 *   record of each item by its note. Returns the next index.
 */
export function checkDevice({ device, items, records, at, prof, stats, replies }) {
  const model = new DeviceModel(device);
  const tail = new Uint8Array(GUARD).fill(GUARD_BYTE);
  const bigEndian = prof.arch === "s390x";
  let ri = at;
  for (const it of items) {
    const rec = records[ri++];
    const where = `${device.name} [${it.note}]`;
    if (!rec) {
      stats.mismatches.push(`${where}: no reply (transcript ended)`);
      return ri;
    }
    if (rec.cmd !== it.ioctl) {
      stats.mismatches.push(`${where}: expected a ${it.ioctl} record, got ${rec.cmd}: ${rec.extra.lines.join(" | ")}`);
      return ri;
    }
    if (it.ioctl === "EFD_READ") {
      const e = model.eventfdRead(100 + it.efd);
      stats.efdReads++;
      const got = rec.ret >= 0 ? rec.extra.count : 0;
      if (e.ret !== rec.ret || e.count !== got)
        stats.mismatches.push(
          `${where} predicted ${e.errno ?? `count=${e.count}`}, kernel ${rec.ret < 0 ? rec.errnoName : `count=${got}`}`,
        );
      else stats.efdMatched++;
      continue;
    }
    stats.requests++;
    replies?.set(it.note, rec);
    const p = model.predict(`VFIO_${it.ioctl}`, it.bytes, { tail, bigEndian });
    const predErrno = p.errno ?? "OK",
      gotErrno = rec.ret < 0 ? rec.errnoName : "OK";
    const bad = [];
    if (p.ret !== rec.ret || predErrno !== gotErrno)
      bad.push(`ret/errno: predicted ${p.ret} ${predErrno} (${p.rule}), kernel ${rec.ret} ${gotErrno}`);
    else stats.matched++;
    if (it.ioctl === "DEVICE_SET_IRQS") {
      stats.setIrqs++;
      const k = `${p.rule}${p.errno ? ` ${p.errno}` : ""}`;
      stats.byRule.set(k, (stats.byRule.get(k) ?? 0) + 1);
    }
    if (it.ioctl !== "DEVICE_RESET") {
      const len = it.bytes.length;
      const predReply = toHex(p.after.subarray(0, len)),
        predGuard = guardOf(p.after.subarray(len));
      let bytesOk = true;
      if (rec.replyHex !== predReply) {
        bad.push(`reply: predicted ${predReply}, kernel ${rec.replyHex}`);
        bytesOk = false;
      }
      if (JSON.stringify(rec.guard) !== JSON.stringify(predGuard)) {
        bad.push(`guard: predicted ${JSON.stringify(predGuard)}, kernel ${JSON.stringify(rec.guard)}`);
        bytesOk = false;
      }
      if (bytesOk) stats.bytesMatched++;
      const rt = roundTrip(STRUCT[it.ioctl], Buffer.from(rec.replyHex, "hex"), prof, it.bytes);
      if (!rt.ok) bad.push(`codec: ${rt.why}`);
      else if (rt.rejected) stats.rejected++;
      else stats.decoded++;
    } else stats.bytesMatched++;
    if (bad.length)
      stats.mismatches.push(
        `${where} request ${toHex(it.bytes) || "-"}\n      ${bad.join("\n      ")}\n      model: ${p.reason}`,
      );
  }
  return ri;
}

/** Script lines for items (after an OPEN/USE line of the caller). */
export function scriptLines(items) {
  return items.map((it) =>
    it.ioctl === "DEVICE_RESET"
      ? "DEVICE_RESET"
      : it.ioctl === "EFD_READ"
        ? `EFD_READ ${it.efd}`
        : `${it.ioctl} ${toHex(it.bytes)}`,
  );
}
