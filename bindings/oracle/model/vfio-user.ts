// The libvfio-user profile as a server model: feed it what a client sends on the socket — chunks of
// bytes, each with the fds passed beside it — and it predicts every reply byte for byte, when the
// server closes the connection, and the eventfd counters its triggers leave. SET_IRQS verdicts and
// the server's fd table come from the wasm oracle (assembly/oracle.ts, the contract's LVU_* block);
// framing, the other commands and which client fd each table slot holds are modelled here.
// Behaviour of nutanix/libvfio-user at efd091bc (lib/libvfio-user.c, lib/tran_sock.c, lib/tran.c,
// lib/irq.c), checked message by message against the real library by the vfio-user peer stage.
import { DEV, ERRNO, LVU, R } from "../../generated/wasm-abi.js";
import {
  O_VFIO_IRQ_INFO__ARGSZ,
  O_VFIO_IRQ_INFO__INDEX,
  O_VFIO_IRQ_SET__COUNT,
  O_VFIO_IRQ_SET__FLAGS,
  O_VFIO_IRQ_SET__INDEX,
  O_VFIO_IRQ_SET__START,
  O_VFIO_REGION_INFO__ARGSZ,
  O_VFIO_REGION_INFO__INDEX,
  O_VFIO_USER_DEVICE_INFO__ARGSZ,
  O_VFIO_USER_REGION_ACCESS__COUNT,
  O_VFIO_USER_REGION_ACCESS__OFFSET,
  O_VFIO_USER_REGION_ACCESS__REGION,
  SIZEOF_VFIO_IRQ_INFO,
  SIZEOF_VFIO_IRQ_SET,
  SIZEOF_VFIO_REGION_INFO,
  SIZEOF_VFIO_REGION_SPARSE_MMAP_AREA,
  SIZEOF_VFIO_REGION_INFO_CAP_SPARSE_MMAP,
  SIZEOF_VFIO_USER_DEVICE_INFO,
  SIZEOF_VFIO_USER_REGION_ACCESS,
  SIZEOF_VFIO_USER_VERSION,
  VFIO_DEVICE_FLAGS_PCI,
  VFIO_DEVICE_FLAGS_RESET,
  VFIO_IRQ_INFO_EVENTFD,
  VFIO_IRQ_SET_ACTION_TRIGGER,
  VFIO_IRQ_SET_ACTION_TYPE_MASK,
  VFIO_IRQ_SET_DATA_BOOL,
  VFIO_IRQ_SET_DATA_EVENTFD,
  VFIO_IRQ_SET_DATA_NONE,
  VFIO_IRQ_SET_DATA_TYPE_MASK,
  VFIO_PCI_INTX_IRQ_INDEX,
  VFIO_PCI_MSI_IRQ_INDEX,
  VFIO_PCI_MSIX_IRQ_INDEX,
  VFIO_PCI_ERR_IRQ_INDEX,
  VFIO_PCI_REQ_IRQ_INDEX,
  VFIO_PCI_BAR0_REGION_INDEX,
  VFIO_PCI_BAR2_REGION_INDEX,
  VFIO_PCI_CONFIG_REGION_INDEX,
  VFIO_REGION_INFO_FLAG_MMAP,
  VFIO_REGION_INFO_FLAG_READ,
  VFIO_REGION_INFO_FLAG_WRITE,
  VFIO_USER_DEVICE_GET_INFO,
  VFIO_USER_DEVICE_GET_IRQ_INFO,
  VFIO_USER_DEVICE_GET_REGION_INFO,
  VFIO_USER_DEVICE_RESET,
  VFIO_USER_DEVICE_SET_IRQS,
  VFIO_USER_DMA_MAP,
  VFIO_USER_DMA_UNMAP,
  VFIO_USER_F_ERROR,
  VFIO_USER_F_NO_REPLY,
  VFIO_USER_F_TYPE_MASK,
  VFIO_USER_F_TYPE_REPLY,
  VFIO_USER_REGION_READ,
  VFIO_USER_REGION_WRITE,
  VFIO_USER_VERSION,
} from "../../generated/constants.js";
import { wasm } from "../../loader.js";
import { encodeMessage, decodeMessage, HEADER_SIZE } from "../../vfio-user.js";
import { encode } from "../../encode.js";
import { structByName } from "../../schema-index.js";
import { ruleName, ruleReason } from "../../oracle-rules.js";
import { type DeviceDescription, type FdEnv, deviceBlock, fdEnvOf, irqOf, numIrqs, numRegions } from "./device.js";
import { errnoName } from "./model.js";
import { UsageError } from "../../errors.js";

