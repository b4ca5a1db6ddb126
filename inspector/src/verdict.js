// What would the kernel answer to this SET_IRQS request? The kernel oracle replays the kernel's
// checks in order on a device with nothing enabled yet, in an explicit fd environment (which fd
// numbers are open eventfds, which are open files that are not eventfds; every other fd is
// closed), and names the first rule that fails, the fields it judges and the payload element.
import * as lib from "./lib.js";

export const DRIVERS = ["vfio-pci", "vfio-platform", "vfio-amba", "vfio-ccw", "vfio-ap"];

/** Vectors per index from "1,1,5,1,1"; throws on anything but counts. */
export function parseCounts(text) {
  const parts = text.split(/[\s,]+/).filter(Boolean);
  const counts = parts.map(Number);
  const bad = parts.find((p, i) => !/^\d+$/.test(p) || counts[i] > 0xffffffff);
  if (bad !== undefined) throw new Error(`"${bad}" is not a number of vectors`);
  return counts;
}

function describe(v, kernel) {
  const fds = { eventfds: v.eventfds, files: v.files };
  if (v.device) return { device: { ...lib.qemuDevice(v.device, kernel), fds }, name: `${v.device} (QEMU)` };
  const counts = parseCounts(v.counts);
  // the flags vfio-pci reports in GET_IRQ_INFO (the shipped QEMU device descriptions use the same helper)
  const irqs = lib.vfioPciIrqs(counts, kernel);
  return { device: { driver: v.driver, kernel, irqs, fds }, name: `${v.driver} with ${counts.join("/")} vectors` };
}

/** The fields a failing rule judges, as span paths (the payload element when the oracle names one). */
function marksOf(rule, element) {
  const info = lib.RULES.find((r) => r.name === rule);
  return (info?.fields ?? []).map((f) =>
    f === "data" && element !== null && element !== undefined ? `data[${element}]` : f,
  );
}

/**
 * The verdict for a state, or null when the struct is not vfio_irq_set.
 * @returns {null | {available: false, reason: string} | {available: true, ok: boolean, ret: number,
 *   errno: string|null, rule: string, reason: string, element: number|null, device: string,
 *   driver: string, counts: string, kernel: string, fds: {eventfds: string, files: string}, marks: string[]}}
 */
export function judge(s) {
  if (s.struct !== "vfio_irq_set") return null;
  let d;
  try {
    d = describe(s.verdict, s.kernel);
  } catch (e) {
    return { available: false, reason: e.message };
  }
  try {
    const r = lib.predictSetIrqs(d.device, s.bytes, { bigEndian: s.endian === "big" });
    const ok = r.ret >= 0 && !r.errno;
    const element = r.element ?? null;
    return {
      available: true,
      ok,
      ret: r.ret,
      errno: r.errno ?? null,
      rule: r.rule,
      reason: r.reason ?? "",
      element,
      device: d.name,
      driver: d.device.driver,
      counts: d.device.irqs.map((i) => i.count).join(","),
      kernel: s.kernel,
      fds: d.device.fds,
      marks: ok ? [] : marksOf(r.rule, element),
    };
  } catch (e) {
    return { available: false, reason: `the oracle cannot judge this: ${e.message}` };
  }
}

/** The verdict in one sentence. */
export function verdictText(v) {
  if (!v.available) return `No verdict: ${v.reason}.`;
  const where = `Linux ${v.kernel}, ${v.device}`;
  if (v.ok) return `The kernel would accept this request (returns ${v.ret}) on ${where}.`;
  const elem = v.element !== null ? ` at payload element data[${v.element}]` : "";
  return `The kernel would answer -1, errno ${v.errno} on ${where}. Rule that fails: ${v.rule}${elem} — ${v.reason}.`;
}
