// as-pect specs for the AssemblyScript internals: byte order, layout tables, the generic parser,
// the bounded chain walk and the kernel-style chain build. End-to-end checks against gcc and real
// kernels live in tests/ (node:test).

import { PROF_BIG, PROF_EPOCH66, PROF_ILP32 } from "../generated/wasm-abi";
import * as L from "../generated/layout";
import {
  caps_build,
  caps_walk,
  encode_fields,
  err_field,
  err_offset,
  irq_info_decode_batch,
  irq_set_encode,
  parse,
  rec_count,
} from "../index";
import { ARENA, inArena, Mem, Prof } from "../mem";
import * as S from "../generated/status";
import { capKnownSize, capLookup, expandProposals, fieldOffset, structSize } from "../tables";

// Inputs and outputs must lie in the arena (the exports refuse the module's static data). as-pect
// runs with a managed runtime that owns the heap, so the buffers are raw heap blocks, 64-aligned:
// at or above ARENA, and never touched by the runtime.
const buf: usize = (heap.alloc(4096 + 64) + 63) & ~(<usize>63);
const scratch: usize = (heap.alloc(65536 + 64) + 63) & ~(<usize>63);

function put(hex: string, at: usize = buf): u32 {
  let n: u32 = 0;
  for (let i = 0; i < hex.length; i += 2) {
    store<u8>(at + n, <u8>I32.parseInt(hex.substr(i, 2), 16));
    n++;
  }
  return n;
}

describe("byte order", () => {
  it("reads little- and big-endian scalars", () => {
    put("0102030405060708");
    expect(Mem.rd16(buf, false)).toBe(0x0201);
    expect(Mem.rd16(buf, true)).toBe(0x0102);
    expect(Mem.rd32(buf, false)).toBe(0x04030201);
    expect(Mem.rd32(buf, true)).toBe(0x01020304);
    expect(Mem.rd64(buf, true)).toBe(0x0102030405060708);
  });
  it("writes big-endian so that it reads back", () => {
    Mem.wr32(buf, 0x1c, true);
    expect(load<u8>(buf, 3)).toBe(0x1c);
    Mem.wr64(buf, 0x4000, true);
    expect(Mem.rd64(buf, true)).toBe(0x4000);
  });
  it("bounds-checks against the arena without overflow", () => {
    expect(inArena(<u64>ARENA, 16)).toBe(true);
    expect(inArena(<u64>buf, 4096)).toBe(true);
    expect(inArena(0, 16)).toBe(false); // static data
    expect(inArena(<u64>ARENA - 1, 16)).toBe(false);
    expect(inArena(<u64>0xfffffff0, 0x20)).toBe(false);
    expect(inArena(<u64>ARENA, <u64>0xffffffffffff)).toBe(false);
    expect(inArena(<u64>0x100000000 + <u64>ARENA, 1)).toBe(false); // a 64-bit sum past 2^32 never wraps
  });
});

describe("layout tables", () => {
  it("knows the epoch- and ABI-dependent sizes", () => {
    expect(structSize(L.S_VFIO_DEVICE_INFO, 0, Prof.variantOf(0))).toBe(20);
    expect(structSize(L.S_VFIO_DEVICE_INFO, PROF_EPOCH66, Prof.variantOf(PROF_EPOCH66))).toBe(24);
    expect(structSize(L.S_VFIO_IOMMU_TYPE1_INFO, PROF_ILP32, Prof.variantOf(PROF_ILP32))).toBe(20);
    expect(structSize(L.S_VFIO_IOMMU_TYPE1_INFO_CAP_MIGRATION, PROF_ILP32, Prof.variantOf(PROF_ILP32))).toBe(28);
    expect(structSize(L.S_VFIO_IRQ_SET, 0, 0)).toBe(20);
  });
  it("grows vfio_irq_info only under the irq-info-caps proposal", () => {
    expect(structSize(L.S_VFIO_IRQ_INFO, 0, 0)).toBe(16);
    expect(structSize(L.S_VFIO_IRQ_INFO, L.P_IRQ_INFO_CAPS, 0)).toBe(20);
    expect(expandProposals(L.P_PLATFORM_MSI_V3) & L.P_IRQ_INFO_CAPS).toBe(L.P_IRQ_INFO_CAPS);
  });
  it("keys capability ids by host struct", () => {
    expect(capLookup(L.S_VFIO_REGION_INFO, 1, 0)).toBe(L.S_VFIO_REGION_INFO_CAP_SPARSE_MMAP);
    expect(capLookup(L.S_VFIO_DEVICE_INFO, 1, 0)).toBe(L.S_VFIO_DEVICE_INFO_CAP_ZPCI_BASE);
    expect(capLookup(L.S_VFIO_REGION_INFO, 6, 0)).toBe(-1);
    expect(capLookup(L.S_VFIO_REGION_INFO, 6, L.P_DMA_FAULT_REGION)).toBe(L.S_VFIO_REGION_INFO_CAP_FAULT);
  });
  it("sizes capability prefixes by version", () => {
    expect(capKnownSize(L.S_VFIO_DEVICE_INFO_CAP_ZPCI_BASE, 1, 0, 0)).toBe(32);
    expect(capKnownSize(L.S_VFIO_DEVICE_INFO_CAP_ZPCI_BASE, 2, 0, 0)).toBe(36);
    expect(capKnownSize(L.S_VFIO_DEVICE_INFO_CAP_ZPCI_GROUP, 1, 0, 0)).toBe(39);
    expect(fieldOffset(L.F_VFIO_IOMMU_TYPE1_INFO_CAP_MIGRATION__PGSIZE_BITMAP, Prof.variantOf(PROF_ILP32))).toBe(12);
  });
});

