// IRQ topology: label every index of a device from vfio_device_info and each vfio_irq_info.
// vfio-pci, ccw and ap have fixed index enums; platform/amba indexes are wired lines. Under the
// never-merged irq-info-caps / platform-msi proposals the MSI index is the one whose
// VFIO_IRQ_INFO_CAP_TYPE says VFIO_IRQ_TYPE_MSI; without that capability only the "first index with
// count != 1" heuristic of the 2020 thread separates wired lines from MSI, and that is ambiguous
// (the 2020 platform-MSI design thread, "[RFC, v1 0/3] msi support for platform devices"; README).

import { decode } from "../../decode.js";
import { fromHex } from "../../hex.js";
import type { DeviceDescription, IrqDesc } from "./device.js";
import { hasErrIndex, irqOf, numIrqs } from "./device.js";
import {
  VFIO_IRQ_INFO_AUTOMASKED,
  VFIO_IRQ_INFO_MASKABLE,
  VFIO_IRQ_INFO_NORESIZE,
  VFIO_PCI_ERR_IRQ_INDEX,
  VFIO_PCI_MSI_IRQ_INDEX,
  VFIO_PCI_MSIX_IRQ_INDEX,
  VFIO_PCI_NUM_IRQS,
} from "../../generated/constants.js";

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
  const level = (q.flags & (VFIO_IRQ_INFO_MASKABLE | VFIO_IRQ_INFO_AUTOMASKED)) !== 0;
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

const absent = (i: number, label: string, kind: TopologyRow["kind"], note: string): TopologyRow => ({
  index: i,
  count: null,
  flags: null,
  label,
  kind,
  implemented: false,
  notes: [note],
});

/** An index described by the device's own facts (count, flags) with `notes`. */
const described = (q: IrqDesc, i: number, label: string, kind: TopologyRow["kind"], notes: string[]): TopologyRow => ({
  index: i,
  count: q.count,
  flags: q.flags,
  label,
  kind,
  implemented: q.count > 0,
  notes,
});

/** What the rows of one driver family add up to. */
interface Labelled {
  rows: TopologyRow[];
  msi: Topology["msi"];
  ambiguous?: boolean;
  reasons?: Set<string>;
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
  const platformMsi = proposals.has("platform-msi-v2") || proposals.has("platform-msi-v3");
  const capsOn = proposals.has("irq-info-caps") || platformMsi;
  const t =
    d.driver === "vfio-pci" || d.driver === "libvfio-user"
      ? pciRows(d, n, capsOn)
      : d.driver === "vfio-ccw" || d.driver === "vfio-ap"
        ? ccwApRows(d, n)
        : platformRows(d, n, capsOn, platformMsi);
  return {
    driver: d.driver,
    numIrqs: n,
    rows: t.rows,
    ambiguous: t.ambiguous ?? false,
    reasons: [...(t.reasons ?? [])],
    msi: t.msi,
  };
}

const PCI_INDEXES: [string, TopologyRow["kind"]][] = [
  ["INTX", "intx"],
  ["MSI", "msi"],
  ["MSIX", "msix"],
  ["ERR", "err"],
  ["REQ", "req"],
];

const ERR_REFUSED =
  "GET_IRQ_INFO refused: not PCI Express (before Linux 7.3 vfio-pci has an ERR index only on PCI Express devices)";

/** The interrupt's name in prose. */
const prose = (label: string) => ({ INTX: "INTx", MSIX: "MSI-X" })[label] ?? label;

/** Why an index has no row: a libvfio-user server answers GET_IRQ_INFO for each of the five, so only the description lacks it. */
const notDescribed = (d: DeviceDescription, label: string) =>
  d.driver === "libvfio-user"
    ? `not described (a libvfio-user server answers GET_IRQ_INFO for ${label}: count 0 unless the server set up ${prose(label)} interrupts)`
    : "not described";

/** Count 0: vfio-pci's device lacks the interrupt; a libvfio-user server did not set it up. */
const countZero = (d: DeviceDescription, label: string) =>
  d.driver === "libvfio-user"
    ? `count 0: the server did not set up ${prose(label)} interrupts`
    : "count 0: not implemented (do not send SET_IRQS)";

