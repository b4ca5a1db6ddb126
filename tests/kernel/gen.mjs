// Request generator for the real-kernel stage: every request is built with the codec's encoder
// (dist/bindings), never typed as hex. Two parts per device:
//  * a fixed script: DEVICE_GET_INFO / GET_IRQ_INFO / GET_REGION_INFO (argsz variants, the lie, the
//    two-call retry built from the model's predicted "too small" reply), RESET, every invalid
//    SET_IRQS class of vfio-abi.md §8.6, INTx / MSI / MSI-X / ERR / REQ cycles;
//  * a seeded generator of valid and near-valid SET_IRQS buffers (mulberry32), a few hundred per kernel.
// Items: { ioctl: 'DEVICE_SET_IRQS' | ..., bytes: Uint8Array, note }.
import { rng } from "../helpers/rng.mjs";
import {
  decode,
  encode,
  retryRequest,
  VFIO_IRQ_SET_ACTION_MASK,
  VFIO_IRQ_SET_ACTION_TRIGGER,
  VFIO_IRQ_SET_ACTION_UNMASK,
  VFIO_IRQ_SET_DATA_BOOL,
  VFIO_IRQ_SET_DATA_EVENTFD,
  VFIO_IRQ_SET_DATA_NONE,
  VFIO_PCI_ERR_IRQ_INDEX,
  VFIO_PCI_MSI_IRQ_INDEX,
  VFIO_PCI_MSIX_IRQ_INDEX,
  VFIO_PCI_REQ_IRQ_INDEX,
} from "../../dist/bindings/index.js";

export const EFD = (i) => 100 + i; // replay eventfds: fds 100..131
export const NOT_EVENTFD = 1; // stdout of the replay program (console)
export const CLOSED = [99, 77, 512, 4096, 0x7fffffff];

export const T = VFIO_IRQ_SET_ACTION_TRIGGER,
  MASK = VFIO_IRQ_SET_ACTION_MASK,
  UNMASK = VFIO_IRQ_SET_ACTION_UNMASK,
  NONE = VFIO_IRQ_SET_DATA_NONE,
  BOOL = VFIO_IRQ_SET_DATA_BOOL,
  EVENTFD = VFIO_IRQ_SET_DATA_EVENTFD;

/** Read (and so reset) all 32 replay eventfds: the model predicts each counter. */
export const efdReads = (note) =>
  Array.from({ length: 32 }, (_, i) => ({
    ioctl: "EFD_READ",
    efd: i,
    bytes: new Uint8Array(0),
    note: `${note}: EFD_READ ${i}`,
  }));

/**
 * vfio_irq_set through the encoder; argsz/length override for near-valid buffers. `prof` is the
 * codec profile of the guest ({ arch: "s390x" } encodes big-endian); the default is little-endian.
 */
export function irqSet({ flags, index, start = 0, count = 0, data = [], argsz, length }, prof = {}) {
  // flags built with | are negative once bit 31 is set: encode takes u32 values, not int32 bit patterns
  const v = { flags: flags >>> 0, index, start, count, data };
  if (argsz !== undefined) v.argsz = argsz;
  if (length !== undefined) v.$ = { length };
  return encode("vfio_irq_set", v, prof);
}
/** The INFO request encoders for one profile (argsz/length as above). */
export function infoBuilders(prof = {}) {
  return {
    irqInfo: (index, argsz = 16, length) =>
      encode("vfio_irq_info", { argsz, index, ...(length ? { $: { length } } : {}) }, prof),
    regionInfo: (index, argsz = 32, length) =>
      encode("vfio_region_info", { argsz, index, $: { length: length ?? Math.max(32, argsz) } }, prof),
    deviceInfo: (argsz, length) =>
      encode("vfio_device_info", { argsz, $: { length: length ?? argsz } }, { epoch: "6.6", ...prof }),
  };
}
export const { irqInfo, regionInfo, deviceInfo } = infoBuilders();

export { rng };

/** A request script under construction for one codec profile: add an ioctl, a SET_IRQS, eventfd reads. */
function script(prof) {
  const out = [];
  const add = (ioctl, bytes, note) => out.push({ ioctl, bytes, note });
  const set = (note, o) => add("DEVICE_SET_IRQS", irqSet(o, prof), note);
  const reads = (note) => out.push(...efdReads(note));
  return { out, add, set, reads };
}

