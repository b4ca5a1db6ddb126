// ABI fuzzing toolkit: seeded generators and the structure-aware mutator (the fuzzing module,
// build/fuzz.wasm from assembly/fuzz/, loaded on first use), labelled cases, corpora and the in-wasm
// campaign loop. No fast-check here (see ../fast-check.ts).

import { ERRNO_NAMES, MAX_FAIL_LIST, OUT, WORK } from "../generated/wasm-abi.js";
import { REGION, bytesAt, copyIn, copyOut, reserve, u32At, u64At } from "../memory.js";
import { statusName } from "../errors.js";
import { type FuzzExports, fuzzWasm, wasm } from "../loader.js";
import { DEV_WORDS, type DeviceDescription, deviceBlock } from "../oracle/model/device.js";
import { qemuDevice } from "../oracle/model/qemu.js";
import { type UapiIoctl, UapiModel } from "../oracle/model/uapi.js";
import { ruleName } from "../oracle-rules.js";
import { resolveProfile } from "../profile.js";
import { structByName } from "../schema-index.js";
import type { ProfileOptions } from "../types.js";
import { CLASSES, type ClassInfo, classByName, classInfo, className, FAILURE_KINDS } from "./classes.js";

export { CLASSES, type ClassInfo, classByName, classInfo, className, FAILURE_KINDS };

// The work area lives past the parser's 16 KiB `visited` table, which sits at the heap base.

interface Mem {
  w: FuzzExports;
  work: number;
  dev: number;
  devs: number;
  profs: number;
  out: number;
  scratch: number;
  buf: ArrayBuffer;
}
let mem: Mem | null = null;
const DEV_BYTES = DEV_WORDS * 4;
const MAX_DEVS = 16;
/** Reserve the fuzz area once (memory never grows after this). */
function area(): Mem {
  const w = fuzzWasm();
  if (mem && mem.w === w && mem.buf === w.memory.buffer) return mem;
  const ws = w.fuzz_work_size();
  const size = ws + DEV_BYTES * (MAX_DEVS + 1) + 256 + 4 * w.fuzz_out_words() + 8192 + 64;
  const work = reserve(w, REGION.fuzz, size, "vfio-abi fuzz");
  const dev = work + ws,
    devs = dev + DEV_BYTES,
    profs = devs + DEV_BYTES * MAX_DEVS,
    out = profs + 256;
  const scratch = (out + 4 * w.fuzz_out_words() + 63) & ~63;
  mem = { w, work, dev, devs, profs, out, scratch, buf: w.memory.buffer };
  return mem;
}

/** Default device: the QEMU harness's e1000e (INTx, MSI, MSI-X 5, ERR, REQ) under 6.12. */
export const DEFAULT_DEVICE: DeviceDescription = qemuDevice("e1000e", "6.12");
export type FuzzDevice = DeviceDescription | Uint32Array;
const blockOf = (d: FuzzDevice | undefined): Uint32Array =>
  d instanceof Uint32Array ? d : deviceBlock(d ?? DEFAULT_DEVICE);

/** The uAPI family's structs (the fuzzing module's UAPI_SIDS): kernel info structs without a capability chain. */
const UAPI_STRUCTS = [
  "vfio_group_status",
  "vfio_iommu_type1_dma_map",
  "vfio_iommu_type1_dma_unmap",
  "vfio_iommu_type1_dirty_bitmap",
  "vfio_iommu_spapr_tce_info",
  "vfio_eeh_pe_op",
  "vfio_iommu_spapr_register_memory",
  "vfio_iommu_spapr_tce_create",
  "vfio_iommu_spapr_tce_remove",
  "vfio_pci_hot_reset_info",
  "vfio_pci_hot_reset",
  "vfio_device_gfx_plane_info",
  "vfio_device_ioeventfd",
  "vfio_device_feature",
  "vfio_precopy_info",
  "vfio_device_bind_iommufd",
  "vfio_device_attach_iommufd_pt",
  "vfio_device_detach_iommufd_pt",
] as const;
/** The ioctls of uAPI structs whose kernel answers the model knows (x86_64, vfio-pci in a type1 container). */
const UAPI_KERNEL: Partial<Record<string, UapiIoctl>> = {
  vfio_device_feature: "VFIO_DEVICE_FEATURE",
  vfio_group_status: "VFIO_GROUP_GET_STATUS",
  vfio_pci_hot_reset_info: "VFIO_DEVICE_GET_PCI_HOT_RESET_INFO",
  vfio_iommu_type1_dma_map: "VFIO_IOMMU_MAP_DMA",
  vfio_iommu_type1_dma_unmap: "VFIO_IOMMU_UNMAP_DMA",
};

