// Requests for vfio-platform / vfio-amba devices: the INFO queries, a fixed SET_IRQS script per
// irq index (trigger eventfd, loopback, mask/unmask with and without irqfds, irqfds on the trigger
// eventfd, the errno classes of the validator and the handlers) and seeded random stateful
// campaigns. Every buffer is built by the codec's encoder. Eventfd use (fds 100 + i):
//   EFD(0..27) triggers; EFD(28), EFD(29) mask irqfds; EFD(30), EFD(31) unmask irqfds in the random
//   campaigns (never signalled there, so an irqfd never fires by accident: the fixed script covers
//   irqfds that fire).
import {
  BOOL,
  CLOSED,
  EFD,
  EVENTFD,
  MASK,
  NONE,
  NOT_EVENTFD,
  TRIGGER,
  UNMASK,
  efdReads,
  infoItems,
  rng,
} from "./requests.mjs";

const TRIGGER_FDS = 28;
const MASK_IRQFD = [EFD(28), EFD(29)],
  UNMASK_IRQFD = [EFD(30), EFD(31)];

const numIrqs = (dev) => dev.info?.numIrqs ?? dev.irqs.length;
const efdRead = (fd, note) => ({ ioctl: "EFD_READ", efd: fd - 100, bytes: new Uint8Array(0), note });

