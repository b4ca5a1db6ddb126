// Object-API rows: decode one struct to a JS object (and encode one back), per struct, against
// Kaitai Struct 0.11 (parsers compiled from bench/ksy/*.ksy at run time), a hand-written byte
// decoder (bench/handwritten.mjs) and the wasm core's decode(). Inputs are built by the core's
// encode() from seeded random values; every contender's output is compared field by field with
// every other's before its time counts (Kaitai's 64-bit Numbers against Number(bigint)).
import { isDeepStrictEqual } from "node:util";
import { rng } from "./corpus.mjs";
import { loadKaitai } from "./kaitai.mjs";
import * as hand from "./handwritten.mjs";

const S390 = { arch: "s390x" };

/** Seeded values for each benchmarked struct, encoded by the core in kernel mode (no offsets). */
function corpora(lib, k) {
  const r = rng(11);
  const big = () => (BigInt(r()) << 32n) | BigInt(r()); // full 64-bit range (above 2^53)
  const mid = () => (BigInt(r() & 0xffff) << 32n) | BigInt((r() & ~0xfff) >>> 0); // page-aligned, below 2^48
  const make = (n, f) => Array.from({ length: n }, f);
  return {
    irq_info: make(k, () =>
      lib.encode("vfio_irq_info", { argsz: 16, flags: r() & 0xf, index: r() % 5, count: r() & 2047 }),
    ),
    irq_set: make(k, () => {
      const kind = r() % 3,
        n = 1 + (r() & 7);
      const flags = [0x21, 0x22, 0x24][kind];
      const data = kind === 0 ? [] : make(n, () => (kind === 1 ? r() & 1 : r() % 3 === 0 ? -1 : 3 + (r() & 255)));
      return lib.encode("vfio_irq_set", { flags, index: r() % 5, start: 0, count: kind === 0 ? 0 : n, data });
    }),
    region_info: make(k, () =>
      lib.encode("vfio_region_info", {
        flags: 0xf,
        index: r() % 9,
        size: mid(),
        offset: mid(),
        caps: [
          {
            header: { id: 1, version: 1 },
            reserved: 0,
            areas: make(1 + (r() & 3), () => ({ offset: mid(), size: mid() })),
          },
          { header: { id: 2, version: 1 }, type: 0x80008086, subtype: 1 + (r() % 3) },
        ],
      }),
    ),
    device_info: make(k, () =>
      lib.encode(
        "vfio_device_info",
        {
          flags: 0x83,
          num_regions: 6,
          num_irqs: 2,
          pad: 0,
          caps: [
            {
              header: { id: 1, version: 2 },
              start_dma: mid(),
              end_dma: big(),
              pchid: r() & 0xffff,
              vfn: r() & 0xff,
              fmb_length: 0x58,
              pft: 5,
              gid: r() & 0xff,
              fh: r(),
            },
            {
              header: { id: 2, version: 2 },
              dasm: big(),
              msi_addr: big(),
              flags: 1n,
              mui: 10,
              noi: 2048,
              maxstbl: 2048,
              version: 1,
              reserved: 0,
              imaxstbl: 0,
            },
            { header: { id: 3, version: 1 }, util_str: Uint8Array.from(make(16, () => 0xc1 + (r() % 9))) },
            { header: { id: 4, version: 1 }, pfip: Uint8Array.from(make(4, () => r() & 0xff)) },
          ],
        },
        S390,
      ),
    ),
    type1_info: make(k, () =>
      lib.encode("vfio_iommu_type1_info", {
        flags: 3,
        iova_pgsizes: 0x40201000n,
        pad: 0,
        caps: [
          {
            header: { id: 1, version: 1 },
            reserved: 0,
            iova_ranges: make(1 + (r() % 3), () => ({ start: mid(), end: big() })),
          },
          { header: { id: 2, version: 1 }, flags: 1, pgsize_bitmap: 0x1000n, max_dirty_bitmap_size: mid() },
        ],
      }),
    ),
  };
}