/** Families the generators know: a struct name, or "mixed". */
export const FAMILIES = [
  "vfio_irq_set",
  "vfio_irq_info",
  "vfio_region_info",
  "vfio_device_info",
  "vfio_iommu_type1_info",
  ...UAPI_STRUCTS,
  "mixed",
] as const;
const sidOf = (s: string | undefined): number => (!s || s === "mixed" ? -1 : structByName(s).id);

export interface Expected {
  /** SET_IRQS: the oracle's answer for the device; GET_IRQ_INFO: the kernel rule of §3.3. */
  kernel?: { ok: boolean; ret: number; errno: string | null; rule: string };
  /** What vfio-abi's decoder must answer: OK, NEEDS_ARGSZ or the error status. */
  codec: { ok: boolean; status: string };
  /** For near-valid SET_IRQS classes built on a valid request: the rule the class aims at. */
  targetRule?: string;
}
export interface FuzzCase {
  seed: number;
  index: number;
  struct: string;
  class: string;
  classId: number;
  valid: boolean;
  profile: { endian: "little" | "big"; epoch: "6.1" | "6.7" };
  bytes: Uint8Array;
  expected: Expected;
}
export interface GenerateOptions extends ProfileOptions {
  struct?: string;
  seed?: number;
  index?: number;
  class?: string | number;
  device?: FuzzDevice;
}

function readLabel(w: FuzzExports): { sid: number; cls: number; expected: Expected } {
  const sid = w.fuzz_label_struct(),
    cls = w.fuzz_label_class(),
    st = w.fuzz_label_status();
  const ret = w.fuzz_label_ret(),
    rule = w.fuzz_label_rule(),
    target = w.fuzz_label_target();
  const expected: Expected = { codec: { ok: st >= 0, status: statusName(st) } };
  if (sid === structByName("vfio_irq_set").id || sid === structByName("vfio_irq_info").id)
    expected.kernel = {
      ok: ret >= 0,
      ret,
      errno: ret < 0 ? (ERRNO_NAMES[-ret] ?? `E${-ret}`) : null,
      rule: ruleName(rule),
    };
  if (target !== 0xff) expected.targetRule = ruleName(target);
  return { sid, cls, expected };
}

/** One labelled case: same (seed, index, options) -> same bytes on every engine. */
export function generate(o: GenerateOptions = {}): FuzzCase {
  const m = area(),
    w = m.w;
  const prof = resolveProfile(o);
  u32At(w, m.dev, DEV_WORDS).set(blockOf(o.device));
  const cls = o.class === undefined ? -1 : typeof o.class === "number" ? o.class : classByName(o.class).id;
  const seed = (o.seed ?? 0) >>> 0,
    index = (o.index ?? 0) >>> 0;
  const len = w.fuzz_gen(sidOf(o.struct), seed, index, prof.word, m.dev, m.work, cls);
  if (len < 0) throw new Error(`vfio-abi fuzz: generator failed (${statusName(len)})`);
  const bytes = copyOut(w, m.work, len);
  const { sid, cls: c, expected } = readLabel(w);
  const kernel = uapiKernelLabel(structName(sid), bytes, prof, o.device);
  if (kernel) expected.kernel = kernel;
  return {
    seed,
    index,
    struct: structName(sid),
    class: className(c),
    classId: c,
    valid: classInfo(c)?.valid ?? false,
    profile: { endian: prof.endian, epoch: prof.epoch },
    bytes,
    expected,
  };
}
const structName = (sid: number) => SCHEMA_NAMES()[sid] ?? `struct-${sid}`;

/**
 * The kernel's answer to a uAPI case, from the model (not from the generator): for the ioctls the
 * model knows, on an x86_64 profile and a described device (a raw device block has no regions).
 */
function uapiKernelLabel(
  struct: string,
  bytes: Uint8Array,
  prof: ReturnType<typeof resolveProfile>,
  device: FuzzDevice | undefined,
): Expected["kernel"] | undefined {
  const ioctl = UAPI_KERNEL[struct];
  if (!ioctl || prof.endian !== "little" || prof.model !== "lp64" || device instanceof Uint32Array) return undefined;
  const p = new UapiModel(device ?? DEFAULT_DEVICE).predict(ioctl, bytes);
  if (p.ret === null) return undefined;
  return { ok: p.ret >= 0, ret: p.ret, errno: p.errno, rule: p.rule };
}

