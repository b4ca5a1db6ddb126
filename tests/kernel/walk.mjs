// Stateful random request sequences for the differential campaigns. A segment is what one device
// sees between OPEN and CLOSE: an fd environment (which fd numbers are eventfds, other open files,
// closed) and a walk of requests that moves the device through the states the model knows - INTx
// masked and unmasked with the line asserted (edu raises it from a register write), unmask eventfds
// (virqfd), MSI and MSI-X enable / grow / de-assign / disable, ERR and REQ, loopback triggers,
// eventfd writes, resets - mixed with near-valid random buffers (gen.mjs) and INFO ioctls. The walk
// looks at the model's state only to choose its next step; expectations come from the model alone,
// checked against the kernel afterwards.
import {
  BOOL,
  EVENTFD,
  MASK,
  NONE,
  T,
  UNMASK,
  deviceInfo,
  irqInfo,
  irqSet,
  randomSetIrqs,
  regionInfo,
  rng,
} from "./gen.mjs";

/** The harness's default fd environment: eventfds 100..131, fds 0..2 open on the console. */
export const DEFAULT_ENV = { eventfds: range(100, 131), files: [0, 1, 2] };

function range(a, b) {
  return Array.from({ length: b - a + 1 }, (_, i) => a + i);
}

/** "100-131,7" <-> [7, 100, ..., 131]. */
export function formatFds(fds) {
  const s = [...new Set(fds)].sort((a, b) => a - b);
  if (!s.length) return "-";
  const out = [];
  for (let i = 0; i < s.length; i++) {
    let j = i;
    while (j + 1 < s.length && s[j + 1] === s[j] + 1) j++;
    out.push(j > i ? `${s[i]}-${s[j]}` : `${s[i]}`);
    i = j;
  }
  return out.join(",");
}

export function parseFds(text) {
  if (!text || text === "-") return [];
  return text.split(",").flatMap((p) => {
    const [a, b] = p.split("-").map(Number);
    if (!Number.isInteger(a) || (b !== undefined && !Number.isInteger(b))) throw new Error(`bad fd list "${text}"`);
    return b === undefined ? [a] : range(a, b);
  });
}

/**
 * A random fd environment: the default one, a QEMU-like one (eventfds in the 20s-40s next to other
 * open files) or a sparse one anywhere below 1024.
 */
export function randomEnv(r) {
  const kind = r.int(3);
  if (kind === 0) return { eventfds: [...DEFAULT_ENV.eventfds], files: [...DEFAULT_ENV.files] };
  if (kind === 1) {
    const base = 18 + r.int(10);
    const eventfds = range(base, base + 15 + r.int(16));
    const files = [0, 1, 2, ...range(3, base - 1).filter(() => r.chance(0.7))];
    return { eventfds, files };
  }
  const taken = new Set();
  const pick = (n) =>
    Array.from({ length: n }, () => {
      let fd;
      do fd = r.int(1024);
      while (taken.has(fd));
      taken.add(fd);
      return fd;
    });
  return { eventfds: pick(24 + r.int(9)), files: pick(4 + r.int(8)) };
}

/**
 * A segment of n requests for device `dev` (a QemuDevice description without fd fields): returns
 * { env, items }. Items: { ioctl, bytes?, fd?, region?, offset?, note }.
 */
export function walkSegment(dev, { seed, n, env, models }) {
  const r = rng(seed);
  env ??= randomEnv(r);
  const device = { ...dev, eventfds: env.eventfds, openFds: env.files };
  const model = new models.DeviceModel(device);
  const w = new Walker(r, device, model, env, seed);
  w.start();
  while (w.requests < n) w.step();
  w.finish();
  return { env, device, items: w.items };
}

class Walker {
  constructor(r, dev, model, env, seed) {
    Object.assign(this, { r, dev, model, env, seed });
    this.items = [];
    this.requests = 0;
    this.touched = new Set();
    // INTx unmask irqfds get their own eventfds: an irqfd on the INTx trigger's eventfd with the line
    // asserted re-arms itself for ever (unmask -> still pending -> signal -> unmask ...)
    const efds = [...env.eventfds].sort((a, b) => a - b);
    this.unmaskFds = efds.slice(-3);
    this.triggerFds = efds.slice(0, -3);
    const taken = new Set([...env.eventfds, ...env.files]);
    this.closedFds = [...[3, 50, 77, 99, 512, 1023].filter((f) => !taken.has(f)), 2000, 4096, 0x7fffffff]; // 1024.. hold the replay program's own fds
    this.count = (i) => dev.irqs.find((q) => q.index === i)?.count ?? 0;
  }