// Kaitai result -> the decode() shape, minus what Kaitai does not model (names, sizes, offsets).
const kCap = (c, body) => ({ header: { id: c.id, version: c.version, next: c.next }, ...body(c.body, c) });
const kChain = (first, body) => {
  const caps = [];
  for (let c = first; c; c = c.nextCap) caps.push(kCap(c, body));
  return caps.length ? caps : undefined;
};
const CAP_META = new Set(["offset", "name", "struct", "knownSize"]);
const strip = (v) => {
  if (typeof v === "bigint") return Number(v);
  if (v instanceof Uint8Array) return Array.from(v);
  if (Array.isArray(v)) return v.map(strip);
  if (v && typeof v === "object") {
    const o = {},
      isCap = "header" in v;
    for (const [key, x] of Object.entries(v)) if (!(isCap && CAP_META.has(key))) o[key] = strip(x);
    return o;
  }
  return v;
};
const fromKaitai = {
  irq_info: (k) => ({ argsz: k.argsz, flags: k.flags, index: k.index, count: k.count }),
  irq_set: (k) => {
    const o = { argsz: k.argsz, flags: k.flags, index: k.index, start: k.start, count: k.count };
    const d = k.dataBool ?? k.dataEventfd;
    if ((k.flags & 7) !== 1) o.data = d;
    return o;
  },
  region_info: (k) => ({
    argsz: k.argsz,
    flags: k.flags,
    index: k.index,
    cap_offset: k.capOffset,
    size: k.size,
    offset: k.offset,
    caps: kChain(k.firstCap, (b, c) =>
      c.id === 1
        ? { nr_areas: b.nrAreas, reserved: b.reserved, areas: b.areas.map((a) => ({ offset: a.offset, size: a.size })) }
        : c.id === 2
          ? { type: b.type, subtype: b.subtype }
          : {},
    ),
  }),
  device_info: (k) => ({
    argsz: k.argsz,
    flags: k.flags,
    num_regions: k.numRegions,
    num_irqs: k.numIrqs,
    cap_offset: k.capOffset,
    pad: k.pad,
    caps: kChain(k.firstCap, (b, c) =>
      c.id === 1
        ? {
            start_dma: b.startDma,
            end_dma: b.endDma,
            pchid: b.pchid,
            vfn: b.vfn,
            fmb_length: b.fmbLength,
            pft: b.pft,
            gid: b.gid,
            ...(c.version >= 2 ? { fh: b.fh } : {}),
          }
        : c.id === 2
          ? {
              dasm: b.dasm,
              msi_addr: b.msiAddr,
              flags: b.flags,
              mui: b.mui,
              noi: b.noi,
              maxstbl: b.maxstbl,
              version: b.version,
              ...(c.version >= 2 ? { reserved: b.reserved, imaxstbl: b.imaxstbl } : {}),
            }
          : { size: b.size, [c.id === 3 ? "util_str" : "pfip"]: Array.from(b.data) },
    ),
  }),
  type1_info: (k) => ({
    argsz: k.argsz,
    flags: k.flags,
    iova_pgsizes: k.iovaPgsizes,
    cap_offset: k.capOffset,
    pad: k.pad,
    caps: kChain(k.firstCap, (b, c) =>
      c.id === 1
        ? {
            nr_iovas: b.nrIovas,
            reserved: b.reserved,
            iova_ranges: b.iovaRanges.map((x) => ({ start: x.start, end: x.end })),
          }
        : c.id === 2
          ? { flags: b.flags, pgsize_bitmap: b.pgsizeBitmap, max_dirty_bitmap_size: b.maxDirtyBitmapSize }
          : { avail: b.avail },
    ),
  }),
};
const dropUndef = (o) => JSON.parse(JSON.stringify(o));

const CASES = [
  {
    key: "irq_info",
    struct: "vfio_irq_info",
    ksy: "vfio_irq_info",
    fast: "IrqInfo",
    hand: hand.decodeIrqInfo,
    handEnc: hand.encodeIrqInfo,
    handEncStrict: hand.encodeIrqInfoStrict,
    bits: 32,
  },
  {
    key: "irq_set",
    struct: "vfio_irq_set",
    ksy: "vfio_irq_set",
    fast: "IrqSet",
    hand: hand.decodeIrqSet,
    handEnc: hand.encodeIrqSet,
    handEncStrict: hand.encodeIrqSetStrict,
    bits: 32,
    label: "vfio_irq_set + payload",
  },
  {
    key: "region_info",
    struct: "vfio_region_info",
    ksy: "vfio_region_info",
    fast: "RegionInfo",
    hand: hand.decodeRegionInfo,
    handEnc: hand.encodeRegionInfo,
    handEncStrict: hand.encodeRegionInfoStrict,
    bits: 64,
    label: "vfio_region_info + sparse-mmap, type caps",
  },
  {
    key: "device_info",
    struct: "vfio_device_info",
    ksy: "vfio_device_info",
    fast: "DeviceInfo",
    hand: hand.decodeDeviceInfoS390,
    opts: S390,
    bits: 64,
    label: "vfio_device_info + 4 zPCI caps (s390x, big-endian)",
  },
  {
    key: "type1_info",
    struct: "vfio_iommu_type1_info",
    ksy: "vfio_iommu_type1_info",
    fast: "IommuType1Info",
    hand: hand.decodeIommuType1Info,
    bits: 64,
    label: "vfio_iommu_type1_info + iova-range, migration caps",
  },
];

