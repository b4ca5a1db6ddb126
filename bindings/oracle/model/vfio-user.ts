// The libvfio-user profile as a server model: feed it what a client sends on the socket — chunks of
// bytes, each with the fds passed beside it — and it predicts every reply byte for byte, when the
// server closes the connection, and the eventfd counters its triggers leave. SET_IRQS verdicts come
// from the wasm oracle (assembly/oracle.ts, libvfio-user rules and fd table); framing, the other
// commands and the eventfd identities are modelled here. Behaviour of nutanix/libvfio-user at
// efd091bc (lib/libvfio-user.c, lib/tran_sock.c, lib/tran.c, lib/irq.c), checked message by message
// against the real library by the vfio-user peer stage.
import { DEV, ERRNO } from "../../generated/wasm-abi.js";
import { wasm } from "../../loader.js";
import {
  encodeMessage,
  decodeMessage,
  HEADER_SIZE,
  VFIO_USER_F_TYPE_MASK,
  VFIO_USER_F_TYPE_REPLY,
  VFIO_USER_F_NO_REPLY,
  VFIO_USER_F_ERROR,
} from "../../vfio-user.js";
import { encode } from "../../encode.js";
import { ruleName, ruleReason } from "../../oracle-rules.js";
import { type DeviceDescription, deviceBlock, irqOf, parseFdList } from "./device.js";
import { errnoName } from "./model.js";

const cmd = {
  VERSION: 1,
  DMA_MAP: 2,
  DMA_UNMAP: 3,
  GET_INFO: 4,
  GET_REGION_INFO: 5,
  GET_IRQ_INFO: 7,
  SET_IRQS: 8,
  REGION_READ: 9,
  REGION_WRITE: 10,
  RESET: 13,
} as const;
const { EINVAL } = ERRNO;
/** libvfio-user limits (lib/private.h, lib/tran.h): message size, region access size. */
export const LVU_MAX_DATA_XFER = 1 << 20;
export const LVU_MAX_MSG_SIZE = LVU_MAX_DATA_XFER + HEADER_SIZE + 16;
export const LVU_MAJOR = 0,
  LVU_MINOR = 2;
/** SCM_MAX_FD: the kernel refuses more fds in one sendmsg (EINVAL). */
export const SCM_MAX_FD = 253;
// extended device block (assembly/oracle.ts LVU_*)
const LVU_EXTENDED = 0x80000000,
  LVU_MSG_NFDS = 200,
  LVU_MSG_KINDS = 201,
  LVU_WORDS = 969;
const FD_EVENTFD = 1,
  FD_READONLY = 2,
  FD_WRITABLE = 3;
const SLOT_ERR = 2048,
  SLOT_REQ = 2049,
  SLOT_INTX = 2050;

/** A region of the server's device (vfu_setup_region). */
export interface VuRegion {
  index: number;
  size: number;
  /** VFIO_REGION_INFO_FLAG_READ | WRITE (| MMAP when mappable). */
  flags: number;
  /** Sparse mmap areas [offset, size] (the SPARSE_MMAP capability; an fd comes with it). */
  sparse?: [number, number][];
  /** Region data as the test server's callback serves it: byte i reads (offset + i) * 7 + 3; writes are accepted; a 4-byte write at 0 triggers vector `value`. */
  pattern?: boolean;
}

/** A libvfio-user server: irq counts, regions, fd environment of the client, bugs it has. */
export interface VuDevice extends DeviceDescription {
  driver: "libvfio-user";
  regions?: never;
  vuRegions: VuRegion[];
  /** The server's VERSION reply capabilities JSON text (without the NUL), when known. */
  versionJson?: string;
}

/** One message the server sends back. */
export interface VuReply {
  bytes: Uint8Array;
  fds: number;
  rule: string;
  reason: string;
}

