// Hand-written object decoders and encoders for the object-API rows: what a competent programmer
// writes for one ABI (x86_64 6.6+, or s390x for the zPCI device info) — byte loads from the
// Uint8Array, exact bigint for 64-bit fields, the same checks as the core (argsz range, chain
// bounds, alignment, forward links, overlaps, array room) and the same result shape as decode()
// without its `$` metadata. Offsets, sizes and ids are the schema's, bound to names at load time.
import { SCHEMA } from "../dist/bindings/generated/schema.js";

const V66 = 1; // layout variant lp64 / 6.6 in the schema's offset tables
const S = Object.fromEntries(SCHEMA.structs.map((s) => [s.name, s]));
const offs = (name) =>
  Object.fromEntries(
    SCHEMA.fields
      .slice(S[name].firstField, S[name].firstField + S[name].nfields)
      .map((f) => [f.path.replace(/\./g, "_"), f.offsets[V66]]),
  );
const capId = (name) => S[name].capId;

const IRQ = offs("vfio_irq_info"),
  IRQ_SIZE = S.vfio_irq_info.size[V66];
const SET = offs("vfio_irq_set"),
  SET_MINSZ = S.vfio_irq_set.minsz;
const REG = offs("vfio_region_info"),
  REG_SIZE = S.vfio_region_info.size[V66],
  REG_MINSZ = S.vfio_region_info.minsz;
const HDR = offs("vfio_region_info_cap_sparse_mmap"); // header.id, header.version, header.next: the same in every cap
const SPARSE = offs("vfio_region_info_cap_sparse_mmap"),
  AREA = offs("vfio_region_sparse_mmap_area"),
  AREA_SIZE = S.vfio_region_sparse_mmap_area.size[V66];
const RTYPE = offs("vfio_region_info_cap_type");
const T1 = offs("vfio_iommu_type1_info"),
  T1_SIZE = S.vfio_iommu_type1_info.size[V66],
  T1_MINSZ = S.vfio_iommu_type1_info.minsz;
const IOVA = offs("vfio_iommu_type1_info_cap_iova_range"),
  RANGE = offs("vfio_iova_range"),
  RANGE_SIZE = S.vfio_iova_range.size[V66];
const MIG = offs("vfio_iommu_type1_info_cap_migration");
const DEV = offs("vfio_device_info"),
  DEV_SIZE = S.vfio_device_info.size[V66],
  DEV_MINSZ = S.vfio_device_info.minsz;
const ZBASE = offs("vfio_device_info_cap_zpci_base"),
  ZGROUP = offs("vfio_device_info_cap_zpci_group");
const ZUTIL = offs("vfio_device_info_cap_zpci_util"),
  ZPFIP = offs("vfio_device_info_cap_zpci_pfip");
const ID = {
  sparse: capId("vfio_region_info_cap_sparse_mmap"),
  rtype: capId("vfio_region_info_cap_type"),
  msix: capId("vfio_region_info_cap_msix_mappable"),
  iova: capId("vfio_iommu_type1_info_cap_iova_range"),
  mig: capId("vfio_iommu_type1_info_cap_migration"),
  zbase: capId("vfio_device_info_cap_zpci_base"),
  zgroup: capId("vfio_device_info_cap_zpci_group"),
  zutil: capId("vfio_device_info_cap_zpci_util"),
  zpfip: capId("vfio_device_info_cap_zpci_pfip"),
};
const REG_CAPS = S.vfio_region_info.caps.flag,
  T1_CAPS = S.vfio_iommu_type1_info.caps.flag,
  DEV_CAPS = S.vfio_device_info.caps.flag;
const name = (n) => SCHEMA.capreg.find((c) => c.struct === n).name;
const N = {
  sparse: name("vfio_region_info_cap_sparse_mmap"),
  rtype: name("vfio_region_info_cap_type"),
  msix: name("vfio_region_info_cap_msix_mappable"),
  iova: name("vfio_iommu_type1_info_cap_iova_range"),
  mig: name("vfio_iommu_type1_info_cap_migration"),
  zbase: name("vfio_device_info_cap_zpci_base"),
  zgroup: name("vfio_device_info_cap_zpci_group"),
  zutil: name("vfio_device_info_cap_zpci_util"),
  zpfip: name("vfio_device_info_cap_zpci_pfip"),
};
const MAX_HOPS = 1024;