/**
 * Fixed script for one device. `model` is a DeviceModel used only to build the second call of
 * the argsz protocol (the retry a client sends after the predicted "too small" reply).
 */
export function fixedItems(dev, model, prof = {}) {
  const s = script(prof);
  const cnt = (i) => dev.irqs.find((q) => q.index === i)?.count ?? 0;
  infoQueries(s, dev, model, prof);
  s.reads("start");
  errnoTable(s);
  intxCycle(s);
  msiCycle(s, cnt(VFIO_PCI_MSI_IRQ_INDEX));
  msixCycle(s, cnt(VFIO_PCI_MSIX_IRQ_INDEX));
  for (const idx of [VFIO_PCI_ERR_IRQ_INDEX, VFIO_PCI_REQ_IRQ_INDEX]) errReqCycle(s, idx);
  return s.out;
}

/** DEVICE_GET_INFO, GET_IRQ_INFO and GET_REGION_INFO (argsz variants, the two-call retry) and RESET. */
function infoQueries({ add }, dev, model, prof) {
  const { irqInfo, regionInfo, deviceInfo } = infoBuilders(prof);
  const bigEndian = prof.arch === "s390x";
  // DEVICE_GET_INFO: argsz 24, 20, 16, 8; argsz 24 with only 20 bytes (6.6+ writes 24)
  add("DEVICE_GET_INFO", deviceInfo(24), "get_info argsz 24");
  add("DEVICE_GET_INFO", deviceInfo(20), "get_info argsz 20");
  add("DEVICE_GET_INFO", deviceInfo(16), "get_info argsz 16");
  add("DEVICE_GET_INFO", deviceInfo(8, 16), "get_info argsz 8");
  add("DEVICE_GET_INFO", deviceInfo(24, 20), "get_info argsz 24, 20-byte buffer");
  add("DEVICE_GET_INFO", deviceInfo(32, 32), "get_info argsz 32");
  // GET_IRQ_INFO: every index, bad argsz, bad index, oversize
  for (let i = 0; i <= 5; i++) add("DEVICE_GET_IRQ_INFO", irqInfo(i), `irq_info index ${i}`);
  add("DEVICE_GET_IRQ_INFO", irqInfo(0, 12, 16), "irq_info argsz 12");
  add("DEVICE_GET_IRQ_INFO", irqInfo(0xffffffff), "irq_info index 0xffffffff");
  add("DEVICE_GET_IRQ_INFO", irqInfo(2, 64, 64), "irq_info argsz 64");
  add("DEVICE_GET_IRQ_INFO", irqInfo(1, 32, 16), "irq_info argsz 32, 16-byte buffer");
  // GET_REGION_INFO: indexes 0..9 with argsz 32/64/36/40, the lie, argsz 16, bad index, retries
  for (let i = 0; i <= 9; i++) {
    add("DEVICE_GET_REGION_INFO", regionInfo(i, 32), `region ${i} argsz 32`);
    add("DEVICE_GET_REGION_INFO", regionInfo(i, 64), `region ${i} argsz 64`);
  }
  for (const r of dev.regions ?? []) {
    if (!r.caps?.length && r.flags === 0) continue;
    add("DEVICE_GET_REGION_INFO", regionInfo(r.index, 36), `region ${r.index} argsz 36`);
    add("DEVICE_GET_REGION_INFO", regionInfo(r.index, 40), `region ${r.index} argsz 40`);
    add("DEVICE_GET_REGION_INFO", regionInfo(r.index, 48, 32), `region ${r.index} argsz 48, 32-byte buffer`);
    if (r.caps?.length) {
      // two-call protocol: first call with argsz 32; the second one is what retryRequest builds from the reply
      const first = regionInfo(r.index, 32);
      const predicted = model.predict("DEVICE_GET_REGION_INFO", first, { bigEndian }).after;
      const second = retryRequest("vfio_region_info", decode("vfio_region_info", predicted, prof), prof);
      add("DEVICE_GET_REGION_INFO", first, `region ${r.index} two-call: first`);
      add("DEVICE_GET_REGION_INFO", second, `region ${r.index} two-call: retry argsz ${second.length}`);
    }
  }
  add("DEVICE_GET_REGION_INFO", regionInfo(0, 16, 32), "region argsz 16");
  add("DEVICE_GET_REGION_INFO", regionInfo(0xffffffff), "region index 0xffffffff");
  add("DEVICE_RESET", new Uint8Array(0), "reset");
}