import { SCHEMA } from "../generated/schema.js";

const SCHEMA_NAMES = () => SCHEMA.structs.map((s) => s.name);

/** count consecutive cases (index = first .. first + count - 1). */
export function* corpus(o: GenerateOptions & { count: number; first?: number }): Generator<FuzzCase> {
  for (let i = 0; i < o.count; i++) yield generate({ ...o, index: (o.first ?? 0) + i });
}

export interface MutateOptions extends ProfileOptions {
  struct?: string;
  maxLength?: number;
}
/**
 * Structure-aware mutation: decode, change one field / payload element / chain link (id, version,
 * next), re-encode (vfio_irq_set keeps argsz and payload consistent unless argsz is the target);
 * byte-level mutation when the input does not decode. Deterministic in (bytes, seed, options).
 * Usable as a custom mutator: (data, seed) => mutate(data, seed, { struct }).
 */
export function mutate(bytes: Uint8Array, seed: number | bigint, o: MutateOptions = {}): Uint8Array {
  const m = area(),
    w = m.w;
  const prof = resolveProfile(o);
  const cap = Math.min(o.maxLength ?? 4000, 4000);
  const len = Math.min(bytes.length, 4000);
  const src = m.scratch,
    dst = m.scratch + 4096;
  bytesAt(w, src, len).set(bytes.subarray(0, len));
  const sid = sidOf(o.struct ?? "vfio_irq_set");
  const n = w.fuzz_mutate(sid < 0 ? 4 : sid, prof.word, src, len, dst, cap, BigInt.asUintN(64, BigInt(seed)), m.work);
  if (n < 0) throw new Error(`vfio-abi fuzz: mutate failed (${statusName(n)})`);
  return copyOut(w, dst, n);
}

/** The oracle's answer (the core module's) for a SET_IRQS buffer on a device (no state change). */
export function labelSetIrqs(
  bytes: Uint8Array,
  device?: FuzzDevice,
  o: ProfileOptions = {},
): { ok: boolean; ret: number; errno: string | null; rule: string } {
  const w = wasm();
  const len = Math.min(bytes.length, 4000);
  const dev = reserve(w, REGION.oracle, DEV_BYTES + len, "vfio-abi fuzz label"),
    buf = dev + DEV_BYTES;
  u32At(w, dev, DEV_WORDS).set(blockOf(device));
  copyIn(w, buf, bytes.subarray(0, len));
  const ret = w.oracle_set_irqs(resolveProfile(o).word, buf, len, dev, 0);
  return {
    ok: ret >= 0,
    ret,
    errno: ret < 0 ? (ERRNO_NAMES[-ret] ?? `E${-ret}`) : null,
    rule: ruleName(w.oracle_last_rule()),
  };
}

// ---- campaign shards (used by the CLI's worker threads; callable directly too)