const le32 = (b, o) => (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24)) >>> 0;
const le16 = (b, o) => b[o] | (b[o + 1] << 8);
const be32 = (b, o) => ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
const be16 = (b, o) => (b[o] << 8) | b[o + 1];
// 64-bit: the 8 bytes copied in host order into a scratch word, read back as one BigUint64 (one
// BigInt allocation; cheaper than composing two 32-bit halves)
const s8 = new Uint8Array(8),
  s64 = new BigUint64Array(s8.buffer);
const HOST_LE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const le64 = (b, o) => {
  if (HOST_LE) {
    s8[0] = b[o];
    s8[1] = b[o + 1];
    s8[2] = b[o + 2];
    s8[3] = b[o + 3];
    s8[4] = b[o + 4];
    s8[5] = b[o + 5];
    s8[6] = b[o + 6];
    s8[7] = b[o + 7];
  } else {
    s8[7] = b[o];
    s8[6] = b[o + 1];
    s8[5] = b[o + 2];
    s8[4] = b[o + 3];
    s8[3] = b[o + 4];
    s8[2] = b[o + 5];
    s8[1] = b[o + 6];
    s8[0] = b[o + 7];
  }
  return s64[0];
};
const be64 = (b, o) => {
  if (HOST_LE) {
    s8[7] = b[o];
    s8[6] = b[o + 1];
    s8[5] = b[o + 2];
    s8[4] = b[o + 3];
    s8[3] = b[o + 4];
    s8[2] = b[o + 5];
    s8[1] = b[o + 6];
    s8[0] = b[o + 7];
  } else {
    s8[0] = b[o];
    s8[1] = b[o + 1];
    s8[2] = b[o + 2];
    s8[3] = b[o + 3];
    s8[4] = b[o + 4];
    s8[5] = b[o + 5];
    s8[6] = b[o + 6];
    s8[7] = b[o + 7];
  }
  return s64[0];
};
const fail = (what) => {
  throw new Error(`handwritten: ${what}`);
};

export function decodeIrqInfo(b) {
  if (b.length < IRQ_SIZE) fail("short");
  const argsz = le32(b, IRQ.argsz);
  if (argsz < IRQ_SIZE || argsz > b.length) fail("argsz");
  return { argsz, flags: le32(b, IRQ.flags), index: le32(b, IRQ.index), count: le32(b, IRQ.count) };
}

export function decodeIrqSet(b) {
  if (b.length < SET_MINSZ) fail("short");
  const argsz = le32(b, SET.argsz);
  if (argsz < SET_MINSZ || argsz > b.length) fail("argsz");
  const flags = le32(b, SET.flags),
    count = le32(b, SET.count);
  const v = { argsz, flags, index: le32(b, SET.index), start: le32(b, SET.start), count };
  const dt = flags & 7;
  if (dt === 2) {
    if (SET.data + count > argsz) fail("payload");
    const d = new Array(count);
    for (let i = 0; i < count; i++) d[i] = b[SET.data + i];
    v.data = d;
  } else if (dt === 4) {
    if (SET.data + count * 4 > argsz) fail("payload");
    const d = new Array(count);
    for (let i = 0, o = SET.data; i < count; i++, o += 4)
      d[i] = b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24);
    v.data = d;
  }
  return v;
}

/** Bounds and link checks of one chain hop, as the core does them. */
function checkLink(off, prevOff, capEnd, fixed, limit, hops) {
  if (off < fixed || (off & 3) !== 0 || off + 8 > limit || hops >= MAX_HOPS) fail("cap link");
  if (prevOff >= 0 && (off <= prevOff || off < capEnd)) fail("cap order");
}