// Every timed loop and Kaitai driver is a fresh function (new Function): closures made from one
// literal share their type feedback in V8, so one loop reused for every struct and contender would
// turn its call site megamorphic and penalise whichever contender runs later.
// Each loop is named after its contender (for --print-opt-code-filter and profiles). Every result is
// kept (in a ring of K slots) as a caller keeps what it decodes: a result that is only read from
// could be left unallocated by V8's escape analysis for some contenders and not for others.
const keep = new Array(1024).fill(null);
const fresh = (field, name) =>
  new Function(
    "keep",
    `return function ${name}(f, pool, m, n, o) { let s = 0; for (let i = 0; i < n; i++) { const r = f(pool[i & m], o); keep[i & m] = r; s += r.${field}; } return s; };`,
  )(keep);
const kaitaiDriver = (Parser, KaitaiStream) =>
  new Function(
    "P",
    "KS",
    "return (b) => { const k = new P(new KS(b)); for (let x = k.firstCap; x; x = x.nextCap); return k; };",
  )(Parser, KaitaiStream);

/** Rows for bench/run.mjs: per struct ns/object for each contender and the target ratios. */
/**
 * Median CPU ns per item of each fn (process user + system time). The contenders take turns, one
 * timed run each per round, after 2 warm-up rounds: a drift in the machine's load or in the heap's
 * size then reaches all of them alike instead of whoever runs last. On a shared machine wall time
 * also counts the time this process waits for a core; CPU time compares the contenders without it.
 */
function cpuTimes(items, fns, reps) {
  const t = fns.map(() => []);
  for (let r = -2; r < reps; r++)
    fns.forEach((fn, k) => {
      const c = process.cpuUsage();
      fn();
      const u = process.cpuUsage(c);
      if (r >= 0) t[k].push(((u.user + u.system) * 1000) / items);
    });
  return t.map((x) => x.sort((a, b) => a - b)[x.length >> 1]);
}