/** What the server does with one chunk a client sends. */
export interface VuPrediction {
  /** The client's sendmsg fails (a closed fd, too many fds): nothing reaches the server. */
  sendError: string | null;
  replies: VuReply[];
  /** The server closes the connection after this chunk (resetting its irq state). */
  closed: boolean;
  /** The server waits for more bytes (a body msg_size announced but not sent yet). */
  waiting: boolean;
}

type Slot = { fd: number; kind: number };

/** The vu-server device of the peer stage (tests/vfio-user/vu-server.c), as the model knows it. */
export function vuServerDevice(counts: number[] = [1, 4, 16, 1, 1], extra: Partial<VuDevice> = {}): VuDevice {
  return {
    name: "vu-server",
    driver: "libvfio-user",
    irqs: counts.map((count, index) => ({ index, count, flags: 1 })),
    vuRegions: [
      { index: 0, size: 0x1000, flags: 3, pattern: true },
      {
        index: 2,
        size: 0x8000,
        flags: 7,
        sparse: [
          [0, 0x1000],
          [0x4000, 0x1000],
        ],
      },
      { index: 7, size: 0x1000, flags: 3 }, // PCI Express: the extended config space
    ],
    eventfds: Array.from({ length: 32 }, (_, i) => 100 + i),
    openFds: [200, 201],
    writableFds: [202],
    ...extra,
  };
}

const NUM_REGIONS = 9;

export class VfioUserModel {
  readonly device: VuDevice;
  readonly state: Uint32Array;
  /** Slot -> the client fd it holds (eventfd identity for counters). */
  private slots = new Map<number, Slot>();
  readonly counts = new Map<number, number>();
  private connected = false;
  private negotiated = false;
  /** A header whose body the server is still reading. */
  private pending: { hdr: Uint8Array; fds: number[]; need: number } | null = null;

  constructor(device: VuDevice) {
    this.device = device;
    this.state = new Uint32Array(LVU_WORDS);
    this.state.set(deviceBlock(device));
    this.state[DEV.FEATURES] |= LVU_EXTENDED;
  }

  private get maxIvs(): number {
    return Math.max(0, ...this.device.irqs.map((q) => q.count));
  }
  private count(index: number): number {
    return irqOf(this.device, index)?.count ?? 0;
  }
  private get intxShared(): boolean {
    return !this.device.fixed?.includes("LVU_BUG_INTX_SHARED");
  }

  /** fd kind in the client's environment: 0 closed. */
  fdKind(fd: number): number {
    const d = this.device;
    if (parseFdList(d.eventfds).includes(fd)) return FD_EVENTFD;
    if ((d.writableFds ?? []).includes(fd)) return FD_WRITABLE;
    if (parseFdList(d.openFds ?? [0, 1, 2]).includes(fd)) return FD_READONLY;
    return 0;
  }

  /** A new connection (the server accepted it and waits for VERSION). */
  connect(): void {
    this.connected = true;
    this.negotiated = false;
    this.pending = null;
  }

  /** The client closes its end: the server resets the context (irqs_reset closes every fd). */
  disconnect(): void {
    if (this.connected) this.resetContext();
    this.connected = false;
  }

  private resetContext(): void {
    this.slots.clear();
    const t = new Uint8Array(this.state.buffer, 456 * 4, 2051);
    t.fill(0);
    this.pending = null;
  }

  /** A non-blocking read of eventfd `fd`: the predicted counter (reset to 0), or EAGAIN. */
  eventfdRead(fd: number): { ret: number; errno: string | null; count: number } {
    const c = this.counts.get(fd) ?? 0;
    this.counts.delete(fd);
    return c > 0 ? { ret: 8, errno: null, count: c } : { ret: -1, errno: "EAGAIN", count: 0 };
  }