export function decodeRegionInfo(b) {
  if (b.length < REG_MINSZ) fail("short");
  const argsz = le32(b, REG.argsz);
  if (argsz < REG_MINSZ || argsz > b.length) fail("argsz");
  const flags = le32(b, REG.flags),
    capOff = le32(b, REG.cap_offset);
  const v = {
    argsz,
    flags,
    index: le32(b, REG.index),
    cap_offset: capOff,
    size: le64(b, REG.size),
    offset: le64(b, REG.offset),
  };
  if ((flags & REG_CAPS) === 0 || capOff === 0) return v;
  const caps = [];
  let off = capOff,
    prev = -1,
    end = 0;
  for (;;) {
    checkLink(off, prev, end, REG_SIZE, argsz, caps.length);
    const id = le16(b, off),
      next = le32(b, off + HDR.header_next);
    const header = { id, version: le16(b, off + HDR.header_version), next };
    let cap;
    if (id === ID.sparse) {
      const n = le32(b, off + SPARSE.nr_areas),
        a0 = off + SPARSE.areas;
      end = a0 + n * AREA_SIZE;
      if (end > argsz || (next !== 0 && end > next)) fail("areas");
      const areas = new Array(n);
      for (let i = 0, o = a0; i < n; i++, o += AREA_SIZE)
        areas[i] = { offset: le64(b, o + AREA.offset), size: le64(b, o + AREA.size) };
      cap = {
        offset: off,
        header,
        name: N.sparse,
        struct: "vfio_region_info_cap_sparse_mmap",
        knownSize: end - off,
        areas,
        nr_areas: n,
        reserved: le32(b, off + SPARSE.reserved),
      };
    } else if (id === ID.rtype) {
      end = off + RTYPE.subtype + 4;
      if (end > argsz) fail("cap past end");
      cap = {
        offset: off,
        header,
        name: N.rtype,
        struct: "vfio_region_info_cap_type",
        knownSize: end - off,
        type: le32(b, off + RTYPE.type),
        subtype: le32(b, off + RTYPE.subtype),
      };
    } else if (id === ID.msix) {
      end = off + 8;
      cap = { offset: off, header, name: N.msix, struct: "vfio_region_info_cap_msix_mappable", knownSize: 8 };
    } else fail("unknown cap");
    caps.push(cap);
    if (next === 0) break;
    prev = off;
    off = next;
  }
  v.caps = caps;
  return v;
}

export function decodeIommuType1Info(b) {
  if (b.length < T1_MINSZ) fail("short");
  const argsz = le32(b, T1.argsz);
  if (argsz < T1_MINSZ || argsz > b.length) fail("argsz");
  const flags = le32(b, T1.flags);
  const v = { argsz, flags, iova_pgsizes: le64(b, T1.iova_pgsizes) };
  if (b.length >= T1.cap_offset + 4) v.cap_offset = le32(b, T1.cap_offset);
  if (b.length >= T1.pad + 4) v.pad = le32(b, T1.pad);
  const capOff = argsz >= T1.cap_offset + 4 ? v.cap_offset : 0;
  if ((flags & T1_CAPS) === 0 || capOff === 0) return v;
  const caps = [];
  let off = capOff,
    prev = -1,
    end = 0;
  for (;;) {
    checkLink(off, prev, end, T1_SIZE, argsz, caps.length);
    const id = le16(b, off),
      next = le32(b, off + HDR.header_next);
    const header = { id, version: le16(b, off + HDR.header_version), next };
    let cap;
    if (id === ID.iova) {
      const n = le32(b, off + IOVA.nr_iovas),
        a0 = off + IOVA.iova_ranges;
      end = a0 + n * RANGE_SIZE;
      if (end > argsz || (next !== 0 && end > next)) fail("ranges");
      const r = new Array(n);
      for (let i = 0, o = a0; i < n; i++, o += RANGE_SIZE)
        r[i] = { start: le64(b, o + RANGE.start), end: le64(b, o + RANGE.end) };
      cap = {
        offset: off,
        header,
        name: N.iova,
        struct: "vfio_iommu_type1_info_cap_iova_range",
        knownSize: end - off,
        iova_ranges: r,
        nr_iovas: n,
        reserved: le32(b, off + IOVA.reserved),
      };
    } else if (id === ID.mig) {
      end = off + MIG.max_dirty_bitmap_size + 8;
      if (end > argsz) fail("cap past end");
      cap = {
        offset: off,
        header,
        name: N.mig,
        struct: "vfio_iommu_type1_info_cap_migration",
        knownSize: end - off,
        flags: le32(b, off + MIG.flags),
        pgsize_bitmap: le64(b, off + MIG.pgsize_bitmap),
        max_dirty_bitmap_size: le64(b, off + MIG.max_dirty_bitmap_size),
      };
    } else fail("unknown cap");
    caps.push(cap);
    if (next === 0) break;
    prev = off;
    off = next;
  }
  v.caps = caps;
  return v;
}