describe("parse", () => {
  it("decodes a vfio_irq_set with an eventfd payload", () => {
    const n = put("200000002400000002000000000000000300000068000000ffffffff6a000000");
    const out = scratch;
    expect(parse(L.S_VFIO_IRQ_SET, 0, buf, n, out, 64, 0)).toBe(S.OK);
    // struct + 5 fields + 3 elements
    expect(rec_count()).toBe(9);
    expect(load<u64>(out + 7 * 24 + 16)).toBe(0xffffffffffffffff); // -1 sign-extended
  });
  it("names the offset and field of a short payload", () => {
    const n = put("180000002400000002000000000000000200000064000000");
    expect(parse(L.S_VFIO_IRQ_SET, 0, buf, n, scratch, 64, 0)).toBe(S.E_PAYLOAD_SHORT);
    expect(err_offset()).toBe(20);
    expect(err_field()).toBe(L.F_VFIO_IRQ_SET__DATA);
  });
  it("refuses pointers outside memory instead of trapping", () => {
    expect(parse(L.S_VFIO_IRQ_SET, 0, <usize>0xfffffff0, 64, scratch, 64, 0)).toBe(S.E_RANGE);
    expect(parse(999, 0, buf, 0, scratch, 64, 0)).toBe(S.E_BAD_ARG);
  });
});

describe("capability chains", () => {
  it("walks and stops on a 2-cycle", () => {
    const n = put(
      "300000000f000000030000002000000000400000000000000000000000030000030001002800000003000100" + "20000000",
    );
    const out = scratch;
    expect(caps_walk(0, buf, n, 32, 32, out, 16)).toBe(S.E_CAP_BACKWARDS);
    expect(parse(L.S_VFIO_REGION_INFO, 0, buf, n, out, 64, 0)).toBe(S.E_CAP_LOOP);
  });
  it("builds a chain like vfio_info_cap_add + vfio_info_cap_shift (6.6: 8-aligned, zero pad)", () => {
    const dst = scratch + 1024;
    memory.fill(dst, 0xee, 128);
    // fixed type1 info: argsz 0, flags PGSIZES, pgsizes 0x1000
    memory.fill(dst, 0, 24);
    Mem.wr32(dst + 4, 1, false);
    Mem.wr64(dst + 8, 0x1000, false);
    const capA = scratch + 2048;
    memory.fill(capA, 0, 12);
    store<u16>(capA, 3);
    store<u16>(capA, 1, 2);
    store<u32>(capA, 7, 8);
    const capB = scratch + 2096;
    memory.fill(capB, 0, 16);
    store<u16>(capB, 1);
    store<u16>(capB, 1, 2);
    const list = scratch + 2200;
    store<u32>(list, <u32>capA);
    store<u32>(list, 12, 4);
    store<u32>(list, <u32>capB, 8);
    store<u32>(list, 16, 12);
    expect(caps_build(L.S_VFIO_IOMMU_TYPE1_INFO, PROF_EPOCH66, dst, 128, 24, 0xffffffff, list, 2)).toBe(56);
    expect(Mem.rd32(dst, false)).toBe(56); // argsz = full size: 24 + 16 + 16
    expect(Mem.rd32(dst + 4, false)).toBe(3); // CAPS flag added
    expect(Mem.rd32(dst + 16, false)).toBe(24); // cap_offset
    expect(Mem.rd32(dst + 24 + 4, false)).toBe(40); // 12-byte cap padded to 16
    expect(Mem.rd32(dst + 24 + 12, false)).toBe(0); // zero padding
    expect(Mem.rd32(dst + 40 + 4, false)).toBe(0); // last next = 0
    // argsz too small: no caps written, argsz raised, cap_offset 0
    Mem.wr32(dst + 16, 0, false);
    expect(caps_build(L.S_VFIO_IOMMU_TYPE1_INFO, PROF_EPOCH66, dst, 128, 24, 24, list, 2)).toBe(24);
    expect(Mem.rd32(dst, false)).toBe(56);
    expect(Mem.rd32(dst + 16, false)).toBe(0);
  });
});

describe("encoders and batches", () => {
  it("computes argsz for vfio_irq_set and byte-swaps for big-endian", () => {
    const p = scratch + 4096;
    store<i32>(p, 0x11223344);
    store<i32>(p, -1, 4);
    const dst = scratch + 8192;
    expect(irq_set_encode(PROF_BIG, dst, 64, 0xffffffff, 0x24, 2, 0, 2, p, 2)).toBe(28);
    expect(load<u8>(dst, 3)).toBe(0x1c);
    expect(load<u8>(dst, 20)).toBe(0x11);
    expect(irq_set_encode(0, dst, 64, 0xffffffff, 0x23, 2, 0, 2, p, 2)).toBe(S.E_VALUE);
  });
  it("writes fields from a value vector", () => {
    const vals = scratch + 4096;
    store<u64>(vals, 16);
    store<u64>(vals, 9, 8);
    store<u64>(vals, 2, 16);
    store<u64>(vals, 5, 24);
    store<u64>(vals, 0, 32);
    const dst = scratch + 8192;
    expect(encode_fields(L.S_VFIO_IRQ_INFO, 0, dst, 16, vals, 0)).toBe(16);
    expect(Mem.rd32(dst + 12, false)).toBe(5);
  });
  it("batch-decodes irq_info and counts argsz < 16", () => {
    const src = scratch + 4096,
      dst = scratch + 8192;
    Mem.wr32(src, 16, false);
    Mem.wr32(src + 4, 9, false);
    Mem.wr32(src + 8, 2, false);
    Mem.wr32(src + 12, 5, false);
    Mem.wr32(src + 16, 12, false);
    expect(irq_info_decode_batch(0, src, 2, dst)).toBe(1);
    expect(load<u32>(dst + 12)).toBe(5);
  });
});
