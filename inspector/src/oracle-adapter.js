// Adapter between the page and the kernel oracle (bindings/oracle/, copied to lib/oracle/). The
// oracle is imported lazily; if it is missing or its API differs the panel says "oracle not
// available". Only this file knows the oracle's API: predictSetIrqs(device, bytes, {bigEndian})
// -> {ret, errno, rule, reason}, and qemuDevice(name, kernel) / QEMU_DEVICE_NAMES for presets.

let loaded = null;

export function loadOracle() {
  loaded ??= import("./lib/oracle/index.js").then(
    (m) =>
      typeof m.predictSetIrqs === "function"
        ? { ok: true, m }
        : { ok: false, reason: "this build's oracle has no predictSetIrqs" },
    () => ({ ok: false, reason: "oracle not available in this build" }),
  );
  return loaded;
}

export const DRIVERS = ["vfio-pci", "vfio-platform", "vfio-amba", "vfio-ccw", "vfio-ap"];

/** QEMU devices described by the oracle (names), or [] without it. */
export async function presets() {
  const o = await loadOracle();
  return o.ok && Array.isArray(o.m.QEMU_DEVICE_NAMES) && typeof o.m.qemuDevice === "function"
    ? o.m.QEMU_DEVICE_NAMES
    : [];
}

// vfio_irq_info.flags a vfio-pci device reports per index (vfio-abi.md §8.2): INTx EVENTFD|MASKABLE|AUTOMASKED,
// MSI EVENTFD|NORESIZE, MSI-X EVENTFD (+NORESIZE before 6.5), ERR/REQ EVENTFD.
const defaultFlags = (index, kernel) => [7, 9, kernel === "6.1" ? 9 : 1, 1, 1][index] ?? 1;

/**
 * What would the kernel answer to this SET_IRQS request?
 * @returns {Promise<{available:false, reason:string} | {available:true, ok:boolean, ret:number, errno:string|null, rule:string|null, reason:string|null, device:string}>}
 */
export async function verdict({ bytes, driver, kernel, irqCounts, preset, bigEndian }) {
  const o = await loadOracle();
  if (!o.ok) return { available: false, reason: o.reason };
  try {
    const device = preset
      ? o.m.qemuDevice(preset, kernel)
      : {
          driver,
          kernel,
          irqs: irqCounts.map((count, index) => ({ index, count, flags: defaultFlags(index, kernel) })),
        };
    const r = o.m.predictSetIrqs(device, bytes, { bigEndian: !!bigEndian });
    return {
      available: true,
      ok: r.ret >= 0 && !r.errno,
      ret: r.ret,
      errno: r.errno ?? null,
      rule: r.rule ?? null,
      reason: r.reason ?? null,
      device: preset ? `${preset} (QEMU, ${device.driver})` : `${driver} with ${irqCounts.join("/")} vectors`,
    };
  } catch (e) {
    return { available: false, reason: `the oracle failed: ${e instanceof Error ? e.message : String(e)}` };
  }
}