/** vfio-pci and libvfio-user: the fixed enum, then device-specific (or, under the proposals, typed) indexes. */
function pciRows(d: DeviceDescription, n: number, capsOn: boolean): Labelled {
  const rows: TopologyRow[] = [];
  let msi: Topology["msi"] = null;
  for (let i = 0; i < n; i++) {
    const q = irqOf(d, i);
    if (i < VFIO_PCI_NUM_IRQS) {
      const [label, kind] = PCI_INDEXES[i];
      const refused = i === VFIO_PCI_ERR_IRQ_INDEX && d.driver === "vfio-pci" && !hasErrIndex(d);
      if (!q || refused) {
        rows.push(absent(i, label, kind, refused ? ERR_REFUSED : notDescribed(d, label)));
        continue;
      }
      const notes = q.count === 0 ? [countZero(d, label)] : [];
      if (i === VFIO_PCI_MSIX_IRQ_INDEX && q.count > 0)
        notes.push(
          q.flags & VFIO_IRQ_INFO_NORESIZE
            ? "NORESIZE: vectors cannot be added while enabled"
            : "no NORESIZE: vectors can be added while enabled (dynamic MSI-X)",
        );
      rows.push(described(q, i, label, kind, notes));
      if (i === VFIO_PCI_MSI_IRQ_INDEX && q.count > 0) msi = { index: VFIO_PCI_MSI_IRQ_INDEX, how: "fixed" };
    } else if (q?.capType && capsOn) {
      const nested = q.capType.type === VFIO_IRQ_TYPE_NESTED && q.capType.subtype === VFIO_IRQ_SUBTYPE_DMA_FAULT;
      const label = nested ? "DMA_FAULT" : `EXT(type ${q.capType.type}, subtype ${q.capType.subtype})`;
      rows.push(
        described(q, i, label, "ext", ["extended index (irq-info-caps proposal), described by VFIO_IRQ_INFO_CAP_TYPE"]),
      );
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
  return { rows, msi };
}

/** vfio-ccw and vfio-ap: their fixed enums. */
function ccwApRows(d: DeviceDescription, n: number): Labelled {
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
  const rows = Array.from({ length: n }, (_, i) => {
    const q = irqOf(d, i);
    const [label, kind] = names[i] ?? [`INDEX${i}`, "unknown"];
    if (!q) return absent(i, label, kind, "not described");
    return described(q, i, label, kind, q.count === 0 ? ["count 0: not implemented"] : []);
  });
  return { rows, msi: null };
}

/** vfio-platform/amba: upstream every index is a wired line; the proposals type them or leave a heuristic. */
function platformRows(d: DeviceDescription, n: number, capsOn: boolean, platformMsi: boolean): Labelled {
  const qs = Array.from({ length: n }, (_, i) => irqOf(d, i));
  if (capsOn && qs.some((q) => q?.capType)) return platformTyped(qs, platformMsi);
  if (platformMsi || capsOn || qs.some((q) => q && q.count !== 1)) return platformHeuristic(qs, capsOn);
  return { rows: qs.map((q, i) => (q ? wired(q, i) : absent(i, `IRQ${i}`, "wired", "not described"))), msi: null };
}

/** The proposal's way: the MSI index carries VFIO_IRQ_INFO_CAP_TYPE { VFIO_IRQ_TYPE_MSI }. */
function platformTyped(qs: (IrqDesc | undefined)[], platformMsi: boolean): Labelled {
  let msi: Topology["msi"] = null;
  const rows = qs.map((q, i) => {
    if (!q) return absent(i, `INDEX${i}`, "unknown", "not described");
    if (q.capType && platformMsi && q.capType.type === VFIO_IRQ_TYPE_MSI) {
      if (!msi) msi = { index: i, how: "cap-type" };
      return described(q, i, "MSI", "msi", [
        `VFIO_IRQ_INFO_CAP_TYPE type ${q.capType.type} (VFIO_IRQ_TYPE_MSI), ${q.count} vector(s) as subindexes`,
      ]);
    }
    if (q.capType)
      return described(q, i, `EXT(type ${q.capType.type}, subtype ${q.capType.subtype})`, "ext", [
        "typed index; type not known in this profile",
      ]);
    return wired(q, i);
  });
  return { rows, msi };
}

const HEURISTIC_ORDER: [string, TopologyRow["kind"]][] = [
  ["MSI?", "msi"],
  ["MSIX?", "msix"],
  ["ERR?", "err"],
  ["REQ?", "req"],
];

/** Only the count != 1 heuristic can find MSI: |IRQ0..IRQn-1|MSI|MSIX|ERR|REQ|, and it is ambiguous. */
function platformHeuristic(qs: (IrqDesc | undefined)[], capsOn: boolean): Labelled {
  const reasons = new Set<string>();
  if (capsOn) reasons.add(REASONS.noCap);
  let msi: Topology["msi"] = null;
  const first = qs.findIndex((q) => q !== undefined && q.count !== 1);
  const rows = qs.map((q, i) => {
    if (!q) return absent(i, `INDEX${i}`, "unknown", "not described");
    if (first >= 0 && i >= first && i - first < HEURISTIC_ORDER.length) {
      const [label, kind] = HEURISTIC_ORDER[i - first];
      const notes = ["heuristic: at or after the first index with count != 1"];
      if (q.count === 0) {
        notes.push("count 0: unimplemented index");
        reasons.add(REASONS.countZero);
      }
      if (q.count === 1 && (kind === "err" || kind === "req")) reasons.add(REASONS.errReq);
      if (kind === "msi" && !msi && q.count > 0) msi = { index: i, how: "heuristic" };
      return described(q, i, label, kind, notes);
    }
    const r = wired(q, i);
    r.label = `IRQ${i}?`;
    r.notes.push("heuristic: count 1 before the first count != 1 (could be a single-vector MSI)");
    if (r.trigger === "edge") reasons.add(REASONS.edge);
    return r;
  });
  reasons.add(REASONS.singleVector);
  if (first < 0) reasons.add("every index has count 1: the heuristic finds no MSI index at all");
  return { rows, msi, ambiguous: true, reasons };
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