  /** Predict one sendmsg of `bytes` with `fds` (client fd numbers) attached. */
  send(bytes: Uint8Array, fds: number[] = []): VuPrediction {
    const out: VuPrediction = { sendError: null, replies: [], closed: false, waiting: false };
    if (fds.some((fd) => this.fdKind(fd) === 0)) {
      out.sendError = "EBADF";
      return out;
    }
    if (fds.length > SCM_MAX_FD) {
      out.sendError = "EINVAL";
      return out;
    }
    if (!this.connected) {
      out.sendError = "EPIPE";
      return out;
    }
    let pos = 0;
    let chunkFds = fds;
    const take = () => {
      const f = chunkFds;
      chunkFds = [];
      return f;
    };
    if (this.pending) {
      // recv(len) of the body: what this chunk holds, at most len; the chunk's fds are dropped
      const p = this.pending;
      const got = Math.min(p.need, bytes.length);
      take();
      pos = got;
      this.pending = null;
      const body = bytes.subarray(0, got);
      if (got !== p.need)
        this.errorReply(out, p.hdr, EINVAL, "SHORT_BODY", "the body arrived short (recv without MSG_WAITALL): EINVAL");
      else this.handle(out, p.hdr, body, p.fds);
    }
    while (pos < bytes.length && !out.closed) {
      const avail = bytes.length - pos;
      if (avail < HEADER_SIZE) {
        // recvmsg of the header returns short: ECONNRESET, the server resets the context
        take();
        this.close(out);
        break;
      }
      const hdr = bytes.slice(pos, pos + HEADER_SIZE);
      const hfds = take();
      pos += HEADER_SIZE;
      const h = header(hdr);
      if (!this.negotiated) {
        const r = this.version(out, h, hdr, bytes.subarray(pos), hfds);
        pos += r;
        continue;
      }
      // is_valid_header: the body is not read when the header is refused
      let bad: [string, string] | null = null;
      if ((h.flags & VFIO_USER_F_TYPE_MASK) !== 0) bad = ["NOT_COMMAND", "the type bits do not say command"];
      else if (h.size < HEADER_SIZE) bad = ["MSG_SIZE_MIN", "msg_size below the header"];
      else if (h.size === HEADER_SIZE && h.command !== cmd.RESET)
        bad = ["NO_PAYLOAD", "msg_size 16 (no body) for a command other than DEVICE_RESET"];
      else if (h.size > LVU_MAX_MSG_SIZE) bad = ["MSG_SIZE_MAX", "msg_size above the server's limit (1 MiB + 32)"];
      if (bad) {
        this.errorReply(out, hdr, EINVAL, ...bad);
        continue;
      }
      const need = h.size - HEADER_SIZE;
      if (need === 0) {
        this.handle(out, hdr, new Uint8Array(0), hfds);
        continue;
      }
      const left = bytes.length - pos;
      if (left === 0) {
        this.pending = { hdr, fds: hfds, need };
        out.waiting = true;
        break;
      }
      const got = Math.min(need, left);
      const body = bytes.subarray(pos, pos + got);
      pos += got;
      if (got !== need) {
        this.errorReply(
          out,
          hdr,
          EINVAL,
          "SHORT_BODY",
          "msg_size says more than was sent: the body read comes back short (EINVAL)",
        );
        continue;
      }
      this.handle(out, hdr, body, hfds);
    }
    return out;
  }

  private close(out: VuPrediction): void {
    out.closed = true;
    this.resetContext();
    this.connected = false;
  }