/** The validator's and the handlers' errno classes (the errno table), from a device with nothing enabled. */
function errnoTable({ set }) {
  set("two DATA bits", { flags: NONE | BOOL | T, index: 1, count: 1, argsz: 20, length: 20 });
  set("two ACTION bits on INTx", { flags: NONE | MASK | T, index: 0, count: 1 });
  set("no DATA bit", { flags: T, index: 1, count: 1 });
  set("no ACTION bit, MSI", { flags: NONE, index: 1, count: 1 });
  set("no ACTION bit, MSI-X", { flags: NONE, index: 2, count: 1 });
  set("unknown flag 0x40", { flags: 0x40 | NONE | T, index: 1, count: 1 });
  set("unknown flag 0x80000000", { flags: 0x80000000 | NONE | T, index: 4, count: 1 });
  set("argsz 16", { flags: NONE | T, index: 1, count: 0, argsz: 16, length: 20 });
  set("argsz 0", { flags: NONE | T, index: 4, count: 1, argsz: 0, length: 20 });
  set("index 5", { flags: NONE | T, index: 5, count: 1 });
  set("index 0xffffffff", { flags: NONE | T, index: 0xffffffff, count: 1 });
  set("count overflow start 1", { flags: NONE | T, index: 2, start: 1, count: 0xffffffff });
  set("start=count=0x80000000", { flags: NONE | T, index: 2, start: 0x80000000, count: 0x80000000 });
  set("start 0xffffffff count 0", { flags: NONE | T, index: 4, start: 0xffffffff, count: 0 });
  set("count 64 > MSI count", { flags: NONE | T, index: 1, count: 64 });
  set("INTx start 1 count 0", { flags: NONE | T, index: 0, start: 1, count: 0 });
  set("EVENTFD count 2, one fd", { flags: EVENTFD | T, index: 2, count: 2, data: [EFD(0)], argsz: 24 });
  set("BOOL count 3, 2 bytes", { flags: BOOL | T, index: 2, count: 3, data: [1, 1], argsz: 22 });
  set("BOOL argsz 19+count", { flags: BOOL | T, index: 4, count: 1, data: [1], argsz: 20, length: 21 });
  set("loopback MSI, nothing enabled", { flags: NONE | T, index: 1, count: 1 });
  set("loopback MSI-X, nothing enabled", { flags: BOOL | T, index: 2, count: 1, data: [1] });
  set("MASK on MSI", { flags: NONE | MASK, index: 1, count: 1 });
  set("UNMASK on MSI-X", { flags: NONE | UNMASK, index: 2, count: 1 });
  set("eventfd fd 1 (not an eventfd)", { flags: EVENTFD | T, index: 1, count: 1, data: [NOT_EVENTFD] });
  set("eventfd fd 99 (closed)", { flags: EVENTFD | T, index: 1, count: 1, data: [99] });
  set("eventfd fd 0x7fffffff", { flags: EVENTFD | T, index: 2, count: 1, data: [0x7fffffff] });
  set("disable MSI, not enabled, argsz 64", { flags: NONE | T, index: 1, count: 0, argsz: 64, length: 64 });
  set("disable MSI-X, not enabled", { flags: NONE | T, index: 2, count: 0 });
  set("MSI EVENTFD count 0, not enabled", { flags: EVENTFD | T, index: 1, count: 0 });
  set("MSI-X EVENTFD count 0, not enabled", { flags: EVENTFD | T, index: 2, count: 0 });
  set("MSI-X BOOL count 0, not enabled", { flags: BOOL | T, index: 2, count: 0 });
  set("MSI-X EVENTFD start 1 count 0, not enabled", { flags: EVENTFD | T, index: 2, start: 1, count: 0 });
  set("MSI-X disable after it", { flags: NONE | T, index: 2, count: 0 });
  set("ERR trigger fd", { flags: EVENTFD | T, index: 3, count: 1, data: [EFD(9)] });
  set("ERR MASK", { flags: NONE | MASK, index: 3, count: 1 });
  set("INTx MASK, INTx not enabled", { flags: NONE | MASK, index: 0, count: 1 });
  set("INTx loopback, INTx not enabled", { flags: NONE | T, index: 0, count: 1 });
  set("INTx disable, not enabled", { flags: NONE | T, index: 0, count: 0 });
}

