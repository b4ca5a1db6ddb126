// Random stateful vfio-user request sequences for a device: eventfd installs, triggers, disables,
// masks, odd flags, info requests, region accesses, reconnects - only requests whose answers the
// libvfio-user model can predict for what it knows of the device (a probed server's region data,
// DMA and reset callbacks are not known, so those requests are left out).
import {
  VFIO_IRQ_SET_ACTION_MASK,
  VFIO_IRQ_SET_ACTION_TRIGGER,
  VFIO_IRQ_SET_ACTION_UNMASK,
  VFIO_IRQ_SET_DATA_BOOL,
  VFIO_IRQ_SET_DATA_EVENTFD,
  VFIO_IRQ_SET_DATA_NONE,
  VFIO_PCI_ERR_IRQ_INDEX,
  VFIO_PCI_INTX_IRQ_INDEX,
  VFIO_PCI_MSI_IRQ_INDEX,
  VFIO_PCI_MSIX_IRQ_INDEX,
  VFIO_PCI_REQ_IRQ_INDEX,
  VFIO_USER_DEVICE_GET_INFO,
  VFIO_USER_DEVICE_GET_IRQ_INFO,
  VFIO_USER_DEVICE_GET_REGION_INFO,
  VFIO_USER_DEVICE_RESET,
  VFIO_USER_DEVICE_SET_IRQS,
  VFIO_USER_REGION_READ,
  VFIO_USER_REGION_WRITE,
} from "../generated/constants.js";
import { encodeMessage } from "../vfio-user.js";
import { fdEnvOf, numRegions } from "../oracle/model/device.js";
import { regionAccess, type VuDevice } from "../oracle/model/vfio-user.js";
import { hello, type Step } from "./script.js";
import { rng } from "../rng.js";

const T = VFIO_IRQ_SET_ACTION_TRIGGER,
  NONE = VFIO_IRQ_SET_DATA_NONE,
  BOOL = VFIO_IRQ_SET_DATA_BOOL,
  EVENTFD = VFIO_IRQ_SET_DATA_EVENTFD;
const INDEXES = [
  VFIO_PCI_INTX_IRQ_INDEX,
  VFIO_PCI_MSI_IRQ_INDEX,
  VFIO_PCI_MSIX_IRQ_INDEX,
  VFIO_PCI_MSIX_IRQ_INDEX,
  VFIO_PCI_MSIX_IRQ_INDEX,
  VFIO_PCI_ERR_IRQ_INDEX,
  VFIO_PCI_REQ_IRQ_INDEX,
];
/** At most this many fds or bool bytes in one generated request. */
const MAX_ELEMS = 64;

/** Message builders: msg_id counts up per builder. */
export function builders() {
  let id = 1;
  const msg = (command: number, body: Record<string, unknown> | Uint8Array | undefined, extra = {}) =>
    // requests may carry counts their data does not have, on purpose (the server must reject them)
    encodeMessage({ msg_id: id++ & 0xffff, command, body, ...extra }, { keepCounts: true });
  const step = (note: string, bytes: Uint8Array, fds: number[] = []): Step => ({ kind: "send", note, bytes, fds });
  return {
    msg,
    step,
    setIrqs: (
      note: string,
      o: { flags: number; index: number; start?: number; count?: number; argsz?: number; data?: number[] },
      fds: number[] = [],
      extra = {},
    ) =>
      step(
        note,
        msg(
          VFIO_USER_DEVICE_SET_IRQS,
          {
            flags: o.flags,
            index: o.index,
            start: o.start ?? 0,
            count: o.count ?? 0,
            ...(o.argsz !== undefined ? { argsz: o.argsz } : {}),
            ...(o.data ? { data: o.data } : {}),
          },
          extra,
        ),
        fds,
      ),
    irqInfo: (note: string, index: number, argsz = 16) =>
      step(note, msg(VFIO_USER_DEVICE_GET_IRQ_INFO, { argsz, index })),
    regionInfo: (note: string, index: number, argsz = 32) =>
      step(note, msg(VFIO_USER_DEVICE_GET_REGION_INFO, { argsz, index })),
    deviceInfo: (note: string, argsz = 16) => step(note, msg(VFIO_USER_DEVICE_GET_INFO, { argsz })),
    read: (note: string, region: number, offset: number | bigint, count: number) =>
      step(note, msg(VFIO_USER_REGION_READ, { offset: BigInt(offset), region, count })),
    write: (note: string, region: number, offset: number | bigint, data: Uint8Array) =>
      step(note, msg(VFIO_USER_REGION_WRITE, { offset: BigInt(offset), region, data })),
    raw: (note: string, command: number, body?: Record<string, unknown> | Uint8Array, extra = {}) =>
      step(note, msg(command, body, extra)),
  };
}

/** The fds a generated request may pass: mostly eventfds, some other files, some closed fds. */
function fdPools(device: VuDevice) {
  const env = fdEnvOf(device);
  const readonly = env.files.filter((fd) => !env.writable.includes(fd));
  return { eventfds: env.eventfds, readonly, writable: env.writable };
}

/**
 * `count` random requests on one connection (it starts with connect + VERSION and ends with a
 * close), seeded: the same seed and device give the same steps. `closedFds` are fds the client
 * keeps closed (sending one makes its sendmsg fail).
 */