/** vfio_device_info on s390x (big-endian) with the zPCI capabilities. */
export function decodeDeviceInfoS390(b) {
  if (b.length < DEV_MINSZ) fail("short");
  const argsz = be32(b, DEV.argsz);
  if (argsz < DEV_MINSZ || argsz > b.length) fail("argsz");
  const flags = be32(b, DEV.flags);
  const v = { argsz, flags, num_regions: be32(b, DEV.num_regions), num_irqs: be32(b, DEV.num_irqs) };
  if (b.length >= DEV.cap_offset + 4) v.cap_offset = be32(b, DEV.cap_offset);
  if (b.length >= DEV.pad + 4) v.pad = be32(b, DEV.pad);
  const capOff = argsz >= DEV.cap_offset + 4 ? v.cap_offset : 0;
  if ((flags & DEV_CAPS) === 0 || capOff === 0) return v;
  const caps = [];
  let off = capOff,
    prev = -1,
    end = 0;
  for (;;) {
    checkLink(off, prev, end, DEV_SIZE, argsz, caps.length);
    const id = be16(b, off),
      version = be16(b, off + HDR.header_version),
      next = be32(b, off + HDR.header_next);
    const header = { id, version, next };
    let cap;
    if (id === ID.zbase) {
      if (version < 1 || version > 2) fail("version");
      end = off + (version >= 2 ? ZBASE.fh + 4 : ZBASE.gid + 1);
      if (end > argsz) fail("cap past end");
      cap = {
        offset: off,
        header,
        name: N.zbase,
        struct: "vfio_device_info_cap_zpci_base",
        knownSize: end - off,
        start_dma: be64(b, off + ZBASE.start_dma),
        end_dma: be64(b, off + ZBASE.end_dma),
        pchid: be16(b, off + ZBASE.pchid),
        vfn: be16(b, off + ZBASE.vfn),
        fmb_length: be16(b, off + ZBASE.fmb_length),
        pft: b[off + ZBASE.pft],
        gid: b[off + ZBASE.gid],
      };
      if (version >= 2) cap.fh = be32(b, off + ZBASE.fh);
    } else if (id === ID.zgroup) {
      if (version < 1 || version > 2) fail("version");
      end = off + (version >= 2 ? ZGROUP.imaxstbl + 2 : ZGROUP.version + 1);
      if (end > argsz) fail("cap past end");
      cap = {
        offset: off,
        header,
        name: N.zgroup,
        struct: "vfio_device_info_cap_zpci_group",
        knownSize: end - off,
        dasm: be64(b, off + ZGROUP.dasm),
        msi_addr: be64(b, off + ZGROUP.msi_addr),
        flags: be64(b, off + ZGROUP.flags),
        mui: be16(b, off + ZGROUP.mui),
        noi: be16(b, off + ZGROUP.noi),
        maxstbl: be16(b, off + ZGROUP.maxstbl),
        version: b[off + ZGROUP.version],
      };
      if (version >= 2) {
        cap.reserved = b[off + ZGROUP.reserved];
        cap.imaxstbl = be16(b, off + ZGROUP.imaxstbl);
      }
    } else if (id === ID.zutil || id === ID.zpfip) {
      const L = id === ID.zutil ? ZUTIL : ZPFIP;
      if (off + L.size + 4 > argsz) fail("cap past end");
      const n = be32(b, off + L.size),
        s0 = off + (id === ID.zutil ? L.util_str : L.pfip);
      end = s0 + n;
      if (end > argsz || (next !== 0 && end > next)) fail("bytes");
      cap =
        id === ID.zutil
          ? {
              offset: off,
              header,
              name: N.zutil,
              struct: "vfio_device_info_cap_zpci_util",
              knownSize: end - off,
              util_str: b.slice(s0, end),
              size: n,
            }
          : {
              offset: off,
              header,
              name: N.zpfip,
              struct: "vfio_device_info_cap_zpci_pfip",
              knownSize: end - off,
              pfip: b.slice(s0, end),
              size: n,
            };
    } else fail("unknown cap");
    caps.push(cap);
    if (next === 0) break;
    prev = off;
    off = next;
  }
  v.caps = caps;
  return v;
}