/** INTx: trigger, mask/unmask (NONE, BOOL, irqfd), loopbacks, the other types while INTx is on, disable. */
function intxCycle({ set, reads }) {
  set("INTx trigger eventfd", { flags: EVENTFD | T, index: 0, count: 1, data: [EFD(1)] });
  set("INTx MASK NONE", { flags: NONE | MASK, index: 0, count: 1 });
  set("INTx UNMASK NONE", { flags: NONE | UNMASK, index: 0, count: 1 });
  set("INTx MASK BOOL 1", { flags: BOOL | MASK, index: 0, count: 1, data: [1] });
  set("INTx UNMASK BOOL 0", { flags: BOOL | UNMASK, index: 0, count: 1, data: [0] });
  set("INTx UNMASK BOOL 1", { flags: BOOL | UNMASK, index: 0, count: 1, data: [1] });
  set("INTx MASK EVENTFD", { flags: EVENTFD | MASK, index: 0, count: 1, data: [EFD(2)] });
  set("INTx MASK count 0", { flags: NONE | MASK, index: 0, count: 0 });
  set("INTx UNMASK start 1", { flags: NONE | UNMASK, index: 0, start: 1, count: 1 });
  set("INTx UNMASK EVENTFD closed fd", { flags: EVENTFD | UNMASK, index: 0, count: 1, data: [99] });
  set("INTx UNMASK EVENTFD", { flags: EVENTFD | UNMASK, index: 0, count: 1, data: [EFD(2)] });
  set("INTx UNMASK EVENTFD again (irqfd busy)", { flags: EVENTFD | UNMASK, index: 0, count: 1, data: [EFD(3)] });
  set("INTx UNMASK EVENTFD not-eventfd while busy", {
    flags: EVENTFD | UNMASK,
    index: 0,
    count: 1,
    data: [NOT_EVENTFD],
  });
  set("INTx UNMASK EVENTFD -1", { flags: EVENTFD | UNMASK, index: 0, count: 1, data: [-1] });
  set("INTx UNMASK EVENTFD after release", { flags: EVENTFD | UNMASK, index: 0, count: 1, data: [EFD(3)] });
  set("INTx loopback NONE", { flags: NONE | T, index: 0, count: 1 });
  set("INTx loopback BOOL", { flags: BOOL | T, index: 0, count: 1, data: [1] });
  set("INTx trigger count 2", { flags: NONE | T, index: 0, count: 2 });
  set("MSI enable while INTx", { flags: EVENTFD | T, index: 1, count: 1, data: [EFD(4)] });
  set("MSI-X disable while INTx", { flags: NONE | T, index: 2, count: 0 });
  set("INTx trigger fd -1 (keeps INTx)", { flags: EVENTFD | T, index: 0, count: 1, data: [-1] });
  set("INTx trigger not-eventfd", { flags: EVENTFD | T, index: 0, count: 1, data: [NOT_EVENTFD] });
  set("INTx trigger fd again", { flags: EVENTFD | T, index: 0, count: 1, data: [EFD(1)] });
  set("INTx disable", { flags: NONE | T, index: 0, count: 0 });
  reads("after the INTx cycle");
  set("INTx disable again", { flags: NONE | T, index: 0, count: 0 });
  set("INTx UNMASK after disable", { flags: NONE | UNMASK, index: 0, count: 1 });
  set("INTx enable with fd -1", { flags: EVENTFD | T, index: 0, count: 1, data: [-1] });
  set("INTx UNMASK EVENTFD (new INTx)", { flags: EVENTFD | UNMASK, index: 0, count: 1, data: [EFD(2)] });
  set("INTx disable 2", { flags: NONE | T, index: 0, count: 0 });
}