export function randomSteps(device: VuDevice, count: number, seed: number, closedFds: number[] = []): Step[] {
  const r = rng(seed);
  const b = builders();
  const counts = [0, 1, 2, 3, 4].map((i) => device.irqs.find((q) => q.index === i)?.count ?? 0);
  const pools = fdPools(device);
  const regions = numRegions(device);
  const bar = device.vuRegions.find((x) => regionAccess(x) === "pattern");
  const s: Step[] = [{ kind: "connect" }, hello()];
  const pickOr = (xs: number[], other: () => number) => (xs.length ? r.pick(xs) : other());
  const fd = () =>
    r.chance(0.85)
      ? pickOr(pools.eventfds, () => 100)
      : r.chance(0.5)
        ? pickOr(pools.readonly, () => pools.eventfds[0])
        : r.chance(0.7)
          ? pickOr(pools.writable, () => pools.eventfds[0])
          : pickOr(closedFds, () => pools.eventfds[0]);
  const index = () => (r.chance(0.9) ? r.pick(INDEXES) : r.int(8));
  const range = (idx: number) => {
    const n = counts[idx] ?? 0;
    if (r.chance(0.85) && n > 0) {
      const st = r.int(n);
      return [st, 1 + r.int(n - st)];
    }
    return [r.int(n + 3), r.int(n + 3)];
  };
  let before = s.length;
  const efd = () => {
    const e = pools.eventfds[r.int(Math.min(32, pools.eventfds.length))];
    return { kind: "efd", fd: e, note: `EFD ${e}` } as Step;
  };
  // `count` messages: some draws add a step that sends nothing (an eventfd read) or nothing at all
  for (let sent = 0; sent < count; sent += s.length > before && isRequest(s[s.length - 1]) ? 1 : 0) {
    before = s.length;
    const k = r.int(100);
    const idx = index();
    const [st, cnt] = range(idx);
    if (k < 22) {
      const n = r.chance(0.9) ? cnt : cnt + r.pick([-1, 1]);
      const fds = Array.from({ length: Math.max(0, Math.min(n, MAX_ELEMS)) }, fd);
      s.push(b.setIrqs("install", { flags: EVENTFD | T, index: idx, start: st, count: cnt }, fds));
    } else if (k < 40) s.push(b.setIrqs("trigger", { flags: NONE | T, index: idx, start: st, count: cnt }));
    else if (k < 48) {
      // mostly one byte per vector; sometimes one too many or too few (the server must refuse it)
      const n = Math.max(0, Math.min(cnt, MAX_ELEMS) + (r.chance(0.9) ? 0 : r.pick([-1, 1])));
      const data = Array.from({ length: n }, () => r.pick([0, 1, 1, 2]));
      s.push(b.setIrqs("bool", { flags: BOOL | T, index: idx, start: st, count: cnt, data }));
    } else if (k < 55)
      s.push(
        b.setIrqs(
          "disable",
          r.chance(0.5)
            ? { flags: EVENTFD | T, index: idx, start: st, count: cnt }
            : { flags: NONE | T, index: idx, start: 0, count: 0 },
        ),
      );
    else if (k < 59) {
      const dt = r.pick([NONE, BOOL, EVENTFD]);
      const action = r.pick([VFIO_IRQ_SET_ACTION_MASK, VFIO_IRQ_SET_ACTION_UNMASK]);
      const data = dt === BOOL ? { data: Array(Math.min(cnt, MAX_ELEMS)).fill(1) } : {};
      const fds = r.chance(0.2) ? [fd()] : [];
      s.push(b.setIrqs("mask", { flags: dt | action, index: idx, start: st, count: cnt, ...data }, fds));
    } else if (k < 64) {
      const flags = r.int(0x100);
      const argsz = r.chance(0.2) ? r.int(40) : undefined;
      const data = (flags & 7) === BOOL ? { data: Array(Math.min(cnt, MAX_ELEMS)).fill(1) } : {};
      s.push(b.setIrqs("odd flags", { flags, index: idx, start: st, count: cnt, argsz, ...data }));
    } else if (k < 70)
      s.push(b.irqInfo("irq info", r.chance(0.9) ? r.int(6) : r.int(0x100000), r.pick([16, 16, 32, 8, 0])));
    else if (k < 75) {
      const region = r.int(regions + 1),
        argsz = r.pick([32, 48, 80, 96, 16]);
      if (!device.vuRegions.find((x) => x.index === region)?.unknownCaps)
        s.push(b.regionInfo("region info", region, argsz));
    } else if (k < 77) s.push(b.deviceInfo("device info", r.pick([16, 32, 8])));
    else if (k < 82) {
      const region = r.chance(0.9) ? (bar?.index ?? 0) : r.pick([1, 2, 8]);
      const offset = r.int(0x1100),
        n = r.pick([1, 2, 4, 8, 64, 0]);
      if (predictable(device, region, offset, n)) s.push(b.read("read", region, offset, n));
    } else if (k < 85) {
      const v = r.int(20);
      if (bar) s.push(b.write("doorbell", bar.index, 0, new Uint8Array(Uint32Array.of(v).buffer)));
    } else if (k < 87) {
      const offset = 4 + r.int(64),
        data = new Uint8Array(r.int(16));
      if (bar) s.push(b.write("write", bar.index, offset, data));
    } else if (k < 95) s.push(efd());
    else if (k < 96) {
      if (device.noResetCallback) s.push(b.raw("reset", VFIO_USER_DEVICE_RESET, undefined));
    } else if (k < 97) s.push({ kind: "reconnect" });
    else s.push(b.raw("unknown command", r.pick([0, 14, 19, 99]), new Uint8Array(r.int(24))));
  }
  s.push({ kind: "close" });
  return s;
}

const isRequest = (x: Step) => x.kind === "send" || x.kind === "reconnect";

/** A read the model can answer: the region's data is known, or the access fails before it is read. */
function predictable(device: VuDevice, region: number, offset: number, count: number): boolean {
  if (region >= numRegions(device)) return true;
  const r = device.vuRegions.find((x) => x.index === region);
  if (!r || regionAccess(r) !== "unknown") return true;
  return count === 0 || offset + count > r.size;
}