  /** The first message of a connection: tran_negotiate / recv_version. Returns body bytes consumed. */
  private version(out: VuPrediction, h: Header, hdr: Uint8Array, rest: Uint8Array, fds: number[]): number {
    // tran_sock_recv reads the header without room for fds: any fd makes it fail (MSG_CTRUNC)
    if (fds.length || (h.flags & VFIO_USER_F_TYPE_MASK) !== 0 || h.size < HEADER_SIZE || h.size > LVU_MAX_MSG_SIZE) {
      this.close(out);
      return rest.length;
    }
    const need = h.size - HEADER_SIZE;
    if (need > rest.length) {
      // recv(MSG_WAITALL) waits for the rest; the model does not follow a split VERSION
      this.pending = null;
      out.waiting = true;
      return rest.length;
    }
    const body = rest.subarray(0, need);
    let err = 0,
      why = "";
    if (h.command !== cmd.VERSION) {
      err = EINVAL;
      why = "the first message is not VERSION";
    } else if (need < 4) {
      err = EINVAL;
      why = "VERSION body shorter than major + minor";
    } else if (u16(body, 0) !== LVU_MAJOR) {
      err = EINVAL;
      why = `major ${u16(body, 0)} is not ${LVU_MAJOR}`;
    } else if (need > 4) {
      const json = body.subarray(4);
      if (json[json.length - 1] !== 0) {
        err = EINVAL;
        why = "the JSON is not NUL-terminated";
      } else {
        const e = versionJsonError(new TextDecoder().decode(json.subarray(0, json.length - 1)));
        if (e) {
          err = EINVAL;
          why = e;
        }
      }
    }
    if (err) {
      // an error reply (unless the client asked for none), then the connection is closed
      if (!(h.flags & VFIO_USER_F_NO_REPLY)) out.replies.push(this.reply(hdr, null, err, "VERSION_REFUSED", why));
      this.close(out);
      return need;
    }
    const minor = Math.min(u16(body, 2), LVU_MINOR);
    const json =
      this.device.versionJson ?? `{ "capabilities": { "max_msg_fds": 8, "max_data_xfer_size": ${LVU_MAX_DATA_XFER} } }`;
    const reply = encodeMessage({
      msg_id: h.msgId,
      command: cmd.VERSION,
      flags: VFIO_USER_F_TYPE_REPLY,
      body: { major: LVU_MAJOR, minor, data: new TextEncoder().encode(`${json}\0`) },
    });
    out.replies.push({
      bytes: reply,
      fds: 0,
      rule: "VERSION",
      reason: `version ${LVU_MAJOR}.${minor} and the server's capabilities`,
    });
    this.negotiated = true;
    return need;
  }

  private reply(hdr: Uint8Array, body: Uint8Array | null, err: number, rule: string, reason: string, fds = 0): VuReply {
    const h = header(hdr);
    const flags = VFIO_USER_F_TYPE_REPLY | (err ? VFIO_USER_F_ERROR : 0);
    const bytes = encodeMessage({ msg_id: h.msgId, command: h.command, flags, error_no: err, body: body ?? undefined });
    return { bytes, fds, rule, reason: err ? `${errnoName(err)}: ${reason}` : reason };
  }

  private errorReply(out: VuPrediction, hdr: Uint8Array, err: number, rule: string, reason: string): void {
    if (!(header(hdr).flags & VFIO_USER_F_NO_REPLY)) out.replies.push(this.reply(hdr, null, err, rule, reason));
  }

  /** handle_request: one complete command. */
  private handle(out: VuPrediction, hdr: Uint8Array, body: Uint8Array, fds: number[]): void {
    const h = header(hdr);
    const r = this.dispatch(h, body, fds);
    if (h.flags & VFIO_USER_F_NO_REPLY) return;
    out.replies.push(
      this.reply(hdr, r.err ? (r.errBody ?? null) : r.body, r.err, r.rule, r.reason, r.err ? 0 : (r.fds ?? 0)),
    );
  }