/** MSI with `nmsi` vectors: enable, loopbacks, the others while MSI is on, grow, partial enables, bad fds. */
function msiCycle({ set, reads }, nmsi) {
  set("MSI enable 1 vector", { flags: EVENTFD | T, index: 1, count: 1, data: [EFD(4)] });
  set("MSI loopback NONE", { flags: NONE | T, index: 1, count: 1 });
  set("MSI loopback BOOL", { flags: BOOL | T, index: 1, count: 1, data: [1] });
  set("MSI argsz 64 slack while enabled", {
    flags: EVENTFD | T,
    index: 1,
    count: 1,
    data: [EFD(18)],
    argsz: 64,
    length: 64,
  });
  set("MSI EVENTFD count 0 while enabled", { flags: EVENTFD | T, index: 1, count: 0 });
  set("MSI BOOL count 0 while enabled", { flags: BOOL | T, index: 1, count: 0 });
  set("MSI-X enable while MSI", { flags: EVENTFD | T, index: 2, count: 1, data: [EFD(13)] });
  set("INTx enable while MSI", { flags: EVENTFD | T, index: 0, count: 1, data: [EFD(1)] });
  set("INTx MASK while MSI", { flags: NONE | MASK, index: 0, count: 1 });
  set("MSI de-assign fd -1", { flags: EVENTFD | T, index: 1, count: 1, data: [-1] });
  set("MSI fd -7", { flags: EVENTFD | T, index: 1, count: 1, data: [-7] });
  set("MSI closed fd while enabled", { flags: EVENTFD | T, index: 1, count: 1, data: [512] });
  set("MSI not-eventfd while enabled", { flags: EVENTFD | T, index: 1, count: 1, data: [NOT_EVENTFD] });
  if (nmsi > 1) {
    set("MSI grow to 2 while enabled", { flags: EVENTFD | T, index: 1, count: 2, data: [EFD(4), EFD(5)] });
    set("MSI start 1 fd -1 while enabled", { flags: EVENTFD | T, index: 1, start: 1, count: 1, data: [-1] });
    set("MSI loopback 2 while 1 enabled", { flags: NONE | T, index: 1, count: 2 });
  }
  set("MSI disable", { flags: NONE | T, index: 1, count: 0 });
  set("MSI disable again", { flags: NONE | T, index: 1, count: 0 });
  reads("after the MSI cycle");
  if (nmsi >= 4) {
    set("MSI enable 4 vectors", { flags: EVENTFD | T, index: 1, count: 4, data: [EFD(4), EFD(5), EFD(6), EFD(7)] });
    set("MSI loopback 4", { flags: NONE | T, index: 1, count: 4 });
    set("MSI disable (4)", { flags: NONE | T, index: 1, count: 0 });
    set("MSI enable all vectors", {
      flags: EVENTFD | T,
      index: 1,
      count: nmsi,
      data: Array.from({ length: nmsi }, (_, i) => EFD(i)),
    });
    set("MSI disable (all)", { flags: NONE | T, index: 1, count: 0 });
    set("MSI enable start 2 count 1", { flags: EVENTFD | T, index: 1, start: 2, count: 1, data: [EFD(6)] });
    set("MSI loopback vectors 0..2", { flags: NONE | T, index: 1, count: 3 });
    set("MSI fd on vector 3 (unallocated)", { flags: EVENTFD | T, index: 1, start: 3, count: 1, data: [EFD(7)] });
    set("MSI fd -1 on vector 3 (unallocated)", { flags: EVENTFD | T, index: 1, start: 3, count: 1, data: [-1] });
    set("MSI disable (start 2)", { flags: NONE | T, index: 1, count: 0 });
  }
  set("MSI enable with bad fd (closed)", { flags: EVENTFD | T, index: 1, count: 1, data: [77] });
  set("MSI loopback after failed enable", { flags: NONE | T, index: 1, count: 1 });
}