const { EINVAL } = ERRNO;
/** libvfio-user limits (lib/private.h, lib/tran.h): message size, region access size. */
export const LVU_MAX_DATA_XFER = 1 << 20;
export const LVU_MAX_MSG_SIZE = LVU_MAX_DATA_XFER + HEADER_SIZE + 16;
export const LVU_MAJOR = 0,
  LVU_MINOR = 2;
/** SCM_MAX_FD: the kernel refuses more fds in one sendmsg (EINVAL). */
export const SCM_MAX_FD = LVU.LVU_MAX_FDS;
/** Words of the extended (libvfio-user) device block. */
const LVU_WORDS = LVU.LVU_WORDS;
/** Bytes of the fd table: the vectors, then the ERR, REQ and separate-INTx slots. */
const LVU_TABLE_BYTES = LVU.LVU_SLOT_INTX + 1;
/** Capability id of VFIO_REGION_INFO_CAP_SPARSE_MMAP (looked up on use: an import does not parse the schema). */
const sparseMmapCapId = (): number => structByName("vfio_region_info_cap_sparse_mmap").capId;

/** A region of the server's device (vfu_setup_region). */
export interface VuRegion {
  index: number;
  size: number;
  /** VFIO_REGION_INFO_FLAG_READ | WRITE (| MMAP when mappable). */
  flags: number;
  /** Sparse mmap areas [offset, size] (the SPARSE_MMAP capability; an fd comes with it). */
  sparse?: [number, number][];
  /** The reply's offset field (0 in libvfio-user's replies). */
  offset?: number | string | bigint;
  /** Region data as the test server's callback serves it: byte i reads (offset + i) * 7 + 3; writes are accepted; a 4-byte write at 0 triggers vector `value`. */
  pattern?: boolean;
  /**
   * What the model knows about in-bounds accesses: "pattern" (as above), "none" (no access callback:
   * the access fails) or "unknown" (another server's callback; accesses are not predicted).
   * Default: "pattern" when `pattern` is set, otherwise "none".
   */
  access?: "pattern" | "none" | "unknown";
  /** The server's GET_REGION_INFO reply for this region has something the model does not know (a probe found it): not predicted. */
  unknownCaps?: boolean;
}

