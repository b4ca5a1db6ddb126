// Device descriptions for vfio-platform / vfio-amba devices, built from what the arm64 guest reports
// during the run, never from the replies being checked:
//  * the device's device-tree node as the guest sees it (READ_FILE of its of_node/interrupts and
//    of_node/reg): one irq index per `interrupts` entry, one region per `reg` entry;
//  * /proc/interrupts after every device was opened: vfio-platform requests each line at open
//    (action "vfio-irq[<virq>](<name>)", the device's name, or "vfio-amba-<periphid>" for
//    vfio-amba), so a line without that action is one whose request_irq failed; the Level/Edge
//    column is the trigger type vfio-platform read for the line.
// The kernel rules encoded here (drivers/vfio/platform/vfio_platform_irq.c, _common.c):
//  * a level line reports EVENTFD|MASKABLE|AUTOMASKED, an edge line EVENTFD, each with count 1;
//  * a region is READ|WRITE, plus MMAP when its address and size are page multiples; its offset is
//    index << 40;
//  * request_irq (kernel/irq/manage.c) answers EBUSY when a handler that does not share holds the
//    line, EINVAL for a per-CPU interrupt or a trigger type the irq chip refuses.

import {
  VFIO_DEVICE_FLAGS_AMBA,
  VFIO_DEVICE_FLAGS_PLATFORM,
  VFIO_IRQ_INFO_AUTOMASKED as IRQ_INFO_AUTOMASKED,
  VFIO_IRQ_INFO_EVENTFD as IRQ_INFO_EVENTFD,
  VFIO_IRQ_INFO_MASKABLE as IRQ_INFO_MASKABLE,
  VFIO_REGION_INFO_FLAG_MMAP as REGION_MMAP,
  VFIO_REGION_INFO_FLAG_READ as REGION_READ,
  VFIO_REGION_INFO_FLAG_WRITE as REGION_WRITE,
} from "../../../dist/bindings/index.js";
const GIC_SPI = 0,
  GIC_PPI = 1;
const GIC_LEVEL = 0xc; // IRQ_TYPE_LEVEL_HIGH | IRQ_TYPE_LEVEL_LOW in the third cell

/** /proc/interrupts -> [{ virq, chip, hwirq, trigger: 'level'|'edge'|null, actions: [names] }] (numbered lines only). */
export function parseProcInterrupts(text, cpus = 1) {
  const out = [];
  for (const line of text.split("\n")) {
    const m = /^\s*(\d+):\s+(.*)$/.exec(line);
    if (!m) continue;
    const t = m[2].trim().split(/\s+/);
    const rest = t.slice(cpus); // per-CPU counts first
    const [chip, hw, kind] = rest;
    const trigger = kind === "Level" ? "level" : kind === "Edge" ? "edge" : null;
    const names = rest.slice(trigger ? 3 : 2).join(" ");
    out.push({ virq: Number(m[1]), chip, hwirq: Number(hw), trigger, actions: names ? names.split(/,\s*/) : [] });
  }
  return out;
}

/** A GIC `interrupts` property (big-endian u32 triples) -> [{ type: 'SPI'|'PPI', number, flags, hwirq, level }]. */
export function gicInterrupts(buf) {
  if (buf.length % 12)
    throw new Error(`interrupts property of ${buf.length} bytes is not a list of 3-cell GIC specifiers`);
  const out = [];
  for (let o = 0; o < buf.length; o += 12) {
    const type = buf.readUInt32BE(o),
      number = buf.readUInt32BE(o + 4),
      flags = buf.readUInt32BE(o + 8);
    if (type !== GIC_SPI && type !== GIC_PPI) throw new Error(`GIC interrupt type ${type} is neither SPI nor PPI`);
    out.push({
      type: type === GIC_SPI ? "SPI" : "PPI",
      number,
      flags,
      hwirq: number + (type === GIC_SPI ? 32 : 16),
      level: (flags & GIC_LEVEL) !== 0,
    });
  }
  return out;
}

/** A `reg` property with 2 address and 2 size cells -> [{ addr, size }] (bigint). */
export function regEntries(buf) {
  if (buf.length % 16) throw new Error(`reg property of ${buf.length} bytes is not a list of (2 + 2)-cell entries`);
  const out = [];
  for (let o = 0; o < buf.length; o += 16) out.push({ addr: buf.readBigUInt64BE(o), size: buf.readBigUInt64BE(o + 8) });
  return out;
}

/**
 * The description of one device.
 * @param {{name: string, bus: 'platform'|'amba', kernel: string, interrupts: Buffer, reg: Buffer,
 *          procInterrupts: ReturnType<typeof parseProcInterrupts>, pageSize: number, periphid?: string}} o
 *   interrupts/reg: the node's properties (an empty buffer when the node has none); periphid: an
 *   amba device's `id` attribute (vfio-amba names its lines after it).
 */
export function platformDescription({ name, bus, kernel, interrupts, reg, procInterrupts, pageSize, periphid }) {
  const owner = bus === "amba" ? `vfio-amba-${String(periphid).trim()}` : name;
  const own = (p) => p.actions.find((a) => a.startsWith("vfio-irq[") && a.endsWith(`](${owner})`));
  const lines = interrupts.length ? gicInterrupts(interrupts) : [];
  const irqs = lines.map((l, index) => {
    const row = procInterrupts.find((p) => p.hwirq === l.hwirq && /^GIC/.test(p.chip ?? ""));
    const requested = row && own(row);
    let level = l.level,
      requestError;
    if (requested) {
      if (row.trigger && (row.trigger === "level") !== l.level) {
        throw new Error(
          `${name} irq ${index}: /proc/interrupts says ${row.trigger}, the device tree says ${l.level ? "level" : "edge"}`,
        );
      }
      level = row.trigger ? row.trigger === "level" : l.level;
    } else {
      requestError = row?.actions.length ? "EBUSY" : "EINVAL";
    }
    const flags = IRQ_INFO_EVENTFD | (level ? IRQ_INFO_MASKABLE | IRQ_INFO_AUTOMASKED : 0);
    return {
      index,
      count: 1,
      flags,
      ...(requestError ? { requestError } : {}),
      source: `${l.type} ${l.number} (hwirq ${l.hwirq}) flags ${l.flags}`,
    };
  });
  const page = BigInt(pageSize);
  const entries = reg.length ? regEntries(reg) : [];
  const regions = (bus === "amba" ? entries.slice(0, 1) : entries).map((r, index) => ({
    index,
    size: r.size,
    offset: BigInt(index) << 40n,
    flags: REGION_READ | REGION_WRITE | (r.addr % page === 0n && r.size % page === 0n ? REGION_MMAP : 0),
  }));
  return {
    name,
    driver: bus === "amba" ? "vfio-amba" : "vfio-platform",
    kernel,
    info: {
      flags: bus === "amba" ? VFIO_DEVICE_FLAGS_AMBA : VFIO_DEVICE_FLAGS_PLATFORM,
      numRegions: regions.length,
      numIrqs: irqs.length,
    },
    reset: false,
    irqs,
    regions,
    eventfds: Array.from({ length: 32 }, (_, i) => 100 + i),
    openFds: [0, 1, 2],
  };
}