/** MSI-X with `nx` vectors: enable, loopbacks, grow, de-assign, a failed block, the whole table. */
function msixCycle({ set, reads }, nx) {
  const k = Math.min(nx, 3);
  set("MSI-X enable k vectors", {
    flags: EVENTFD | T,
    index: 2,
    count: Math.max(k, 1),
    data: Array.from({ length: Math.max(k, 1) }, (_, i) => EFD(10 + i)),
  });
  set("MSI-X loopback NONE", { flags: NONE | T, index: 2, count: k });
  set("MSI-X loopback BOOL vector 0", {
    flags: BOOL | T,
    index: 2,
    count: k,
    data: Array.from({ length: k }, (_, i) => (i === 0 ? 1 : 0)),
  });
  set("MSI-X de-assign vector 0", { flags: EVENTFD | T, index: 2, count: 1, data: [-1] });
  set("MSI enable while MSI-X", { flags: EVENTFD | T, index: 1, count: 1, data: [EFD(20)] });
  set("MSI disable while MSI-X", { flags: NONE | T, index: 1, count: 0 });
  if (nx > k) {
    set("MSI-X grow k -> k+1", {
      flags: EVENTFD | T,
      index: 2,
      count: k + 1,
      data: Array.from({ length: k + 1 }, (_, i) => EFD(10 + i)),
    });
    set("MSI-X start k fd", { flags: EVENTFD | T, index: 2, start: k, count: 1, data: [EFD(15)] });
    set("MSI-X start k fd -1", { flags: EVENTFD | T, index: 2, start: k, count: 1, data: [-1] });
    set("MSI-X loopback all table", { flags: NONE | T, index: 2, count: nx });
    set("MSI-X EVENTFD start=nx-1 count 0... start k count 0", { flags: EVENTFD | T, index: 2, start: k, count: 0 });
    set("MSI-X closed fd past enabled", { flags: EVENTFD | T, index: 2, start: nx - 1, count: 1, data: [99] });
  }
  set("MSI-X re-arm vectors", {
    flags: EVENTFD | T,
    index: 2,
    count: Math.max(k, 1),
    data: Array.from({ length: Math.max(k, 1) }, (_, i) => EFD(24 + i)),
  });
  set("MSI-X two fds, second closed", {
    flags: EVENTFD | T,
    index: 2,
    count: 2 <= k ? 2 : 1,
    data: 2 <= k ? [EFD(10), 4096] : [4096],
  });
  set("MSI-X loopback after the failed block", { flags: NONE | T, index: 2, count: k });
  set("MSI-X disable", { flags: NONE | T, index: 2, count: 0 });
  set("MSI-X disable again", { flags: NONE | T, index: 2, count: 0 });
  reads("after the MSI-X cycle");
  if (nx > 0) {
    set("MSI-X enable fd -1 (no vectors, QEMU style)", { flags: EVENTFD | T, index: 2, count: 1, data: [-1] });
    set("MSI-X add vector at end", { flags: EVENTFD | T, index: 2, start: nx - 1, count: 1, data: [EFD(16)] });
    set("MSI-X disable 3", { flags: NONE | T, index: 2, count: 0 });
    set("MSI-X enable whole table", {
      flags: EVENTFD | T,
      index: 2,
      count: nx,
      data: Array.from({ length: nx }, (_, i) => EFD(i % 32)),
    });
    set("MSI-X loopback whole table", { flags: NONE | T, index: 2, count: nx });
    reads("after the whole-table loopback");
    set("MSI-X disable 4", { flags: NONE | T, index: 2, count: 0 });
  }
}