  push(item) {
    this.items.push(item);
    this.advance(item);
  }

  /** Advance the model so the next choice sees the state the kernel should be in. */
  advance(item) {
    const m = this.model;
    if (item.ioctl === "FD_READ") return m.eventfdRead(item.fd);
    if (item.ioctl === "FD_WRITE") return m.eventfdWrite(item.fd);
    if (item.ioctl === "REGION_WRITE") return m.regionWrite(item.region, item.offset, item.bytes);
    this.requests++;
    return m.predict(`VFIO_${item.ioctl}`, item.bytes ?? new Uint8Array(0));
  }

  set(note, o) {
    for (const fd of o.data ?? []) if (fd >= 0) this.touched.add(fd);
    this.push({ ioctl: "DEVICE_SET_IRQS", bytes: irqSet(o), note });
  }

  trigger() {
    const r = this.r;
    const x = r.next();
    if (x < 0.8) return r.pick(this.triggerFds);
    if (x < 0.88) return -1;
    if (x < 0.94) return r.pick(this.env.files.length ? this.env.files : this.closedFds);
    return r.pick(this.closedFds);
  }

  state() {
    return this.model.describeState();
  }

  start() {
    if (this.dev.irqSource) {
      // memory + bus master on, so BAR writes reach the device and its MSI is delivered
      this.push({
        ioctl: "REGION_WRITE",
        region: 7,
        offset: 4,
        bytes: Uint8Array.of(6, 0),
        note: "command: memory + bus master",
      });
    }
  }

  finish() {
    for (const index of [0, 1, 2]) this.set(`cleanup: disable ${index}`, { flags: NONE | T, index, count: 0 });
    for (const index of [3, 4])
      this.set(`cleanup: clear ${index}`, { flags: EVENTFD | T, index, count: 1, data: [-1] });
    if (this.dev.irqSource) this.lineWrite("lower", 0xffffffff, "cleanup: acknowledge every interrupt");
    this.readAll("cleanup");
  }

  readAll(note) {
    for (const fd of [...this.touched].sort((a, b) => a - b)) {
      if (this.model.fdKind(fd) === "eventfd") this.push({ ioctl: "FD_READ", fd, note: `${note}: read ${fd}` });
    }
    this.touched.clear();
  }

  lineWrite(which, v, note) {
    const a = this.dev.irqSource[which];
    const bytes = new Uint8Array(4);
    new DataView(bytes.buffer).setUint32(0, v >>> 0, true);
    this.push({ ioctl: "REGION_WRITE", region: a.region, offset: a.offset, bytes, note });
  }

  step() {
    const r = this.r;
    const s = this.state();
    const x = r.next();
    if (x < 0.3) return this.raw();
    if (x < 0.36) return this.info();
    if (x < 0.4) return this.reads();
    if (x < 0.43) return this.fdWrite();
    if (x < 0.45) return this.push({ ioctl: "DEVICE_RESET", bytes: new Uint8Array(0), note: "reset" });
    if (x < 0.52 && this.dev.irqSource) return this.line();
    if (x < 0.6) return this.errReq();
    // the interrupt type: stay in it mostly, sometimes switch
    const type = s.irqType === "none" || r.chance(0.15) ? r.pick(["INTx", "MSI", "MSI-X"]) : s.irqType;
    if (type === "INTx") return this.intx(s);
    return this.msi(type === "MSI" ? 1 : 2, s);
  }