// ---- encoders: byte stores into a fresh buffer of the exact size, after the range checks any
// encoder that takes values from callers needs (what the generated encoders check too)
const u32ok = (v) => typeof v === "number" && v >>> 0 === v;
const s32ok = (v) => typeof v === "number" && Number.isInteger(v) && v >= -0x80000000 && v <= 0xffffffff;
const u64ok = (v) => typeof v === "bigint" && v >= 0n && v <= 0xffffffffffffffffn;
const bad = (what) => {
  throw new RangeError(`handwritten: ${what} out of range`);
};
export function encodeIrqInfo(x) {
  if (!u32ok(x.argsz) || !u32ok(x.flags) || !u32ok(x.index) || !u32ok(x.count)) bad("field");
  const b = new Uint8Array(IRQ_SIZE);
  st32(b, IRQ.argsz, x.argsz);
  st32(b, IRQ.flags, x.flags);
  st32(b, IRQ.index, x.index);
  st32(b, IRQ.count, x.count);
  return b;
}
export function encodeIrqSet(x) {
  if (!u32ok(x.argsz) || !u32ok(x.flags) || !u32ok(x.index) || !u32ok(x.start) || !u32ok(x.count)) bad("field");
  const dt = x.flags & 7,
    d = x.data,
    n = d ? d.length : 0,
    esz = dt === 2 ? 1 : dt === 4 ? 4 : 0;
  // the payload is an array that count describes (encode() refuses a count that disagrees)
  if (d != null && (!Array.isArray(d) || n !== x.count)) bad("data");
  if (n && !esz) bad("data");
  const b = new Uint8Array(SET.data + n * esz);
  st32(b, SET.argsz, x.argsz);
  st32(b, SET.flags, x.flags);
  st32(b, SET.index, x.index);
  st32(b, SET.start, x.start);
  st32(b, SET.count, x.count);
  if (esz === 1)
    for (let i = 0; i < n; i++) {
      const v = d[i];
      if (!(typeof v === "number" && v >>> 0 === v && v <= 0xff)) bad("data");
      b[SET.data + i] = v;
    }
  else if (esz === 4)
    for (let i = 0, o = SET.data; i < n; i++, o += 4) {
      const v = d[i];
      if (!s32ok(v)) bad("data");
      st32(b, o, v);
    }
  return b;
}
export function encodeRegionInfo(x) {
  if (
    !u32ok(x.argsz) ||
    !u32ok(x.flags) ||
    !u32ok(x.index) ||
    !u32ok(x.cap_offset) ||
    !u64ok(x.size) ||
    !u64ok(x.offset)
  )
    bad("field");
  let len = REG_SIZE;
  const caps = x.caps ?? [];
  for (const c of caps) {
    if (!u32ok(c.offset) || c.offset < len) bad("cap offset");
    len = c.offset + c.knownSize;
  }
  const b = new Uint8Array(len);
  st32(b, REG.argsz, x.argsz);
  st32(b, REG.flags, x.flags);
  st32(b, REG.index, x.index);
  st32(b, REG.cap_offset, x.cap_offset);
  st64(b, REG.size, x.size);
  st64(b, REG.offset, x.offset);
  for (const c of caps) {
    const o = c.offset,
      h = c.header;
    if (
      !u32ok(h.next) ||
      !(h.id >>> 0 === h.id && h.id <= 0xffff) ||
      !(h.version >>> 0 === h.version && h.version <= 0xffff)
    )
      bad("cap header");
    st16(b, o, h.id);
    st16(b, o + HDR.header_version, h.version);
    st32(b, o + HDR.header_next, h.next);
    if (h.id === ID.sparse) {
      if (!u32ok(c.nr_areas) || !u32ok(c.reserved)) bad("sparse");
      st32(b, o + SPARSE.nr_areas, c.nr_areas);
      st32(b, o + SPARSE.reserved, c.reserved);
      for (let i = 0, a = o + SPARSE.areas; i < c.areas.length; i++, a += AREA_SIZE) {
        const ar = c.areas[i];
        if (!u64ok(ar.offset) || !u64ok(ar.size)) bad("area");
        st64(b, a + AREA.offset, ar.offset);
        st64(b, a + AREA.size, ar.size);
      }
    } else if (h.id === ID.rtype) {
      if (!u32ok(c.type) || !u32ok(c.subtype)) bad("type");
      st32(b, o + RTYPE.type, c.type);
      st32(b, o + RTYPE.subtype, c.subtype);
    }
  }
  return b;
}
function st16(b, o, v) {
  b[o] = v;
  b[o + 1] = v >>> 8;
}
function st32(b, o, v) {
  b[o] = v;
  b[o + 1] = v >>> 8;
  b[o + 2] = v >>> 16;
  b[o + 3] = v >>> 24;
}
function st64(b, o, v) {
  s64[0] = v;
  if (HOST_LE) {
    b[o] = s8[0];
    b[o + 1] = s8[1];
    b[o + 2] = s8[2];
    b[o + 3] = s8[3];
    b[o + 4] = s8[4];
    b[o + 5] = s8[5];
    b[o + 6] = s8[6];
    b[o + 7] = s8[7];
  } else {
    b[o] = s8[7];
    b[o + 1] = s8[6];
    b[o + 2] = s8[5];
    b[o + 3] = s8[4];
    b[o + 4] = s8[3];
    b[o + 5] = s8[2];
    b[o + 6] = s8[1];
    b[o + 7] = s8[0];
  }
}