/** Profiles the campaign cycles through: both byte orders x both layout epochs. */
export const CAMPAIGN_PROFILES: ProfileOptions[] = [
  { endian: "little", epoch: "6.1" },
  { endian: "little", epoch: "6.6" },
  { endian: "big", epoch: "6.1" },
  { endian: "big", epoch: "6.6" },
];
/** Devices the campaign cycles through: every driver, both kernels. */
export function campaignDevices(): DeviceDescription[] {
  const pci = (counts: number[], flags: number[]) =>
    counts.map((count, index) => ({ index, count, flags: flags[index] }));
  return [
    qemuDevice("e1000e", "6.1"),
    qemuDevice("e1000e", "6.12"),
    qemuDevice("edu", "6.12"),
    { driver: "vfio-pci", kernel: "6.12", irqs: pci([1, 8, 64, 1, 1], [7, 9, 1, 9, 9]), openFds: [0, 1, 2, 7] },
    { driver: "vfio-platform", kernel: "6.1", irqs: pci([1, 1, 1], [7, 1, 7]) },
    { driver: "vfio-amba", kernel: "6.12", irqs: pci([1], [1]) },
    { driver: "vfio-ccw", kernel: "6.12", irqs: pci([1, 1, 1], [1, 1, 1]) },
    { driver: "vfio-ap", kernel: "6.12", irqs: pci([1, 1], [1, 1]) },
    { driver: "libvfio-user", irqs: pci([1, 4, 16, 1, 1], [7, 9, 9, 9, 9]) },
  ];
}
export interface ShardStats {
  cases: number;
  inputs: number;
  failures: number;
  valid: number;
  nearValid: number;
  mutatedDecoded: number;
  mutatedRejected: number;
  roundTrips: number;
  hash: bigint;
  pages: [number, number];
  classes: number[];
  failureList: { index: number; kind: number }[];
  /** Failures per kind (index = kind, see FAILURE_KINDS). */
  kinds: number[];
}
function setupCampaign(devices: FuzzDevice[], profiles: ProfileOptions[]) {
  const m = area(),
    w = m.w;
  if (devices.length > MAX_DEVS) throw new Error(`at most ${MAX_DEVS} devices`);
  devices.forEach((d, i) => {
    u32At(w, m.devs + i * DEV_BYTES, DEV_WORDS).set(blockOf(d));
  });
  u32At(w, m.profs, profiles.length).set(profiles.map((p) => resolveProfile(p).word));
  return m;
}
/** Run cases first .. first+count-1 of run `seed` through the in-wasm campaign loop. */
export function campaignShard(
  seed: number,
  first: number,
  count: number,
  devices: FuzzDevice[] = campaignDevices(),
  profiles: ProfileOptions[] = CAMPAIGN_PROFILES,
): ShardStats {
  const m = setupCampaign(devices, profiles),
    w = m.w;
  const f = w.fuzz_campaign(
    seed >>> 0,
    first >>> 0,
    count >>> 0,
    m.profs,
    profiles.length,
    m.devs,
    devices.length,
    m.work,
    m.out,
  );
  if (f < 0) throw new Error(`vfio-abi fuzz: campaign failed (${statusName(f)})`);
  const o = u32At(w, m.out, w.fuzz_out_words());
  const at = (byteOffset: number) => o[byteOffset / 4]; // the block's fields are u32 words
  const failureList = [];
  for (let i = 0; i < Math.min(at(OUT.NLIST), MAX_FAIL_LIST); i++)
    failureList.push({ index: at(OUT.FAIL_LIST + 8 * i), kind: at(OUT.FAIL_LIST + 8 * i + 4) });
  return {
    cases: at(OUT.CASES),
    inputs: at(OUT.INPUTS),
    failures: at(OUT.FAILS),
    valid: at(OUT.VALID),
    nearValid: at(OUT.NEAR),
    mutatedDecoded: at(OUT.MUT_OK),
    mutatedRejected: at(OUT.MUT_REJ),
    roundTrips: at(OUT.ROUNDTRIPS),
    kinds: Array.from(o.slice(OUT.KINDS / 4, OUT.KINDS / 4 + 16)),
    hash: u64At(w, m.out + OUT.HASH, 1)[0],
    pages: [at(OUT.PAGES0), at(OUT.PAGES1)],
    classes: Array.from(o.slice(OUT.CLASS / 4, OUT.CLASS / 4 + w.fuzz_num_classes())),
    failureList,
  };
}
/** Re-run one campaign case: the generated and the mutated bytes, with the profile and device used. */
export function replayCase(
  seed: number,
  index: number,
  devices: FuzzDevice[] = campaignDevices(),
  profiles: ProfileOptions[] = CAMPAIGN_PROFILES,
) {
  const m = setupCampaign(devices, profiles),
    w = m.w;
  const env = w.fuzz_case_env(seed >>> 0, index >>> 0, profiles.length, devices.length);
  const f = w.fuzz_campaign(
    seed >>> 0,
    index >>> 0,
    1,
    m.profs,
    profiles.length,
    m.devs,
    devices.length,
    m.work,
    m.out,
  );
  if (f < 0) throw new Error(`vfio-abi fuzz: case replay failed (${statusName(f)})`);
  const o = u32At(w, m.out, w.fuzz_out_words());
  const a = copyOut(w, m.work + WORK.A, o[OUT.LEN_A / 4]);
  const b = copyOut(w, m.work + WORK.B, o[OUT.LEN_B / 4]);
  const kinds = [];
  for (let i = 0; i < Math.min(o[OUT.NLIST / 4], MAX_FAIL_LIST); i++) kinds.push(o[(OUT.FAIL_LIST + 8 * i + 4) / 4]);
  const profile = profiles[env & 0xffff],
    device = devices[env >>> 16];
  const gen = generate({ ...profile, seed, index, device: device as FuzzDevice });
  return { generated: a, mutated: b, case: gen, profile, device, failureKinds: kinds };
}