/** The validator's errno classes, then a script per irq index, then a clean-up that leaves nothing set. */
export function platformFixedItems(dev, b) {
  const out = [...infoItems(dev, b)];
  const set = (note, o) => out.push({ ioctl: "DEVICE_SET_IRQS", bytes: b.irqSet(o), note });
  const read = (fd, note) => out.push(efdRead(fd, note));
  const n = numIrqs(dev);

  // vfio_set_irqs_validate_and_prepare (max_irq_type and every index's count are num_irqs)
  set("argsz 16", { flags: NONE | TRIGGER, index: 0, count: 0, argsz: 16, length: 20 });
  set("index num_irqs", { flags: NONE | TRIGGER, index: n, count: 1 });
  set("index 0xffffffff", { flags: NONE | TRIGGER, index: 0xffffffff, count: 1 });
  set("unknown flag 0x40", { flags: 0x40 | NONE | TRIGGER, index: 0, count: 1 });
  set("two DATA bits", { flags: NONE | BOOL | TRIGGER, index: 0, count: 1, argsz: 20, length: 20 });
  set("no DATA bit", { flags: TRIGGER, index: 0, count: 1 });
  set("count overflow", { flags: NONE | TRIGGER, index: 0, start: 1, count: 0xffffffff });
  set("start num_irqs, count 0", { flags: NONE | TRIGGER, index: 0, start: n, count: 0 });
  set("count num_irqs + 1", { flags: NONE | TRIGGER, index: 0, count: n + 1 });
  set("EVENTFD count 1, argsz 20", { flags: EVENTFD | TRIGGER, index: 0, count: 1, data: [], argsz: 20 });

  for (let i = 0; i < n; i++) {
    const fd = EFD(i % TRIGGER_FDS);
    const s = (note, o) => set(`irq ${i}: ${note}`, { index: i, count: 1, ...o });
    // dispatch: no ACTION bit, two ACTION bits (ENOTTY unless request_irq failed at open)
    s("no ACTION bit", { flags: NONE });
    s("MASK|UNMASK", { flags: NONE | MASK | UNMASK });
    s("MASK|TRIGGER", { flags: NONE | MASK | TRIGGER });
    s("start 1", { flags: NONE | TRIGGER, start: 1 });
    s("count 2", { flags: NONE | TRIGGER, count: 2 });
    s("EVENTFD count 0", { flags: EVENTFD | TRIGGER, count: 0 });
    s("BOOL count 0", { flags: BOOL | TRIGGER, count: 0 });
    s("loopback, no trigger", { flags: NONE | TRIGGER });
    s("trigger eventfd", { flags: EVENTFD | TRIGGER, data: [fd] });
    s("loopback NONE", { flags: NONE | TRIGGER });
    s("loopback BOOL 1", { flags: BOOL | TRIGGER, data: [1] });
    s("loopback BOOL 0", { flags: BOOL | TRIGGER, data: [0] });
    read(fd, `irq ${i}: after loopback`);
    s("UNMASK NONE", { flags: NONE | UNMASK });
    s("loopback after unmask", { flags: NONE | TRIGGER });
    s("loopback BOOL 255", { flags: BOOL | TRIGGER, data: [255] });
    read(fd, `irq ${i}: after unmask`);
    s("MASK NONE", { flags: NONE | MASK });
    s("loopback while masked", { flags: NONE | TRIGGER });
    s("MASK BOOL 1", { flags: BOOL | MASK, data: [1] });
    s("UNMASK BOOL 0", { flags: BOOL | UNMASK, data: [0] });
    s("UNMASK BOOL 1", { flags: BOOL | UNMASK, data: [1] });
    s("loopback after BOOL unmask", { flags: NONE | TRIGGER });
    read(fd, `irq ${i}: after mask/unmask`);
    s("MASK count 0", { flags: NONE | MASK, count: 0 });
    s("UNMASK start 1", { flags: NONE | UNMASK, start: 1 });
    // irqfds: fd checks come before the busy check
    s("MASK irqfd", { flags: EVENTFD | MASK, data: [MASK_IRQFD[0]] });
    s("MASK irqfd again (busy)", { flags: EVENTFD | MASK, data: [MASK_IRQFD[1]] });
    s("MASK irqfd not-eventfd", { flags: EVENTFD | MASK, data: [NOT_EVENTFD] });
    s("MASK irqfd closed fd", { flags: EVENTFD | MASK, data: [99] });
    s("MASK irqfd -1", { flags: EVENTFD | MASK, data: [-1] });
    s("MASK irqfd -5 (nothing installed)", { flags: EVENTFD | MASK, data: [-5] });
    s("UNMASK irqfd", { flags: EVENTFD | UNMASK, data: [UNMASK_IRQFD[0]] });
    s("UNMASK irqfd again (busy)", { flags: EVENTFD | UNMASK, data: [UNMASK_IRQFD[1]] });
    s("UNMASK irqfd -1", { flags: EVENTFD | UNMASK, data: [-1] });
    // an unmask irqfd on the trigger eventfd: the automasking handler's signal unmasks the line again
    s("UNMASK before the unmask irqfd", { flags: NONE | UNMASK });
    s("UNMASK irqfd = trigger eventfd", { flags: EVENTFD | UNMASK, data: [fd] });
    s("loopback with unmask irqfd", { flags: NONE | TRIGGER });
    s("loopback with unmask irqfd 2", { flags: NONE | TRIGGER });
    read(fd, `irq ${i}: signals eaten by the unmask irqfd`);
    s("UNMASK irqfd -1 (trigger eventfd)", { flags: EVENTFD | UNMASK, data: [-1] });
    s("loopback without irqfd", { flags: NONE | TRIGGER });
    // an irqfd installed while its eventfd has a count: the handler runs once at install
    s("UNMASK irqfd on a signalled eventfd", { flags: EVENTFD | UNMASK, data: [fd] });
    s("UNMASK irqfd -1 again", { flags: EVENTFD | UNMASK, data: [-1] });
    s("loopback after the pending unmask", { flags: NONE | TRIGGER });
    read(fd, `irq ${i}: after the pending unmask`);
    s("MASK irqfd = trigger eventfd", { flags: EVENTFD | MASK, data: [fd] });
    s("UNMASK NONE before masking loopback", { flags: NONE | UNMASK });
    s("loopback with mask irqfd", { flags: NONE | TRIGGER });
    read(fd, `irq ${i}: signal eaten by the mask irqfd`);
    s("MASK irqfd -1 (trigger eventfd)", { flags: EVENTFD | MASK, data: [-1] });
    s("UNMASK after mask irqfd", { flags: NONE | UNMASK });
    // trigger eventfd errors drop the old trigger first
    s("trigger closed fd", { flags: EVENTFD | TRIGGER, data: [77] });
    s("loopback after failed trigger", { flags: NONE | TRIGGER });
    read(fd, `irq ${i}: after the failed trigger`);
    s("UNMASK after failed trigger", { flags: NONE | UNMASK });
    s("trigger not-eventfd", { flags: EVENTFD | TRIGGER, data: [NOT_EVENTFD] });
    s("trigger fd -1", { flags: EVENTFD | TRIGGER, data: [-1] });
    s("trigger fd 0x7fffffff", { flags: EVENTFD | TRIGGER, data: [0x7fffffff] });
    s("trigger eventfd 2", { flags: EVENTFD | TRIGGER, data: [fd] });
    s("trigger argsz 64 slack", { flags: EVENTFD | TRIGGER, data: [fd], argsz: 64, length: 64 });
    set(`irq ${i}: disable (NONE count 0)`, { flags: NONE | TRIGGER, index: i, count: 0 });
    set(`irq ${i}: disable again`, { flags: NONE | TRIGGER, index: i, count: 0 });
    s("loopback after disable", { flags: NONE | TRIGGER });
    s("UNMASK after disable", { flags: NONE | UNMASK });
    read(fd, `irq ${i}: end`);
  }
  return out;
}