/** ERR (3) or REQ (4): the single trigger's set, loopbacks, bad fds, bad ranges and releases. */
function errReqCycle({ set, reads }, idx) {
  const nm = idx === 3 ? "ERR" : "REQ";
  set(`${nm} loopback, none set`, { flags: NONE | T, index: idx, count: 1 });
  set(`${nm} BOOL, none set`, { flags: BOOL | T, index: idx, count: 1, data: [1] });
  set(`${nm} set eventfd`, { flags: EVENTFD | T, index: idx, count: 1, data: [EFD(idx === 3 ? 21 : 22)] });
  set(`${nm} loopback NONE`, { flags: NONE | T, index: idx, count: 1 });
  set(`${nm} loopback BOOL`, { flags: BOOL | T, index: idx, count: 1, data: [1] });
  set(`${nm} BOOL count 0`, { flags: BOOL | T, index: idx, count: 0 });
  set(`${nm} EVENTFD count 0`, { flags: EVENTFD | T, index: idx, count: 0 });
  set(`${nm} fd -2 (ignored)`, { flags: EVENTFD | T, index: idx, count: 1, data: [-2] });
  set(`${nm} fd closed`, { flags: EVENTFD | T, index: idx, count: 1, data: [99] });
  set(`${nm} fd not eventfd`, { flags: EVENTFD | T, index: idx, count: 1, data: [NOT_EVENTFD] });
  set(`${nm} count 2`, { flags: NONE | T, index: idx, count: 2 });
  set(`${nm} start 1 count 0`, { flags: NONE | T, index: idx, start: 1, count: 0 });
  set(`${nm} UNMASK`, { flags: NONE | UNMASK, index: idx, count: 1 });
  set(`${nm} MASK|UNMASK`, { flags: NONE | MASK | UNMASK, index: idx, count: 1 });
  set(`${nm} release (NONE count 0)`, { flags: NONE | T, index: idx, count: 0 });
  set(`${nm} release again`, { flags: NONE | T, index: idx, count: 0 });
  set(`${nm} set eventfd 2`, { flags: EVENTFD | T, index: idx, count: 1, data: [EFD(23)] });
  set(`${nm} clear fd -1`, { flags: EVENTFD | T, index: idx, count: 1, data: [-1] });
  set(`${nm} clear fd -1 again`, { flags: EVENTFD | T, index: idx, count: 1, data: [-1] });
  reads(`after the ${nm} cycle`);
}

/**
 * One seeded valid / near-valid SET_IRQS buffer for `dev`: every index (and a few past the end),
 * DATA and ACTION types (sometimes two or none), unknown flag bits, start/count shapes at and past
 * the index's edges, argsz short of, equal to and beyond the payload. `pickFd()` gives eventfd
 * payload values; `unmaskFd(fd)` maps the fd of an INTx UNMASK eventfd request.
 */
export function randomSetIrqs(r, dev, pickFd, unmaskFd = (fd) => fd, prof = {}) {
  const cnt = (i) => dev.irqs.find((q) => q.index === i)?.count ?? 0;
  const index = r.chance(0.04) ? r.pick([5, 6, 0xffffffff]) : r.pick([0, 1, 1, 2, 2, 2, 3, 4]);
  const c = cnt(index);
  let data = r.pick([NONE, BOOL, EVENTFD, EVENTFD, EVENTFD]);
  let action = r.pick([T, T, T, T, MASK, UNMASK]);
  if (r.chance(0.06)) data = r.pick([0, NONE | BOOL, BOOL | EVENTFD, 7]);
  if (r.chance(0.06)) action = r.pick([0, MASK | T, MASK | UNMASK, 0x38]);
  let flags = data | action;
  if (r.chance(0.04)) flags |= r.pick([0x40, 0x100, 0x80000000]);
  let start = 0,
    count = 1;
  const shape = r.next();
  if (shape < 0.15)
    count = 0; // disable / empty
  else if (shape < 0.45)
    count = Math.max(1, r.int(Math.max(c, 1)) + 1); // within the index
  else if (shape < 0.6) {
    start = r.int(Math.max(c, 1));
    count = Math.max(0, Math.min(c - start, 1 + r.int(3)));
  } else if (shape < 0.66) {
    start = r.int(c + 2);
    count = r.int(c + 2);
  } // near the edge
  else if (shape < 0.68) {
    start = r.pick([0x80000000, 0xfffffffe, 1]);
    count = r.pick([0x80000000, 0xffffffff, 1]);
  }
  const elem = (flags & 7) === BOOL ? 1 : (flags & 7) === EVENTFD ? 4 : 0;
  const n0 = elem ? Math.min(count, 64) : 0;
  const vals = Array.from({ length: n0 }, () => (elem === 1 ? r.pick([0, 1, 1, 2, 255]) : pickFd()));
  let argsz, length;
  const sz = r.next();
  if (sz < 0.08 && elem && n0 > 0) {
    vals.pop();
    argsz = 20 + vals.length * elem;
  } // argsz short of count x elem
  else if (sz < 0.14) {
    argsz = 20 + n0 * elem + r.pick([4, 12, 44]);
    length = argsz;
  } // slack
  else if (sz < 0.17) {
    argsz = r.pick([0, 16, 19]);
    length = Math.max(20, 20 + n0 * elem);
  } // below minsz
  else if (sz < 0.2 && elem && n0 > 0) {
    vals.pop();
    argsz = 20 + n0 * elem;
  } // argsz past the buffer: the kernel reads what follows
  if (index === 0 && (flags & 0x38) === UNMASK && (flags & 7) === EVENTFD)
    vals.forEach((v, j) => {
      vals[j] = unmaskFd(v);
    });
  return irqSet({ flags, index, start, count, data: vals, argsz, length }, prof);
}

