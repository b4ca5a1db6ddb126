// IRQ topology: label every index of a device from vfio_device_info and each vfio_irq_info.
// vfio-pci, ccw and ap have fixed index enums; platform/amba indexes are wired lines. Under the
// never-merged irq-info-caps / platform-msi proposals the MSI index is the one whose
// VFIO_IRQ_INFO_CAP_TYPE says VFIO_IRQ_TYPE_MSI; without that capability only the "first index with
// count != 1" heuristic of the 2020 thread separates wired lines from MSI, and that is ambiguous
// (the 2020 RFC "msi support for platform devices" asked exactly this, and its capability chain on
// vfio_irq_info was never merged).

import { decode } from "../../decode.js";
import { fromHex } from "../../hex.js";
import type { DeviceDescription, IrqDesc } from "./device.js";
import { irqOf, isPcie, numIrqs } from "./device.js";

/** VFIO_IRQ_INFO_CAP_TYPE of an index: given directly, or decoded from its GET_IRQ_INFO reply under the proposals. */
function capTypeOf(q: IrqDesc | undefined, proposals: string[]): IrqDesc["capType"] {
  if (!q) return undefined;
  if (q.capType) return q.capType;
  if (!q.hex || !proposals.length) return undefined;
  try {
    const d = decode("vfio_irq_info", fromHex(q.hex), { proposals }) as unknown as {
      caps?: { header: { id: number }; type?: number; subtype?: number }[];
    };
    const c = d.caps?.find((x) => x.header.id === 3);
    return c ? { type: Number(c.type), subtype: Number(c.subtype) } : undefined;
  } catch {
    return undefined;
  }
}

export interface TopologyRow {
  index: number;
  count: number | null;
  flags: number | null;
  /** INTX, MSI, MSIX, ERR, REQ, IO, CRW, CFG_CHG, IRQ<i>, MSI?, ... */
  label: string;
  kind: "intx" | "msi" | "msix" | "err" | "req" | "io" | "crw" | "cfg-chg" | "wired" | "ext" | "unknown";
  /** wired lines: level (MASKABLE|AUTOMASKED) or edge */
  trigger?: "level" | "edge";
  implemented: boolean;
  notes: string[];
}

export interface Topology {
  driver: string;
  numIrqs: number;
  rows: TopologyRow[];
  /** True when a label depends only on the count != 1 heuristic. */
  ambiguous: boolean;
  reasons: string[];
  /** Where the MSI index was found and how: "fixed", "cap-type", "heuristic", or null (none). */
  msi: { index: number; how: "fixed" | "cap-type" | "heuristic" } | null;
}

export interface TopologyOptions {
  /** Never-merged proposals in effect (irq-info-caps, platform-msi-v2, platform-msi-v3). */
  proposals?: string[];
}

const MASKABLE = 2,
  AUTOMASKED = 4;
export const VFIO_IRQ_TYPE_MSI = 1; // platform-msi proposal (VG2/VG4)
export const VFIO_IRQ_TYPE_NESTED = 1; // irq-info-caps proposal 09/13 (same number: collision)
export const VFIO_IRQ_SUBTYPE_DMA_FAULT = 1;

export const REASONS = {
  singleVector:
    'a single-vector MSI index has count 1 and looks exactly like a wired line ("I am not sure the number of supported vectors cannot be 1")',
  errReq: 'ERR/REQ indexes after MSI/MSIX would also have count 1 ("count can be one as well, especially for ERR/REQ")',
  countZero:
    "an unimplemented index reports count 0, which is also != 1, so the first count != 1 may be an absent index rather than MSI",
  edge: "wired interrupts can also be edge-triggered, so a line without MASKABLE/AUTOMASKED is not necessarily MSI",
  noCap:
    'no VFIO_IRQ_INFO_CAP_TYPE capability: only the count != 1 heuristic is left ("we can not rely on the count > 1")',
} as const;

function wired(q: IrqDesc, i: number): TopologyRow {
  const level = (q.flags & (MASKABLE | AUTOMASKED)) !== 0;
  return {
    index: i,
    count: q.count,
    flags: q.flags,
    label: `IRQ${i}`,
    kind: "wired",
    trigger: level ? "level" : "edge",
    implemented: q.count > 0,
    notes: [
      level ? "level-triggered (MASKABLE|AUTOMASKED)" : "edge-triggered (no MASKABLE/AUTOMASKED)",
      ...(q.requestError !== undefined ? [`request_irq failed at open: every SET_IRQS answers ${q.requestError}`] : []),
    ],
  };
}