/**
 * Seeded random stateful campaign: `count` SET_IRQS requests (mostly well-formed, a share of
 * near-valid ones) interleaved with reads of every trigger eventfd, so the model's eventfd counters
 * and mask state are checked along the way.
 */
export function platformRandomItems(dev, b, seed, count) {
  const r = rng(seed);
  const out = [];
  const n = numIrqs(dev);
  const trigFd = () =>
    r.pick([
      EFD(r.int(TRIGGER_FDS)),
      EFD(r.int(TRIGGER_FDS)),
      EFD(r.int(TRIGGER_FDS)),
      -1,
      -1,
      -2,
      NOT_EVENTFD,
      r.pick(CLOSED),
    ]);
  for (let k = 0; k < count; k++) {
    let index = r.int(Math.max(n, 1));
    if (r.chance(0.04)) index = r.pick([n, n + 1, 0xffffffff, 0x80000000]);
    let action = r.pick([TRIGGER, TRIGGER, TRIGGER, TRIGGER, TRIGGER, MASK, MASK, UNMASK, UNMASK, UNMASK]);
    let data = r.pick([NONE, NONE, BOOL, EVENTFD, EVENTFD, EVENTFD]);
    if (r.chance(0.05)) action = r.pick([0, MASK | UNMASK, MASK | TRIGGER, UNMASK | TRIGGER, 0x38]);
    if (r.chance(0.05)) data = r.pick([0, NONE | BOOL, BOOL | EVENTFD, 7]);
    let flags = action | data;
    if (r.chance(0.03)) flags |= r.pick([0x40, 0x100, 0x80000000]);
    let start = 0,
      cnt = 1;
    const shape = r.next();
    if (shape < 0.12) cnt = 0;
    else if (shape < 0.18) cnt = 2 + r.int(n + 1);
    else if (shape < 0.23) start = 1 + r.int(n + 1);
    else if (shape < 0.25) {
      start = r.pick([0x80000000, 0xfffffffe, 0xffffffff]);
      cnt = r.pick([0x80000000, 0xffffffff, 2]);
    }
    const elem = (flags & 7) === BOOL ? 1 : (flags & 7) === EVENTFD ? 4 : 0;
    const irqfds = action === MASK ? MASK_IRQFD : action === UNMASK ? UNMASK_IRQFD : null;
    const value = () => {
      if (elem === 1) return r.pick([0, 1, 1, 2, 255]);
      if (irqfds) return r.pick([...irqfds, ...irqfds, -1, -3, NOT_EVENTFD, r.pick(CLOSED)]);
      return trigFd();
    };
    const vals = Array.from({ length: elem ? Math.min(cnt, 8) : 0 }, value);
    let argsz, length;
    const sz = r.next();
    if (sz < 0.05 && vals.length) {
      vals.pop();
      argsz = 20 + vals.length * elem;
    } // payload shorter than count x elem
    else if (sz < 0.1) {
      argsz = 20 + vals.length * elem + r.pick([4, 12, 44]);
      length = argsz;
    } // slack
    else if (sz < 0.13) {
      argsz = r.pick([0, 16, 19]);
      length = Math.max(20, 20 + vals.length * elem);
    } else if (sz < 0.16 && vals.length) {
      vals.pop();
      argsz = 20 + (vals.length + 1) * elem;
    } // argsz past the buffer: the guard bytes are read
    out.push({
      ioctl: "DEVICE_SET_IRQS",
      bytes: b.irqSet({ flags, index, start, count: cnt, data: vals, argsz, length }),
      note: `random#${k} seed ${seed}`,
    });
    if (k % 50 === 49)
      out.push(...Array.from({ length: TRIGGER_FDS }, (_, i) => efdRead(EFD(i), `random#${k}: EFD_READ ${i}`)));
  }
  return out;
}

/** Leave every line without trigger, irqfds or mask; read the eventfds last. */
export function platformCleanupItems(dev, b) {
  const out = [];
  const set = (note, o) => out.push({ ioctl: "DEVICE_SET_IRQS", bytes: b.irqSet(o), note });
  for (let i = 0; i < numIrqs(dev); i++) {
    set(`cleanup irq ${i}: mask irqfd`, { flags: EVENTFD | MASK, index: i, count: 1, data: [-1] });
    set(`cleanup irq ${i}: unmask irqfd`, { flags: EVENTFD | UNMASK, index: i, count: 1, data: [-1] });
    set(`cleanup irq ${i}: unmask`, { flags: NONE | UNMASK, index: i, count: 1 });
    set(`cleanup irq ${i}: disable`, { flags: NONE | TRIGGER, index: i, count: 0 });
  }
  out.push(...efdReads("cleanup"));
  return out;
}