  private dispatch(
    h: Header,
    body: Uint8Array,
    fds: number[],
  ): { err: number; body: Uint8Array | null; rule: string; reason: string; fds?: number; errBody?: Uint8Array } {
    const ok = (b: Uint8Array | null, rule: string, reason: string, nfds = 0) => ({
      err: 0,
      body: b,
      rule,
      reason,
      fds: nfds,
    });
    const fail = (err: number, rule: string, reason: string) => ({ err, body: null, rule, reason });
    const dv = new DataView(body.buffer, body.byteOffset, body.byteLength);
    const le = true;
    switch (h.command) {
      case cmd.DMA_MAP:
      case cmd.DMA_UNMAP:
        return ok(null, "NO_DMA", "the device has no DMA controller: accepted, nothing done");
      case cmd.GET_INFO:
        if (body.length < 16 || dv.getUint32(0, le) < 16)
          return fail(EINVAL, "LVU_SHORT", "body or argsz below 16 (vfio_user_device_info)");
        return ok(
          encode("vfio_user_device_info", { argsz: 16, flags: 3, num_regions: NUM_REGIONS, num_irqs: 5 }),
          "OK",
          "16-byte device info",
        );
      case cmd.GET_IRQ_INFO: {
        if (body.length < 16 || dv.getUint32(0, le) < 16)
          return fail(EINVAL, "LVU_SHORT", "body or argsz below 16 (vfio_irq_info)");
        const index = dv.getUint32(8, le);
        if (index >= 5) return fail(EINVAL, "INDEX", "index >= VFU_DEV_NUM_IRQS");
        return ok(
          encode("vfio_irq_info", { argsz: 16, flags: 1, index, count: this.count(index) }),
          "OK",
          "16 bytes: argsz 16, flags EVENTFD only",
        );
      }
      case cmd.GET_REGION_INFO:
        return this.regionInfo(body);
      case cmd.SET_IRQS:
        return this.setIrqs(body, fds);
      case cmd.REGION_READ:
      case cmd.REGION_WRITE:
        return this.regionAccess(h.command === cmd.REGION_WRITE, body);
      case cmd.RESET:
        return ok(null, "RESET", "no reset callback: accepted; irq fds stay");
      default:
        return fail(EINVAL, "BAD_COMMAND", `command ${h.command} is not handled by the server`);
    }
  }

  private regionInfo(body: Uint8Array) {
    const dv = new DataView(body.buffer, body.byteOffset, body.byteLength);
    if (body.length < 32 || dv.getUint32(0, true) < 32)
      return { err: EINVAL, body: null, rule: "LVU_SHORT", reason: "body or argsz below 32 (vfio_region_info)" };
    const argsz = dv.getUint32(0, true),
      index = dv.getUint32(8, true);
    if (index >= NUM_REGIONS)
      return { err: EINVAL, body: null, rule: "NO_REGION", reason: "index >= the server's number of regions" };
    const r = this.device.vuRegions.find((x) => x.index === index) ?? { index, size: 0, flags: 0 };
    const areas = r.size > 0 ? (r.sparse ?? []) : [];
    const capsSize = areas.length ? 16 + 16 * areas.length : 0;
    const full = 32 + capsSize;
    const fits = capsSize > 0 && argsz >= full;
    // the chain as the codec builds it (SPARSE_MMAP at 32, CAPS set, cap_offset 32) when it fits
    const caps = fits
      ? [
          {
            header: { id: 1, version: 1 },
            reserved: 0,
            areas: areas.map(([offset, size]) => ({ offset: BigInt(offset), size: BigInt(size) })),
          },
        ]
      : [];
    const fixed = encode("vfio_region_info", {
      argsz: full,
      flags: r.flags,
      index,
      cap_offset: 0,
      size: BigInt(r.size),
      offset: 0n,
      caps,
    } as never);
    const out = new Uint8Array(Math.min(full, argsz));
    out.set(fixed.subarray(0, Math.min(fixed.length, out.length)));
    return {
      err: 0,
      body: out,
      rule: fits ? "OK_CAPS" : capsSize ? "CAPS_DO_NOT_FIT" : "OK",
      reason: fits
        ? "sparse mmap capability and its fd"
        : capsSize
          ? `argsz ${argsz} < ${full}: argsz ${full}, CAPS clear, ${out.length} bytes`
          : `${out.length} bytes`,
      fds: fits ? 1 : 0,
    };
  }

