// arm64 platform stage: vfio-platform and vfio-amba devices of QEMU's virt machine (virtio-mmio
// transports with edge lines, the PL031 RTC and PL061 GPIO with level lines, the per-CPU PMU, the
// fw-cfg device without lines) plus the multi-line, mixed-trigger devices of platform-devices.dtsi,
// on minimal kernels built from Debian's sources, in no-IOMMU mode. One boot per kernel opens every
// device, records what the guest says about them, then replays the INFO queries, a fixed SET_IRQS
// script per line and a random stateful campaign per device; stage.mjs checks every answer
// against the device-state model built from the guest's report. Run by run.mjs.
import * as fs from "node:fs";
import { decode, formatTopology, fromHex, irqTopology } from "../../../dist/bindings/index.js";
import { scriptLines } from "./check.mjs";
import { AUXV, factLines, pageSizeOf, readFacts } from "./guest-facts.mjs";
import { parseProcInterrupts, platformDescription } from "./platform-facts.mjs";
import { platformCleanupItems, platformFixedItems, platformRandomItems } from "./platform-gen.mjs";
import { builders } from "./requests.mjs";

/** The devices of QEMU's virt machine itself that the stage opens. */
export const VIRT_DEVICES = [
  { bus: "platform", name: "a000000.virtio_mmio", node: "virtio_mmio@a000000" },
  { bus: "platform", name: "a003e00.virtio_mmio", node: "virtio_mmio@a003e00" },
  { bus: "platform", name: "pmu", node: "pmu" },
  { bus: "platform", name: "9020000.fw-cfg", node: "fw-cfg@9020000" },
  { bus: "amba", name: "9010000.pl031", node: "pl031@9010000" },
  { bus: "amba", name: "9030000.pl061", node: "pl061@9030000" },
];

/**
 * The platform devices a device-tree fragment adds: its top-level `name@address` nodes, named as
 * Linux names them (`<address>.<name>`), in the fragment's order, which is the OPEN order (a line
 * shared by two devices is requested by the one opened first).
 */