/** A libvfio-user server: irq counts, regions, fd environment of the client, bugs it has. */
export interface VuDevice extends DeviceDescription {
  driver: "libvfio-user";
  regions?: never;
  vuRegions: VuRegion[];
  /** The server's VERSION reply capabilities JSON text (without the NUL), when known. */
  versionJson?: string;
  /** The server has no DMA controller: DMA_MAP/UNMAP are accepted and do nothing (unknown when absent: not generated). */
  noDma?: boolean;
  /** The server has no reset callback: DEVICE_RESET is accepted and keeps the irq fds (unknown when absent: not generated). */
  noResetCallback?: boolean;
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

/** How the model treats an in-bounds access of a region. */
export const regionAccess = (r: VuRegion): "pattern" | "none" | "unknown" =>
  r.access ?? (r.pattern ? "pattern" : "none");

/**
 * The fd environment the replay client (vu-replay, shipped with the CLI) sets up before its first
 * message and checks with its ENV command: 32 non-blocking eventfds, /dev/null read-only, a pipe's
 * read end, /dev/null write-only, and fds it keeps closed.
 */
export const CLIENT_FD_ENV = {
  eventfds: "100-131",
  files: "200-202",
  writable: "202",
  closed: "77,99,150,512,1000",
} as const satisfies FdEnv;

/** The vu-server device of the peer stage (tests/vfio-user/vu-server.c), as the model knows it. */
export function vuServerDevice(counts: number[] = [1, 4, 16, 1, 1], extra: Partial<VuDevice> = {}): VuDevice {
  return {
    name: "vu-server",
    driver: "libvfio-user",
    irqs: counts.map((count, index) => ({ index, count, flags: 1 })),
    vuRegions: [
      {
        index: VFIO_PCI_BAR0_REGION_INDEX,
        size: 0x1000,
        flags: VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE,
        pattern: true,
      },
      {
        index: VFIO_PCI_BAR2_REGION_INDEX,
        size: 0x8000,
        flags: VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE | VFIO_REGION_INFO_FLAG_MMAP,
        sparse: [
          [0, 0x1000],
          [0x4000, 0x1000],
        ],
      },
      // PCI Express: the extended config space
      {
        index: VFIO_PCI_CONFIG_REGION_INDEX,
        size: 0x1000,
        flags: VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE,
      },
    ],
    fds: CLIENT_FD_ENV,
    noDma: true,
    noResetCallback: true,
    ...extra,
  };
}

/**
 * Why the model cannot follow a server with this device, or null. The model keeps LVU_SLOTS
 * vector slots (MSI-X's limit; libvfio-user sets none). A server of the snapshot whose ERR count
 * is above 2 or REQ count above 1 closes what is not an fd when the client leaves
 * (LVU_BUG_ERR_REQ_ARRAY) and crashes: nothing after the first connection can be predicted.
 */
export function vuModelGap(d: VuDevice): string | null {
  const count = (i: number) => irqOf(d, i)?.count ?? 0;
  const vectors = Math.max(
    count(VFIO_PCI_INTX_IRQ_INDEX),
    count(VFIO_PCI_MSI_IRQ_INDEX),
    count(VFIO_PCI_MSIX_IRQ_INDEX),
  );
  if (vectors > LVU.LVU_SLOTS)
    return `${vectors} vectors in one index: the libvfio-user model follows at most ${LVU.LVU_SLOTS} (the MSI-X limit)`;
  return vuCrashOnLeave(d);
}

/** Why a server with this device crashes when its first client leaves (LVU_BUG_ERR_REQ_ARRAY), or null. */
export function vuCrashOnLeave(d: Pick<VuDevice, "irqs" | "fixed">): string | null {
  const count = (i: number) => irqOf(d, i)?.count ?? 0;
  const err = count(VFIO_PCI_ERR_IRQ_INDEX),
    req = count(VFIO_PCI_REQ_IRQ_INDEX);
  if ((err > 2 || req > 1) && !d.fixed?.includes("LVU_BUG_ERR_REQ_ARRAY"))
    return (
      `ERR count ${err}, REQ count ${req}: libvfio-user (LVU_BUG_ERR_REQ_ARRAY) closes entries past REQ's eventfd, ` +
      "which are not fds, when a client leaves, and the server crashes; --fixed LVU_BUG_ERR_REQ_ARRAY for a server without the bug"
    );
  return null;
}

export class VfioUserModel {
  readonly device: VuDevice;
  readonly state: Uint32Array;
  /** Slot -> the client fd it holds (eventfd identity for counters). */
  private slots = new Map<number, Slot>();
  /** The client's fd environment: fd -> LVU.FD_* (absent: closed). */
  private readonly fdKinds = new Map<number, number>();
  readonly counts = new Map<number, number>();
  private connected = false;
  private negotiated = false;
  /** A header whose body the server is still reading. */
  private pending: { hdr: Uint8Array; fds: number[]; need: number } | null = null;

  constructor(device: VuDevice) {
    const gap = vuModelGap(device);
    if (gap) throw new UsageError("E_BAD_ARG", `vfio-user model: ${gap}`, 0, "device");
    this.device = device;
    this.state = new Uint32Array(LVU_WORDS);
    this.state.set(deviceBlock(device));
    this.state[DEV.FEATURES] |= LVU.LVU_EXTENDED;
    const env = fdEnvOf(device);
    for (const fd of env.files) this.fdKinds.set(fd, LVU.FD_READONLY);
    for (const fd of env.writable) this.fdKinds.set(fd, LVU.FD_WRITABLE);
    for (const fd of env.eventfds) this.fdKinds.set(fd, LVU.FD_EVENTFD);
  }

