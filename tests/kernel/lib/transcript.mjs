// Decoding a vfio-replay transcript (the reply port) into one record per command.
import { READY_RE } from "./qemu.mjs";

const BUFFER_NAMES = new Set([
  "DEVICE_GET_INFO",
  "DEVICE_GET_REGION_INFO",
  "DEVICE_GET_IRQ_INFO",
  "DEVICE_SET_IRQS",
  "DEVICE_GET_PCI_HOT_RESET_INFO",
  "DEVICE_FEATURE",
  "GROUP_GET_STATUS",
]);

function kv(tokens) {
  const o = {};
  for (const t of tokens) {
    const i = t.indexOf("=");
    if (i > 0) o[t.slice(0, i)] = t.slice(i + 1);
  }
  return o;
}

function parseErrno(s) {
  const m = /^(-?\d+)\(([^)]*)\)$/.exec(s ?? "");
  return m ? { errno: Number(m[1]), errnoName: m[2] } : { errno: null, errnoName: null };
}

function parseGuard(s) {
  if (s === undefined) return null;
  if (s === "ok") return "ok";
  const m = /^clobbered@(\d+):([0-9a-f]*)$/i.exec(s);
  return m ? { clobberedAt: Number(m[1]), bytesHex: m[2].toLowerCase() } : { clobberedAt: null, bytesHex: s };
}

function finishRecord(lines, incomplete) {
  const rec = {
    cmd: null,
    name: null,
    requestHex: null,
    ret: null,
    errno: null,
    errnoName: null,
    replyHex: null,
    guard: null,
    extra: { info: [], err: [], lines },
  };
  if (incomplete) rec.extra.incomplete = true;
  for (const line of lines) {
    const t = line.split(/\s+/).filter(Boolean);
    const [kind, first] = t;
    if (kind === "REQ") {
      rec.name = first;
      rec.requestHex = t[2] ?? "";
      rec.cmd = first.startsWith("IOCTL:") ? "IOCTL" : first;
    } else if (kind === "RSP") {
      rec.name = first;
      rec.cmd = first.startsWith("IOCTL:") ? "IOCTL" : first;
      const rest = t.slice(2);
      const o = kv(rest);
      const bare = rest.filter((x) => x === "=" || !x.includes("=")); // "=": compact reply, equal to the request
      if (o.ret !== undefined) rec.ret = Number(o.ret);
      if (o.errno !== undefined) Object.assign(rec, parseErrno(o.errno));
      else if (rec.ret !== null) Object.assign(rec, rec.ret >= 0 ? { errno: 0, errnoName: "OK" } : {});
      if (BUFFER_NAMES.has(rec.cmd) || rec.cmd === "IOCTL") {
        rec.replyHex = (bare[0] ?? "").toLowerCase();
        rec.guard = parseGuard(o.guard);
      } else if (rec.cmd === "REGION_READ" || rec.cmd === "READ_FILE") {
        rec.replyHex = (bare[0] ?? "").toLowerCase();
      } else if (rec.cmd === "CHECK_EXTENSION") {
        rec.extra.extension = Number(bare[0]);
      } else if (rec.cmd === "FD_READ" || rec.cmd === "FD_WRITE") {
        rec.extra.fd = Number(bare[0]);
        if (o.count !== undefined) rec.extra.count = Number(o.count);
      } else if (rec.cmd === "EFD_READ" || rec.cmd === "EFD_WRITE") {
        rec.extra.index = Number(bare[0]);
        if (o.count !== undefined) rec.extra.count = Number(o.count);
      }
      if (rec.cmd === "IOCTL") {
        const [, target, nr] = first.split(":");
        Object.assign(rec.extra, { target, request: parseInt(nr, 16) });
      }
    } else if (kind === "INFO") {
      const text = line.slice(5);
      rec.extra.info.push(text);
      if ((first === "OPEN" || first === "USE") && !rec.cmd) {
        rec.cmd = first;
        const o = kv(t.slice(3));
        rec.extra.bdf = t[2];
        if (o.group !== undefined) rec.extra.group = Number(o.group);
        if (o.devfd !== undefined) rec.extra.devfd = Number(o.devfd);
      } else if (first === "SLEEP" && !rec.cmd) {
        rec.cmd = "SLEEP";
        rec.extra.ms = Number(t[2]);
      } else if (["FDS", "MODE", "CLOSE", "DUP"].includes(first) && !rec.cmd) {
        rec.cmd = first;
      }
    } else if (kind === "ERR") {
      rec.extra.err.push(line.slice(4));
      if (!rec.cmd && first) {
        const c = first.replace(/:$/, "");
        rec.cmd = c;
        rec.name = c;
        if (["OPEN", "USE"].includes(c) && t[2]) rec.extra.bdf = t[2].replace(/:$/, "");
      }
    } else {
      rec.extra.other ??= [];
      rec.extra.other.push(line);
    }
  }
  if (!rec.name) rec.name = rec.cmd;
  if (rec.cmd === "OPEN" && rec.extra.err.length) rec.extra.failed = true;
  return rec;
}

/**
 * Decode a vfio-replay transcript into one record per command (blocks ending with END).
 * Returned array also carries: `.ready` ({api, efdBase, numEfd, guard} or null), `.done` (DONE seen),
 * `.preamble` (lines before the ready line).
 * Record: { cmd, name, requestHex, ret, errno, errnoName, replyHex, guard: 'ok'|{clobberedAt, bytesHex}|null, extra }.
 */
export function parseTranscript(text) {
  const records = [];
  records.ready = null;
  records.done = false;
  records.preamble = [];
  let block = [];
  for (const raw of String(text).split("\n")) {
    const line = raw.replace(/\r+$/, "").replace(/^\r+/, "");
    if (!line.trim()) continue;
    if (READY_RE.test(line)) {
      const o = kv(line.split(/\s+/));
      records.ready = {
        api: Number(o.api),
        efdBase: Number(o.efd_base),
        numEfd: Number(o.num_efd),
        guard: Number(o.guard),
      };
      records.preamble.push(...block);
      block = [];
      continue;
    }
    if (line === "DONE") {
      if (block.length) records.push(finishRecord(block, true));
      block = [];
      records.done = true;
      continue;
    }
    if (line === "END") {
      records.push(finishRecord(block, false));
      block = [];
      continue;
    }
    block.push(line);
  }
  if (block.length) {
    if (!records.ready) records.preamble.push(...block);
    else records.push(finishRecord(block, true));
  }
  return records;
}