export function fragmentDevices(text) {
  const out = [];
  for (const m of text.matchAll(/^\t([A-Za-z][\w,.+-]*)@([0-9a-fA-F]+)\s*\{/gm))
    out.push({ bus: "platform", name: `${BigInt(`0x${m[2]}`).toString(16)}.${m[1]}`, node: `${m[1]}@${m[2]}` });
  return out;
}

/** The fragment's devices first (the repository's: vfio-lel opened before vfio-shared), then virt's own. */
export const platformDevices = (fragmentText) => [...fragmentDevices(fragmentText), ...VIRT_DEVICES];

/** Cells of a property of a top-level node in decompiled dts text (for sizing the requests only). */
function dtsCells(dts, node, prop) {
  const start = dts.indexOf(`\n\t${node} {\n`);
  if (start < 0) throw new Error(`device tree has no node ${node}`);
  const body = dts.slice(start, dts.indexOf("\n\t};", start));
  const m = new RegExp(`\\n\\t\\t${prop} = <([^>]*)>;`).exec(body);
  return m ? m[1].trim().split(/\s+/).length : 0;
}

/** What the requests are sized by: index counts from the device tree the guest boots with. */
function planShape(dts, d) {
  const irqs = dtsCells(dts, d.node, "interrupts") / 3;
  const regs = dtsCells(dts, d.node, "reg") / 4;
  return {
    name: d.name,
    irqs: Array.from({ length: irqs }, (_, index) => ({ index, count: 1, flags: 0 })),
    info: { numIrqs: irqs, numRegions: d.bus === "amba" ? Math.min(regs, 1) : regs },
  };
}

/** The guest files describing one device: its device-tree node's interrupts and reg, an amba device's periphid. */
const deviceFiles = (d) => [
  `/sys/bus/${d.bus}/devices/${d.name}/of_node/interrupts`,
  `/sys/bus/${d.bus}/devices/${d.name}/of_node/reg`,
  ...(d.bus === "amba" ? [`/sys/bus/amba/devices/${d.name}/id`] : []),
];
/** The guest's files: /proc/interrupts once every device is open (which lines vfio requested, their trigger), the page size. */
const FACTS = { guestFiles: ["/proc/interrupts", AUXV], deviceFiles };

export function platformPlan({ dts, fragment, seed, random }) {
  const b = builders();
  const devs = platformDevices(fragment).map((d, di) => {
    const shape = planShape(dts, d);
    const items = [
      ...platformFixedItems(shape, b),
      ...platformRandomItems(shape, b, seed + di * 7919, random),
      ...platformCleanupItems(shape, b),
    ];
    return { ...d, items };
  });
  const lines = ["# vfio-abi arm64 platform stage", ...factLines(devs, FACTS)];
  for (const d of devs) lines.push(`USE ${d.name}`, ...scriptLines(d.items));
  lines.push("QUIT");
  return { devs, script: `${lines.join("\n")}\n` };
}

/** Descriptions from the facts part of the transcript; returns { descriptions, next } (index of the first USE). */
export function guestFacts(records, devs, kernel) {
  const { guest, device, problems, next } = readFacts(records, devs, FACTS);
  const procText = guest[0].toString("latin1");
  const procInterrupts = parseProcInterrupts(procText);
  const pageSize = pageSizeOf(guest[1]);
  const descriptions = devs.map((d, k) => {
    const [interrupts, reg, periphid] = device[k];
    return platformDescription({
      name: d.name,
      bus: d.bus,
      kernel,
      interrupts,
      reg,
      procInterrupts,
      pageSize,
      periphid: periphid?.toString("latin1"),
    });
  });
  return { descriptions, next, problems, procText, pageSize };
}

/**
 * What `vfio-abi topology` sees of a device: num_irqs from its real GET_INFO reply and each
 * index's real GET_IRQ_INFO reply (flags, count and the raw bytes).
 */
export function realIrqDescription({ name, device, replies }) {
  const info = replies.get("get_info argsz 16");
  const numIrqs = decode("vfio_device_info", fromHex(info.replyHex)).num_irqs;
  const irqs = [];
  for (let i = 0; i < numIrqs; i++) {
    const rec = replies.get(`irq_info index ${i}`);
    if (rec?.ret !== 0) continue;
    const q = decode("vfio_irq_info", fromHex(rec.replyHex));
    irqs.push({ index: i, count: q.count, flags: q.flags, hex: rec.replyHex });
  }
  return { name, driver: device.driver, kernel: device.kernel, info: { numIrqs }, irqs };
}

const PLATFORM_MSI = ["platform-msi-v2", "platform-msi-v3"];

/**
 * The topology labeller on the real replies: every index a wired line whose level/edge label is
 * the trigger type the guest reported; under the platform-MSI proposals the count heuristic of
 * the 2020 thread is reported as ambiguous. Returns the problems found.
 */
export function checkTopology(perDevice) {
  const bad = [];
  for (const p of perDevice) {
    const real = realIrqDescription(p);
    const t = irqTopology(real);
    for (const q of p.device.irqs) {
      const row = t.rows.find((r) => r.index === q.index);
      const want = q.flags & 4 ? "level" : "edge";
      if (row?.kind !== "wired" || row.trigger !== want || row.label !== `IRQ${q.index}`)
        bad.push(
          `${p.name} topology index ${q.index}: ${JSON.stringify(row)}, want a wired ${want} line IRQ${q.index}`,
        );
    }
    if (t.ambiguous) bad.push(`${p.name} topology: upstream layout reported as ambiguous`);
    for (const proposal of PLATFORM_MSI) {
      const u = irqTopology(real, { proposals: [proposal] });
      if (real.irqs.length && !u.ambiguous)
        bad.push(`${p.name} topology under ${proposal}: the count heuristic is not flagged`);
    }
  }
  return bad;
}

/** The stage for stage.mjs: plan a boot of the arm64 guest, read the facts back. */
export const platformStage = {
  name: "platform",
  arch: "arm64",
  prof: { epoch: "6.6" },
  plan(guest, { seed, random }) {
    const plan = platformPlan({
      dts: fs.readFileSync(guest.dts, "utf8"),
      fragment: fs.readFileSync(guest.dtFragment, "utf8"),
      seed,
      random,
    });
    const bus = (name) =>
      plan.devs
        .filter((d) => d.bus === name)
        .map((d) => d.name)
        .join(",");
    return { ...plan, append: `vfio_platform=${bus("platform")} vfio_amba=${bus("amba")}`, devices: [] };
  },
  facts: guestFacts,
  afterCheck: checkTopology,
  /** `vfio-abi topology` on the real replies, then under platform-msi-v3; the lines request_irq refused. */
  describe(p) {
    const real = realIrqDescription(p);
    const failed = p.device.irqs.filter((q) => q.requestError).map((q) => `IRQ${q.index} ${q.requestError}`);
    return [
      formatTopology(irqTopology(real)),
      ...(failed.length
        ? [`request_irq failed at open (GET_IRQ_INFO does not show it; SET_IRQS answers it): ${failed.join(", ")}`]
        : []),
      `under platform-msi-v3: ${
        formatTopology(irqTopology(real, { proposals: ["platform-msi-v3"] }))
          .split("\n")
          .filter((l) => l.startsWith("ambiguous"))
          .join("; ") || "not ambiguous"
      }`,
    ].join("\n");
  },
};