  private get maxIvs(): number {
    return Math.max(0, ...this.device.irqs.map((q) => q.count));
  }
  private count(index: number): number {
    return irqOf(this.device, index)?.count ?? 0;
  }
  /** The fd table as the wasm oracle keeps it: one byte per slot, kind | owner index << 2. */
  private get table(): Uint8Array {
    return new Uint8Array(this.state.buffer, LVU.LVU_TABLE * 4, LVU_TABLE_BYTES);
  }

  /** fd kind (LVU.FD_*) in the client's environment: 0 closed. */
  fdKind(fd: number): number {
    return this.fdKinds.get(fd) ?? 0;
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
    this.table.fill(0);
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
      else if (h.size === HEADER_SIZE && h.command !== VFIO_USER_DEVICE_RESET)
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
    if (h.command !== VFIO_USER_VERSION) {
      err = EINVAL;
      why = "the first message is not VERSION";
    } else if (need < SIZEOF_VFIO_USER_VERSION) {
      err = EINVAL;
      why = "VERSION body shorter than major + minor";
    } else if (u16(body, 0) !== LVU_MAJOR) {
      err = EINVAL;
      why = `major ${u16(body, 0)} is not ${LVU_MAJOR}`;
    } else if (need > SIZEOF_VFIO_USER_VERSION) {
      const json = body.subarray(SIZEOF_VFIO_USER_VERSION);
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
      command: VFIO_USER_VERSION,
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
    const d = this.device;
    switch (h.command) {
      case VFIO_USER_DMA_MAP:
      case VFIO_USER_DMA_UNMAP:
        return ok(null, "NO_DMA", "the device has no DMA controller: accepted, nothing done");
      case VFIO_USER_DEVICE_GET_INFO: {
        const size = SIZEOF_VFIO_USER_DEVICE_INFO;
        if (body.length < size || dv.getUint32(O_VFIO_USER_DEVICE_INFO__ARGSZ, le) < size)
          return fail(EINVAL, "LVU_SHORT", `body or argsz below ${size} (vfio_user_device_info)`);
        const flags = d.info?.flags ?? VFIO_DEVICE_FLAGS_PCI | VFIO_DEVICE_FLAGS_RESET;
        const info = { argsz: size, flags, num_regions: numRegions(d), num_irqs: numIrqs(d) };
        return ok(encode("vfio_user_device_info", info), "OK", `${size}-byte device info`);
      }
      case VFIO_USER_DEVICE_GET_IRQ_INFO: {
        const size = SIZEOF_VFIO_IRQ_INFO;
        if (body.length < size || dv.getUint32(O_VFIO_IRQ_INFO__ARGSZ, le) < size)
          return fail(EINVAL, "LVU_SHORT", `body or argsz below ${size} (vfio_irq_info)`);
        const index = dv.getUint32(O_VFIO_IRQ_INFO__INDEX, le);
        if (index >= numIrqs(d)) return fail(EINVAL, "INDEX", "index >= VFU_DEV_NUM_IRQS");
        return ok(
          encode("vfio_irq_info", { argsz: size, flags: VFIO_IRQ_INFO_EVENTFD, index, count: this.count(index) }),
          "OK",
          `${size} bytes: argsz ${size}, flags EVENTFD only`,
        );
      }
      case VFIO_USER_DEVICE_GET_REGION_INFO:
        return this.regionInfo(body);
      case VFIO_USER_DEVICE_SET_IRQS:
        return this.setIrqs(body, fds);
      case VFIO_USER_REGION_READ:
      case VFIO_USER_REGION_WRITE:
        return this.regionAccess(h.command === VFIO_USER_REGION_WRITE, body);
      case VFIO_USER_DEVICE_RESET:
        return ok(null, "RESET", "no reset callback: accepted; irq fds stay");
      default:
        return fail(EINVAL, "BAD_COMMAND", `command ${h.command} is not handled by the server`);
    }
  }

  private regionInfo(body: Uint8Array) {
    const dv = new DataView(body.buffer, body.byteOffset, body.byteLength);
    const size = SIZEOF_VFIO_REGION_INFO;
    if (body.length < size || dv.getUint32(O_VFIO_REGION_INFO__ARGSZ, true) < size)
      return { err: EINVAL, body: null, rule: "LVU_SHORT", reason: `body or argsz below ${size} (vfio_region_info)` };
    const argsz = dv.getUint32(O_VFIO_REGION_INFO__ARGSZ, true),
      index = dv.getUint32(O_VFIO_REGION_INFO__INDEX, true);
    if (index >= numRegions(this.device))
      return { err: EINVAL, body: null, rule: "NO_REGION", reason: "index >= the server's number of regions" };
    const r = this.device.vuRegions.find((x) => x.index === index) ?? { index, size: 0, flags: 0 };
    const areas = r.size > 0 ? (r.sparse ?? []) : [];
    const capsSize = areas.length
      ? SIZEOF_VFIO_REGION_INFO_CAP_SPARSE_MMAP + SIZEOF_VFIO_REGION_SPARSE_MMAP_AREA * areas.length
      : 0;
    const full = size + capsSize;
    const fits = capsSize > 0 && argsz >= full;
    // the chain as the codec builds it (SPARSE_MMAP right after the struct, CAPS set) when it fits
    const caps = fits
      ? [
          {
            header: { id: sparseMmapCapId(), version: 1 },
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
      offset: BigInt(r.offset ?? 0),
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
    const size = SIZEOF_VFIO_USER_REGION_ACCESS;
    if (body.length < size) return fail("LVU_SHORT", `body below ${size} (vfio_user_region_access)`);
    const dv = new DataView(body.buffer, body.byteOffset, body.byteLength);
    const offset = dv.getBigUint64(O_VFIO_USER_REGION_ACCESS__OFFSET, true),
      region = dv.getUint32(O_VFIO_USER_REGION_ACCESS__REGION, true),
      count = dv.getUint32(O_VFIO_USER_REGION_ACCESS__COUNT, true);
    if (count > LVU_MAX_DATA_XFER) return fail("XFER_SIZE", "count above max_data_xfer_size");
    if (write && body.length - size !== count) return fail("WRITE_COUNT", "the data length is not count");
    if (region >= numRegions(this.device)) return fail("NO_REGION", "region index >= the number of regions");
    const r = this.device.vuRegions.find((x) => x.index === region) ?? { index: region, size: 0, flags: 0 };
    const end = offset + BigInt(count);
    if ((end > 0xffffffffffffffffn ? 0xffffffffffffffffn : end) > BigInt(r.size))
      return fail("OUT_OF_BOUNDS", "offset + count beyond the region");
    if (count === 0) return { err: 0, body: null, rule: "EMPTY", reason: "count 0: nothing accessed, no body" };
    const head = encode("vfio_user_region_access", { offset, region, count });
    const access = regionAccess(r);
    if (access === "unknown") throw new Error(`vfio-user model: region ${region}'s data is not known to the model`);
    if (access === "none") {
      // the reply body is allocated before the access fails, and the error reply sends it along
      // (the protocol says an error reply holds only the header)
      const errBody = new Uint8Array(size + (write ? 0 : count));
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
      if (offset === 0n && count === 4) this.doorbell(dv.getUint32(size, true));
      return { err: 0, body: head, rule: "WRITE", reason: `${count} bytes written` };
    }
    const out = new Uint8Array(size + count);
    out.set(head);
    for (let i = 0; i < count; i++) out[size + i] = (Number((offset + BigInt(i)) & 0xffn) * 7 + 3) & 0xff;
    return { err: 0, body: out, rule: "READ", reason: `${count} bytes of the test pattern` };
  }

  /** vfu_irq_trigger(subindex) from the test server's BAR0 doorbell: the shared table's slot. */
  private doorbell(subindex: number): void {
    if (subindex >= this.maxIvs) return; // EINVAL, ignored by the callback
    this.signal(this.slots.get(subindex)); // no fd: ENOENT
  }

  private signal(s: Slot | undefined): void {
    if (s?.kind === LVU.FD_EVENTFD) this.counts.set(s.fd, (this.counts.get(s.fd) ?? 0) + 1);
  }

  /** The table slot of (index, vector) on the device block at `dev`: the wasm oracle's rule (ERR, REQ, INTx shared or not). */
  private slotOf(dev: number, index: number, vector: number): number {
    return (wasm().oracle_lvu_slot as (d: number, i: number, v: number) => number)(dev, index, vector);
  }

  /** Room in wasm memory for the extended device block and a message body. */
  private scratch(bodyLength: number): { dev: number; buf: number } {
    const w = wasm();
    const region = w.arena_ptr() + (1 << 20);
    const need = (1 << 20) + LVU_WORDS * 4 + 64 + bodyLength;
    if (w.arena_cap() < need && w.arena_reserve(need) < 0) throw new Error("vfio-abi oracle: cannot grow wasm memory");
    return { dev: region, buf: region + LVU_WORDS * 4 + 64 };
  }

  private setIrqs(body: Uint8Array, fds: number[]) {
    const w = wasm();
    this.state[LVU.LVU_MSG_NFDS] = fds.length;
    fds.slice(0, SCM_MAX_FD).forEach((fd, j) => {
      this.state[LVU.LVU_MSG_KINDS + j] = this.fdKind(fd);
    });
    const { dev, buf } = this.scratch(body.length);
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
    this.track(dev, body, fds, rule, elem);
    const name = ruleName(rule);
    return ret < 0
      ? { err: -ret, body: null, rule: name, reason: ruleReason(rule) }
      : { err: 0, body: null, rule: name, reason: ruleReason(rule) };
  }

  /**
   * Follow which client fd each table slot holds (the wasm table knows only kinds) and which
   * eventfds a trigger signals. Only requests the oracle let through to the action change anything.
   */
  private track(dev: number, body: Uint8Array, fds: number[], rule: number, failedElem: number): void {
    const acted =
      rule === R.OK ||
      rule === R.LVU_TRIGGER_FD ||
      rule === R.LVU_BUG_DISABLE_RANGE ||
      rule === R.LVU_BUG_INTX_SHARED ||
      rule === R.LVU_BUG_ERR_REQ_ARRAY;
    if (!acted || body.length < SIZEOF_VFIO_IRQ_SET) return;
    const dv = new DataView(body.buffer, body.byteOffset, body.byteLength);
    const flags = dv.getUint32(O_VFIO_IRQ_SET__FLAGS, true),
      index = dv.getUint32(O_VFIO_IRQ_SET__INDEX, true),
      start = dv.getUint32(O_VFIO_IRQ_SET__START, true),
      count = dv.getUint32(O_VFIO_IRQ_SET__COUNT, true);
    const dt = flags & VFIO_IRQ_SET_DATA_TYPE_MASK;
    if ((flags & VFIO_IRQ_SET_ACTION_TYPE_MASK) !== VFIO_IRQ_SET_ACTION_TRIGGER) return;
    if (dt === VFIO_IRQ_SET_DATA_EVENTFD && fds.length) {
      for (let j = 0; j < count; j++)
        this.slots.set(this.slotOf(dev, index, start + j), { fd: fds[j], kind: this.fdKind(fds[j]) });
      return;
    }
    if (dt === VFIO_IRQ_SET_DATA_EVENTFD || (dt === VFIO_IRQ_SET_DATA_NONE && count === 0)) {
      // a disable: the slots the oracle cleared no longer hold an fd
      const table = this.table;
      for (const slot of [...this.slots.keys()]) if (table[slot] === 0) this.slots.delete(slot);
      return;
    }
    // DATA_NONE / DATA_BOOL trigger: each slot in turn until a write fails (failedElem)
    const last = failedElem >= 0 ? failedElem : count;
    for (let i = 0; i < last; i++) {
      if (dt === VFIO_IRQ_SET_DATA_BOOL && body[SIZEOF_VFIO_IRQ_SET + i] !== 1) continue;
      this.signal(this.slots.get(this.slotOf(dev, index, start + i)));
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