  raw() {
    const unmask = (v) => (v >= 0 && this.env.eventfds.includes(v) ? this.r.pick(this.unmaskFds) : v);
    const bytes = randomSetIrqs(this.r, this.dev, () => this.trigger(), unmask);
    // keep INTx triggers off the unmask eventfds (see unmaskFds)
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
    if (bytes.length >= 24 && dv.getUint32(8, true) === 0 && (dv.getUint32(4, true) & 0x3f) === (EVENTFD | T)) {
      const fd = dv.getInt32(20, true);
      if (this.unmaskFds.includes(fd)) dv.setInt32(20, this.r.pick(this.triggerFds), true);
    }
    for (let o = 20; o + 4 <= bytes.length; o += 4) this.touched.add(dv.getInt32(o, true));
    this.push({ ioctl: "DEVICE_SET_IRQS", bytes, note: `raw seed ${this.seed}` });
  }

  info() {
    const r = this.r;
    const x = r.int(3);
    if (x === 0) {
      const index = r.chance(0.9) ? r.int(6) : 0xffffffff;
      const argsz = r.pick([16, 16, 16, 12, 20, 64]);
      this.push({
        ioctl: "DEVICE_GET_IRQ_INFO",
        bytes: irqInfo(index, argsz, Math.max(argsz, 16)),
        note: `irq_info ${index} argsz ${argsz}`,
      });
    } else if (x === 1) {
      const index = r.chance(0.95) ? r.int(10) : 0xffffffff;
      const argsz = r.pick([32, 32, 40, 48, 64, 16]);
      const length = argsz === 48 && r.chance(0.5) ? 32 : Math.max(32, argsz);
      this.push({
        ioctl: "DEVICE_GET_REGION_INFO",
        bytes: regionInfo(index, argsz, length),
        note: `region_info ${index} argsz ${argsz}/${length}`,
      });
    } else {
      const argsz = r.pick([8, 16, 20, 24, 32]);
      this.push({
        ioctl: "DEVICE_GET_INFO",
        bytes: deviceInfo(argsz, Math.max(16, argsz)),
        note: `device_info argsz ${argsz}`,
      });
    }
  }

  reads() {
    if (this.r.chance(0.5)) return this.readAll("read all");
    const fd = this.r.chance(0.9)
      ? this.r.pick(this.env.eventfds)
      : this.r.pick([...this.env.files, ...this.closedFds.filter((f) => f < 1024)]);
    if (fd === undefined) return undefined;
    return this.push({ ioctl: "FD_READ", fd, note: `read ${fd}` });
  }

  fdWrite() {
    const t = this.model.triggers;
    const cands = [t.intx, t.intxUnmask, t.intxUnmask, t.err, t.req, ...t.vectors.values()].filter(
      (x) => x !== null && x !== undefined,
    );
    const fd = cands.length && this.r.chance(0.8) ? this.r.pick(cands) : this.r.pick(this.env.eventfds);
    this.touched.add(fd);
    this.push({ ioctl: "FD_WRITE", fd, note: `write ${fd}` });
  }

  line() {
    if (this.r.chance(0.55)) this.lineWrite("raise", this.r.pick([1, 1, 2, 0x100]), "raise the interrupt");
    else this.lineWrite("lower", this.r.pick([1, 2, 0xffffffff]), "acknowledge");
  }

  errReq() {
    const r = this.r;
    const index = r.pick([3, 4]);
    if (!this.count(index))
      return this.set(`index ${index} on a device without it`, {
        flags: EVENTFD | T,
        index,
        count: 1,
        data: [this.trigger()],
      });
    const x = r.int(6);
    if (x < 2)
      return this.set(`${index}: set eventfd`, { flags: EVENTFD | T, index, count: 1, data: [this.trigger()] });
    if (x === 2)
      return this.set(`${index}: clear`, { flags: EVENTFD | T, index, count: 1, data: [r.pick([-1, -1, -2])] });
    if (x === 3) return this.set(`${index}: loopback`, { flags: NONE | T, index, count: 1 });
    if (x === 4)
      return this.set(`${index}: loopback bool`, { flags: BOOL | T, index, count: 1, data: [r.pick([0, 1])] });
    return this.set(`${index}: release`, { flags: NONE | T, index, count: 0 });
  }