  private regionAccess(write: boolean, body: Uint8Array) {
    const fail = (rule: string, reason: string) => ({ err: EINVAL, body: null, rule, reason });
    if (body.length < 16) return fail("LVU_SHORT", "body below 16 (vfio_user_region_access)");
    const dv = new DataView(body.buffer, body.byteOffset, body.byteLength);
    const offset = dv.getBigUint64(0, true),
      region = dv.getUint32(8, true),
      count = dv.getUint32(12, true);
    if (count > LVU_MAX_DATA_XFER) return fail("XFER_SIZE", "count above max_data_xfer_size");
    if (write && body.length - 16 !== count) return fail("WRITE_COUNT", "the data length is not count");
    if (region >= NUM_REGIONS) return fail("NO_REGION", "region index >= the number of regions");
    const r = this.device.vuRegions.find((x) => x.index === region) ?? { index: region, size: 0, flags: 0 };
    const end = offset + BigInt(count);
    if ((end > 0xffffffffffffffffn ? 0xffffffffffffffffn : end) > BigInt(r.size))
      return fail("OUT_OF_BOUNDS", "offset + count beyond the region");
    if (count === 0) return { err: 0, body: null, rule: "EMPTY", reason: "count 0: nothing accessed, no body" };
    const head = encode("vfio_user_region_access", { offset, region, count });
    if (!r.pattern) {
      // the reply body is allocated before the access fails, and the error reply sends it along
      // (the protocol says an error reply holds only the header)
      const errBody = new Uint8Array(16 + (write ? 0 : count));
      errBody.set(head);
      return {
        ...fail(
          "LVU_ERROR_REPLY_BODY",
          "the region has no access callback; the error reply carries the reply body built so far",
        ),
        errBody,
      };
    }
    if (write) {
      if (offset === 0n && count === 4) this.doorbell(dv.getUint32(16, true));
      return { err: 0, body: head, rule: "WRITE", reason: `${count} bytes written` };
    }
    const out = new Uint8Array(16 + count);
    out.set(head);
    for (let i = 0; i < count; i++) out[16 + i] = (Number((offset + BigInt(i)) & 0xffn) * 7 + 3) & 0xff;
    return { err: 0, body: out, rule: "READ", reason: `${count} bytes of the test pattern` };
  }

  /** vfu_irq_trigger(subindex) from the test server's BAR0 doorbell: the shared table's slot. */
  private doorbell(subindex: number): void {
    if (subindex >= this.maxIvs) return; // EINVAL, ignored by the callback
    const s = this.slots.get(subindex);
    if (!s) return; // ENOENT
    if (s.kind === FD_EVENTFD) this.counts.set(s.fd, (this.counts.get(s.fd) ?? 0) + 1);
  }

  private slotOf(index: number, i: number): number {
    if (index === 3) return SLOT_ERR;
    if (index === 4) return SLOT_REQ;
    if (index === 0 && !this.intxShared) return SLOT_INTX;
    return i;
  }

  private setIrqs(body: Uint8Array, fds: number[]) {
    const w = wasm();
    this.state[LVU_MSG_NFDS] = fds.length;
    fds.slice(0, SCM_MAX_FD).forEach((fd, j) => {
      this.state[LVU_MSG_KINDS + j] = this.fdKind(fd);
    });
    const before = this.state.slice();
    const region = w.arena_ptr() + (1 << 20);
    const need = (1 << 20) + LVU_WORDS * 4 + 64 + body.length;
    if (w.arena_cap() < need && w.arena_reserve(need) < 0) throw new Error("vfio-abi oracle: cannot grow wasm memory");
    const dev = region,
      buf = region + LVU_WORDS * 4 + 64;
    new Uint32Array(w.memory.buffer, dev, LVU_WORDS).set(this.state);
    new Uint8Array(w.memory.buffer, buf, body.length).set(body);
    const ret = (w.oracle_set_irqs as (p: number, b: number, l: number, d: number, c: number) => number)(
      0,
      buf,
      body.length,
      dev,
      1,
    );
    const rule = (w.oracle_last_rule as () => number)();
    const elem = (w.oracle_last_elem as () => number)();
    this.state.set(new Uint32Array(w.memory.buffer, dev, LVU_WORDS));
    this.track(body, fds, ret, elem, before);
    const name = ruleName(rule);
    return ret < 0
      ? { err: -ret, body: null, rule: name, reason: ruleReason(rule) }
      : { err: 0, body: null, rule: name, reason: ruleReason(rule) };
  }