/** Label every IRQ index of a device. */
export function irqTopology(d: DeviceDescription, opts: TopologyOptions = {}): Topology {
  const proposals = new Set(opts.proposals ?? []);
  // resolve capability types from raw replies first
  d = {
    ...d,
    irqs: d.irqs.map((q) => {
      const capType = capTypeOf(q, [...proposals]);
      return capType ? { ...q, capType } : q;
    }),
  };
  const n = numIrqs(d);
  const capsOn = proposals.has("irq-info-caps") || proposals.has("platform-msi-v2") || proposals.has("platform-msi-v3");
  const platformMsi = proposals.has("platform-msi-v2") || proposals.has("platform-msi-v3");
  const rows: TopologyRow[] = [];
  const reasons = new Set<string>();
  let ambiguous = false;
  let msi: Topology["msi"] = null;
  const absent = (i: number, label: string, kind: TopologyRow["kind"], note: string): TopologyRow => ({
    index: i,
    count: null,
    flags: null,
    label,
    kind,
    implemented: false,
    notes: [note],
  });

  if (d.driver === "vfio-pci" || d.driver === "libvfio-user") {
    const names: [string, TopologyRow["kind"]][] = [
      ["INTX", "intx"],
      ["MSI", "msi"],
      ["MSIX", "msix"],
      ["ERR", "err"],
      ["REQ", "req"],
    ];
    for (let i = 0; i < n; i++) {
      const q = irqOf(d, i);
      if (i < 5) {
        const [label, kind] = names[i];
        if (!q || (i === 3 && d.driver === "vfio-pci" && !isPcie(d))) {
          rows.push(absent(i, label, kind, i === 3 ? "GET_IRQ_INFO refused (not PCI Express)" : "not described"));
          continue;
        }
        const notes = q.count === 0 ? ["count 0: not implemented (do not send SET_IRQS)"] : [];
        if (i === 2 && q.count > 0)
          notes.push(
            q.flags & 8
              ? "NORESIZE: vectors cannot be added while enabled"
              : "no NORESIZE: vectors can be added while enabled (dynamic MSI-X)",
          );
        rows.push({ index: i, count: q.count, flags: q.flags, label, kind, implemented: q.count > 0, notes });
        if (i === 1 && q.count > 0) msi = { index: 1, how: "fixed" };
      } else if (q?.capType && capsOn) {
        const nested = q.capType.type === VFIO_IRQ_TYPE_NESTED && q.capType.subtype === VFIO_IRQ_SUBTYPE_DMA_FAULT;
        rows.push({
          index: i,
          count: q.count,
          flags: q.flags,
          label: nested ? "DMA_FAULT" : `EXT(type ${q.capType.type}, subtype ${q.capType.subtype})`,
          kind: "ext",
          implemented: q.count > 0,
          notes: ["extended index (irq-info-caps proposal), described by VFIO_IRQ_INFO_CAP_TYPE"],
        });
      } else {
        rows.push({
          index: i,
          count: q?.count ?? null,
          flags: q?.flags ?? null,
          label: `INDEX${i}`,
          kind: "unknown",
          implemented: !!q && q.count > 0,
          notes: ["index >= VFIO_PCI_NUM_IRQS: device specific, needs a capability to say what it is"],
        });
      }
    }
  } else if (d.driver === "vfio-ccw" || d.driver === "vfio-ap") {
    const names: [string, TopologyRow["kind"]][] =
      d.driver === "vfio-ccw"
        ? [
            ["IO", "io"],
            ["CRW", "crw"],
            ["REQ", "req"],
          ]
        : [
            ["REQ", "req"],
            ["CFG_CHG", "cfg-chg"],
          ];
    for (let i = 0; i < n; i++) {
      const q = irqOf(d, i);
      const [label, kind] = names[i] ?? [`INDEX${i}`, "unknown"];
      if (!q) {
        rows.push(absent(i, label, kind as TopologyRow["kind"], "not described"));
        continue;
      }
      rows.push({
        index: i,
        count: q.count,
        flags: q.flags,
        label,
        kind: kind as TopologyRow["kind"],
        implemented: q.count > 0,
        notes: q.count === 0 ? ["count 0: not implemented"] : [],
      });
    }
  } else {
    // platform / amba: upstream every index is a wired line
    const qs = Array.from({ length: n }, (_, i) => irqOf(d, i));
    const typed = capsOn && qs.some((q) => q?.capType);
    if (typed) {
      // the proposal's way: the MSI index carries VFIO_IRQ_INFO_CAP_TYPE { VFIO_IRQ_TYPE_MSI }
      qs.forEach((q, i) => {
        if (!q) {
          rows.push(absent(i, `INDEX${i}`, "unknown", "not described"));
          return;
        }
        if (q.capType && platformMsi && q.capType.type === VFIO_IRQ_TYPE_MSI) {
          rows.push({
            index: i,
            count: q.count,
            flags: q.flags,
            label: "MSI",
            kind: "msi",
            implemented: q.count > 0,
            notes: [
              `VFIO_IRQ_INFO_CAP_TYPE type ${q.capType.type} (VFIO_IRQ_TYPE_MSI), ${q.count} vector(s) as subindexes`,
            ],
          });
          if (!msi) msi = { index: i, how: "cap-type" };
        } else if (q.capType) {
          rows.push({
            index: i,
            count: q.count,
            flags: q.flags,
            label: `EXT(type ${q.capType.type}, subtype ${q.capType.subtype})`,
            kind: "ext",
            implemented: q.count > 0,
            notes: ["typed index; type not known in this profile"],
          });
        } else rows.push(wired(q, i));
      });
    } else if (platformMsi || capsOn || qs.some((q) => q && q.count !== 1)) {
      // only the count != 1 heuristic can find MSI: |IRQ0..IRQn-1|MSI|MSIX|ERR|REQ|
      ambiguous = true;
      if (capsOn) reasons.add(REASONS.noCap);
      const first = qs.findIndex((q) => q !== undefined && q.count !== 1);
      const order: [string, TopologyRow["kind"]][] = [
        ["MSI?", "msi"],
        ["MSIX?", "msix"],
        ["ERR?", "err"],
        ["REQ?", "req"],
      ];
      qs.forEach((q, i) => {
        if (!q) {
          rows.push(absent(i, `INDEX${i}`, "unknown", "not described"));
          return;
        }
        if (first >= 0 && i >= first && i - first < order.length) {
          const [label, kind] = order[i - first];
          const notes = ["heuristic: at or after the first index with count != 1"];
          if (q.count === 0) {
            notes.push("count 0: unimplemented index");
            reasons.add(REASONS.countZero);
          }
          if (q.count === 1 && (kind === "err" || kind === "req")) reasons.add(REASONS.errReq);
          rows.push({ index: i, count: q.count, flags: q.flags, label, kind, implemented: q.count > 0, notes });
          if (kind === "msi" && !msi && q.count > 0) msi = { index: i, how: "heuristic" };
        } else {
          const r = wired(q, i);
          r.label = `IRQ${i}?`;
          r.notes.push("heuristic: count 1 before the first count != 1 (could be a single-vector MSI)");
          if (r.trigger === "edge") reasons.add(REASONS.edge);
          rows.push(r);
        }
      });
      reasons.add(REASONS.singleVector);
      if (first < 0) reasons.add("every index has count 1: the heuristic finds no MSI index at all");
    } else {
      qs.forEach((q, i) => {
        rows.push(q ? wired(q, i) : absent(i, `IRQ${i}`, "wired", "not described"));
      });
    }
  }
  return { driver: d.driver, numIrqs: n, rows, ambiguous, reasons: [...reasons], msi };
}

/** Plain-text table of a topology. */
export function formatTopology(t: Topology): string {
  const hx = (v: number | null) => (v === null ? "-" : `0x${v.toString(16)}`);
  const lines = [
    `driver ${t.driver}, ${t.numIrqs} irq index(es)${t.ambiguous ? " - AMBIGUOUS" : ""}`,
    "index  label        count  flags  notes",
  ];
  for (const r of t.rows) {
    lines.push(
      `${String(r.index).padEnd(6)} ${r.label.padEnd(12)} ${String(r.count ?? "-").padEnd(6)} ${hx(r.flags).padEnd(6)} ${[r.trigger, ...r.notes].filter(Boolean).join("; ")}`,
    );
  }
  if (t.msi) lines.push(`MSI index: ${t.msi.index} (${t.msi.how})`);
  for (const r of t.reasons) lines.push(`ambiguous: ${r}`);
  return lines.join("\n");
}