export async function run({ lib, quick, eq, cases }) {
  const REPS = quick ? 5 : 11;
  const K = 1024,
    n = quick ? 50_000 : 300_000,
    nc = quick ? 5_000 : 20_000;
  const corp = corpora(lib, K);
  const rows = [];
  const row = (name, value, unit, note = "") => rows.push({ group: "P5", name, value, unit, note });
  let sink = 0;
  for (const c of CASES.filter((x) => !cases || cases.includes(x.key))) {
    const pool = corp[c.key],
      opts = c.opts;
    const { Parser, KaitaiStream, version } = await loadKaitai(c.ksy);
    const kDecode = kaitaiDriver(Parser, KaitaiStream);
    const fastDec = lib[`decode${c.fast}Fast`],
      fastEnc = lib[`encode${c.fast}Fast`];
    const core = (b) => {
      const { $, ...v } = lib.decode(c.struct, b, opts);
      return v;
    };
    // outputs first: every contender against the core, Kaitai against the core's numbers
    for (let i = 0; i < K; i++) {
      const want = core(pool[i]);
      if (!isDeepStrictEqual(c.hand(pool[i]), want))
        throw new Error(`bench: ${c.key} #${i}: hand-written decoder disagrees with the core`);
      if (fastDec && !isDeepStrictEqual(fastDec(pool[i], opts), want))
        throw new Error(`bench: ${c.key} #${i}: decode${c.fast}Fast disagrees with the core`);
      if (!isDeepStrictEqual(dropUndef(strip(fromKaitai[c.key](kDecode(pool[i])))), dropUndef(strip(want))))
        throw new Error(`bench: ${c.key} #${i}: Kaitai disagrees with the core`);
      if (fastEnc)
        eq(
          Buffer.compare(fastEnc(want, opts), lib.encode(c.struct, want, opts)),
          0,
          `${c.key} #${i}: encode${c.fast}Fast bytes`,
        );
      if (c.handEnc)
        eq(
          Buffer.compare(c.handEnc(want), lib.encode(c.struct, want, opts)),
          0,
          `${c.key} #${i}: hand-written encoder bytes`,
        );
      if (c.handEncStrict)
        eq(
          Buffer.compare(c.handEncStrict(want), lib.encode(c.struct, want, opts)),
          0,
          `${c.key} #${i}: hand-written encoder (unknown keys refused) bytes`,
        );
      if (c.handEncStrict && fastEnc && i < 8) {
        // a misspelt key: refused by the core, the fast path and the headline baseline alike
        const typo = { ...want, [Object.keys(want)[i % Object.keys(want).length].slice(1)]: 1 };
        const refused = [() => lib.encode(c.struct, typo, opts), () => fastEnc(typo, opts), () => c.handEncStrict(typo)]
          .map((f) => {
            try {
              f();
              return false;
            } catch {
              return true;
            }
          })
          .join();
        eq(refused, "true,true,true", `${c.key} #${i}: an unknown key is refused by every encoder`);
      }
    }
    const m = K - 1;
    const decodeRun = (f, count, who) => {
      const loop = fresh("argsz", `decode_${who}_${c.key}`);
      return () => {
        sink += loop(f, pool, m, count, opts);
      };
    };
    const [tk, th, tf] = cpuTimes(
      n,
      [
        decodeRun(kDecode, n, "kaitai"),
        decodeRun(c.hand, n, "hand"),
        ...(fastDec ? [decodeRun(fastDec, n, "fast")] : []),
      ],
      REPS,
    );
    const [tc] = cpuTimes(nc, [decodeRun((b, o) => lib.decode(c.struct, b, o), nc, "core")], 5);
    const label = c.label ?? c.struct;
    row(`${label}: Kaitai Struct ${version}`, tk, "ns/object (CPU)");
    row(`${label}: hand-written byte decoder`, th, "ns/object (CPU)");
    if (fastDec) row(`${label}: decode${c.fast}Fast (generated)`, tf, "ns/object (CPU)");
    row(`${label}: decode() (wasm core, full metadata)`, tc, "ns/object (CPU)");
    if (fastDec) {
      row(`${label}: ratio Kaitai / fast (target >= ${c.bits === 32 ? 2 : 1})`, tk / tf, "x");
      row(`${label}: ratio fast / hand-written (target <= 1.1)`, tf / th, "x");
    } else row(`${label}: ratio Kaitai / core decode()`, tk / tc, "x");
    if (c.handEnc) {
      const vals = pool.map((b) => core(b));
      const encodeRun = (f, who) => {
        const loop = fresh("length", `encode_${who}_${c.key}`);
        return () => {
          sink += loop(f, vals, m, n, opts);
        };
      };
      // the headline baseline refuses unknown keys as encode() does (the contract encode<Struct>Fast keeps);
      // the plain one, without that check, is informational (bench/notes.md)
      const strict = c.handEncStrict ?? c.handEnc;
      const [te, tfe = NaN, tp = NaN] = cpuTimes(
        n,
        [
          encodeRun(strict, "hand_strict"),
          ...(fastEnc ? [encodeRun(fastEnc, "fast")] : []),
          ...(c.handEncStrict ? [encodeRun(c.handEnc, "hand")] : []),
        ],
        REPS,
      );
      const same = c.handEncStrict ? ", unknown keys refused (the same checks as the fast path)" : "";
      row(`${label}: encode, hand-written byte stores${same}`, te, "ns/object (CPU)");
      if (fastEnc) {
        row(`${label}: encode${c.fast}Fast (generated)`, tfe, "ns/object (CPU)");
        row(`${label}: ratio encode fast / hand-written (target <= 1.1)`, tfe / te, "x");
      }
      if (c.handEncStrict) {
        row(`${label}: encode, hand-written without the unknown-key check (informational)`, tp, "ns/object (CPU)");
        if (fastEnc) row(`${label}: ratio encode fast / hand-written without the key check`, tfe / tp, "x");
      }
    }
  }
  if (sink === 0.5) console.log("");
  return rows;
}