/** Seeded valid / near-valid SET_IRQS buffers for one device (n items), with eventfd reads every 35. */
export function randomItems(dev, seed, n, prof = {}) {
  const r = rng(seed);
  const out = [];
  // EFD(31) is reserved for INTx unmask irqfds (an irqfd swallows the counter of its eventfd)
  const fdPool = () =>
    r.pick([EFD(r.int(31)), EFD(r.int(31)), EFD(r.int(31)), -1, -1, -2, NOT_EVENTFD, r.pick(CLOSED)]);
  for (let i = 0; i < n; i++) {
    const bytes = randomSetIrqs(r, dev, fdPool, (v) => (v >= EFD(0) ? EFD(31) : v), prof);
    out.push({ ioctl: "DEVICE_SET_IRQS", bytes, note: `random#${i} seed ${seed}` });
    if (i % 35 === 34) out.push(...efdReads(`random#${i}`));
  }
  return out;
}

/** With interrupt remapping off: multi-vector MSI returns the vectors it got (1), MSI stays off. */
export function intremapOffItems(dev) {
  const out = [];
  const set = (note, o) => out.push({ ioctl: "DEVICE_SET_IRQS", bytes: irqSet(o), note });
  const nmsi = dev.irqs.find((q) => q.index === 1)?.count ?? 0;
  const fds = (n) => Array.from({ length: n }, (_, i) => EFD(i % 32));
  for (const n of [4, 16, 2, nmsi].filter((x) => x >= 1 && x <= nmsi)) {
    set(`MSI enable ${n} vectors`, { flags: EVENTFD | T, index: 1, count: n, data: fds(n) });
    set(`MSI loopback after ${n}`, { flags: NONE | T, index: 1, count: 1 });
    set(`MSI disable after ${n}`, { flags: NONE | T, index: 1, count: 0 });
  }
  set("MSI enable 1 vector", { flags: EVENTFD | T, index: 1, count: 1, data: [EFD(3)] });
  set("MSI loopback 1", { flags: NONE | T, index: 1, count: 1 });
  set("MSI disable 1", { flags: NONE | T, index: 1, count: 0 });
  if (nmsi > 1)
    set("MSI enable start 1 (2 vectors)", { flags: EVENTFD | T, index: 1, start: 1, count: 1, data: [EFD(4)] });
  const nx = dev.irqs.find((q) => q.index === 2)?.count ?? 0;
  if (nx > 0) {
    set("MSI-X enable all", { flags: EVENTFD | T, index: 2, count: nx, data: fds(nx) });
    set("MSI-X loopback all", { flags: NONE | T, index: 2, count: nx });
    set("MSI-X disable", { flags: NONE | T, index: 2, count: 0 });
  }
  set("INTx enable", { flags: EVENTFD | T, index: 0, count: 1, data: [EFD(5)] });
  set("INTx disable", { flags: NONE | T, index: 0, count: 0 });
  return out;
}

/** Leave the device with nothing enabled. */
export function cleanupItems(prof = {}) {
  const out = [];
  for (const index of [0, 1, 2])
    out.push({
      ioctl: "DEVICE_SET_IRQS",
      bytes: irqSet({ flags: NONE | T, index, count: 0 }, prof),
      note: `cleanup disable ${index}`,
    });
  for (const index of [3, 4])
    out.push({
      ioctl: "DEVICE_SET_IRQS",
      bytes: irqSet({ flags: EVENTFD | T, index, count: 1, data: [-1] }, prof),
      note: `cleanup clear ${index}`,
    });
  out.push(...efdReads("cleanup"));
  return out;
}