  /** Follow which client fd each slot holds and which eventfds the triggers signal. */
  private track(body: Uint8Array, fds: number[], ret: number, failedElem: number, _before: Uint32Array): void {
    if (body.length < 20) return;
    const dv = new DataView(body.buffer, body.byteOffset, body.byteLength);
    const flags = dv.getUint32(4, true),
      index = dv.getUint32(8, true),
      start = dv.getUint32(12, true),
      count = dv.getUint32(16, true);
    const dt = flags & 7,
      act = flags & 0x38;
    if (act !== 0x20 || index > 4) return;
    const validated = ret >= 0 || failedElem >= 0;
    if (!validated) return;
    if ((dt === 1 && count === 0) || (dt === 4 && fds.length === 0)) {
      const n = count === 0 ? this.count(index) : count;
      const end = this.device.fixed?.includes("LVU_BUG_DISABLE_RANGE") ? start + n : n;
      for (let i = start; i < end; i++) this.slots.delete(this.slotOf(index, i));
      return;
    }
    if (dt === 4) {
      for (let j = 0; j < count; j++)
        this.slots.set(this.slotOf(index, start + j), { fd: fds[j], kind: this.fdKind(fds[j]) });
      return;
    }
    // trigger: each slot in turn until a write fails (failedElem)
    const last = failedElem >= 0 ? failedElem : count;
    for (let i = 0; i < last; i++) {
      if (dt === 2 && body[20 + i] !== 1) continue;
      const s = this.slots.get(this.slotOf(index, start + i));
      if (s?.kind === FD_EVENTFD) this.counts.set(s.fd, (this.counts.get(s.fd) ?? 0) + 1);
    }
  }
}

interface Header {
  msgId: number;
  command: number;
  size: number;
  flags: number;
}
const u16 = (b: Uint8Array, at: number) => b[at] | (b[at + 1] << 8);
function header(h: Uint8Array): Header {
  const dv = new DataView(h.buffer, h.byteOffset, h.byteLength);
  return {
    msgId: dv.getUint16(0, true),
    command: dv.getUint16(2, true),
    size: dv.getUint32(4, true),
    flags: dv.getUint32(8, true),
  };
}

/** tran_parse_version_json: the JSON checks libvfio-user makes (null when it accepts the text). */
export function versionJsonError(text: string): string | null {
  let top: unknown;
  try {
    top = JSON.parse(text);
  } catch {
    return "the version data is not JSON";
  }
  if (!top || typeof top !== "object" || Array.isArray(top)) return null; // no "capabilities" key: accepted
  const caps = (top as Record<string, unknown>).capabilities;
  if (caps === undefined) return null;
  if (!caps || typeof caps !== "object" || Array.isArray(caps)) return "capabilities is not an object";
  const c = caps as Record<string, unknown>;
  const isInt = (v: unknown) => typeof v === "number" && Number.isInteger(v);
  if ("max_msg_fds" in c && !isInt(c.max_msg_fds)) return "max_msg_fds is not an integer";
  if ("max_data_xfer_size" in c && !isInt(c.max_data_xfer_size)) return "max_data_xfer_size is not an integer";
  if ("migration" in c) {
    const m = c.migration;
    if (!m || typeof m !== "object" || Array.isArray(m)) return "migration is not an object";
    if ("pgsize" in (m as object) && !isInt((m as Record<string, unknown>).pgsize))
      return "migration.pgsize is not an integer";
  }
  if ("twin_socket" in c) {
    const t = c.twin_socket;
    if (!t || typeof t !== "object" || Array.isArray(t)) return "twin_socket is not an object";
    if ("supported" in (t as object) && typeof (t as Record<string, unknown>).supported !== "boolean")
      return "twin_socket.supported is not a boolean";
  }
  if ("max_msg_fds" in c && ((c.max_msg_fds as number) < 0 || (c.max_msg_fds as number) > 1024))
    return "max_msg_fds outside 0..1024";
  return null;
}

export { decodeMessage };