// ---- the same encoders refusing keys they would not write, as encode() and the generated encoders do
// (a key count by for-in against the fields present; the decoded caps also carry offset, name, struct and
// knownSize). An informational contender: it shows what the refusal itself costs.
const nkeys = (o) => {
  let n = 0;
  for (const _ in o) n++;
  return n;
};
const def = (v) => (v !== undefined ? 1 : 0);
export function encodeIrqInfoStrict(x) {
  if (nkeys(x) !== def(x.argsz) + def(x.flags) + def(x.index) + def(x.count)) bad("key");
  return encodeIrqInfo(x);
}
export function encodeIrqSetStrict(x) {
  if (nkeys(x) !== def(x.argsz) + def(x.flags) + def(x.index) + def(x.start) + def(x.count) + def(x.data)) bad("key");
  return encodeIrqSet(x);
}
const capMeta = (c) => def(c.offset) + def(c.header) + def(c.name) + def(c.struct) + def(c.knownSize);
export function encodeRegionInfoStrict(x) {
  const top = def(x.argsz) + def(x.flags) + def(x.index) + def(x.cap_offset) + def(x.size) + def(x.offset);
  if (nkeys(x) !== top + def(x.caps)) bad("key");
  for (const c of x.caps ?? []) {
    const h = c.header;
    if (nkeys(h) !== def(h.id) + def(h.version) + def(h.next)) bad("key");
    if (h.id === ID.sparse) {
      if (nkeys(c) !== capMeta(c) + def(c.nr_areas) + def(c.reserved) + def(c.areas)) bad("key");
      for (const a of c.areas) if (nkeys(a) !== def(a.offset) + def(a.size)) bad("key");
    } else if (h.id === ID.rtype && nkeys(c) !== capMeta(c) + def(c.type) + def(c.subtype)) bad("key");
  }
  return encodeRegionInfo(x);
}