  intx(s) {
    const r = this.r;
    if (!this.count(0)) return this.raw();
    if (s.irqType !== "INTx" || r.chance(0.1)) {
      return this.set("INTx enable", {
        flags: EVENTFD | T,
        index: 0,
        count: 1,
        data: [r.chance(0.85) ? r.pick(this.triggerFds) : -1],
      });
    }
    const x = r.int(12);
    if (x === 0) return this.set("INTx disable", { flags: NONE | T, index: 0, count: 0 });
    if (x === 1)
      return this.set("INTx new trigger", { flags: EVENTFD | T, index: 0, count: 1, data: [this.trigger()] });
    if (x <= 3)
      return this.set(
        "INTx mask",
        r.chance(0.7)
          ? { flags: NONE | MASK, index: 0, count: 1 }
          : { flags: BOOL | MASK, index: 0, count: 1, data: [r.pick([0, 1])] },
      );
    if (x <= 5)
      return this.set(
        "INTx unmask",
        r.chance(0.7)
          ? { flags: NONE | UNMASK, index: 0, count: 1 }
          : { flags: BOOL | UNMASK, index: 0, count: 1, data: [r.pick([0, 1])] },
      );
    if (x <= 7) {
      const fd = r.chance(0.8) ? r.pick(this.unmaskFds) : r.pick([-1, -1, ...this.closedFds]);
      return this.set("INTx unmask eventfd", { flags: EVENTFD | UNMASK, index: 0, count: 1, data: [fd] });
    }
    if (x === 8)
      return this.set(
        "INTx loopback",
        r.chance(0.6)
          ? { flags: NONE | T, index: 0, count: 1 }
          : { flags: BOOL | T, index: 0, count: 1, data: [r.pick([0, 1])] },
      );
    if (x === 9 && this.model.triggers.intxUnmask !== null)
      return this.push({
        ioctl: "FD_WRITE",
        fd: this.model.triggers.intxUnmask,
        note: "INTx unmask through the irqfd",
      });
    if (x === 10 && this.dev.irqSource) return this.line();
    return this.reads();
  }

  msi(index, s) {
    const r = this.r;
    const n = this.count(index);
    const name = index === 1 ? "MSI" : "MSI-X";
    const active = s.irqType === name;
    if (!n)
      return this.set(`${name} on a device without it`, {
        flags: EVENTFD | T,
        index,
        count: 1,
        data: [this.trigger()],
      });
    const fds = (k) => Array.from({ length: k }, () => (r.chance(0.85) ? r.pick(this.triggerFds) : this.trigger()));
    if (!active || r.chance(0.08)) {
      // an enable with no eventfds: start + count vectors, none of them set (6.1: start >= num_ctx)
      if (r.chance(0.05))
        return this.set(`${name} enable empty`, { flags: EVENTFD | T, index, start: r.int(n), count: 0 });
      const k = 1 + r.int(Math.min(n, r.chance(0.7) ? 4 : n));
      const start = r.chance(0.15) ? r.int(n - k + 1) : 0;
      return this.set(`${name} enable ${k} at ${start}`, { flags: EVENTFD | T, index, start, count: k, data: fds(k) });
    }
    const x = r.int(10);
    if (x === 0) return this.set(`${name} disable`, { flags: NONE | T, index, count: 0 });
    if (x <= 2) {
      // set / grow / re-arm a block, sometimes past the allocated vectors
      const start = r.int(n);
      const k = 1 + r.int(Math.min(n - start, 4));
      return this.set(`${name} block ${start}+${k}`, { flags: EVENTFD | T, index, start, count: k, data: fds(k) });
    }
    if (x === 3) {
      const v = r.int(Math.max(1, s.vectors));
      return this.set(`${name} de-assign ${v}`, { flags: EVENTFD | T, index, start: v, count: 1, data: [-1] });
    }
    if (x <= 6) {
      const start = r.int(Math.max(1, s.vectors));
      const k = r.chance(0.8) ? Math.min(1 + r.int(3), Math.max(1, s.vectors - start)) : 1 + r.int(n - start);
      if (r.chance(0.5)) return this.set(`${name} loopback ${start}+${k}`, { flags: NONE | T, index, start, count: k });
      return this.set(`${name} loopback bool ${start}+${k}`, {
        flags: BOOL | T,
        index,
        start,
        count: k,
        data: Array.from({ length: k }, () => r.pick([0, 1])),
      });
    }
    if (x === 7 && this.dev.irqSource) return this.line();
    if (x === 8) return this.fdWrite();
    return this.reads();
  }
}
