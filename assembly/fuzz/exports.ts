// Fuzzing exports (docs: bindings/fuzz/). Pointer-based, no allocation; the host passes a work
// area of fuzz_work_size() bytes: generated case at work+0, mutated case at work+4096.

import { DEV_WORDS, NUM_CLASSES, OUT_WORDS, PROF_KNOWN, WORK_SIZE, W_A } from "../generated/wasm-abi";
import {
  S_VFIO_DEVICE_INFO,
  S_VFIO_IOMMU_TYPE1_INFO,
  S_VFIO_IRQ_INFO,
  S_VFIO_IRQ_SET,
  S_VFIO_REGION_INFO,
} from "../generated/layout";
import { inArena } from "../mem";
import * as S from "../generated/status";
import { campaign, caseEnv, caseHash } from "./check";
import { gClass, genCase, genIrqSet, gRet, gRule, gSid, gStatus, gTarget } from "./gen";
import { mutateFrom, parseInto } from "./mutate";
import { isUapi } from "./uapi";
import { seedCase, seedRaw } from "./rng";

export function fuzz_work_size(): u32 {
  return WORK_SIZE;
}
export function fuzz_out_words(): u32 {
  return OUT_WORDS;
}
export function fuzz_num_classes(): i32 {
  return NUM_CLASSES;
}

function famOk(sid: i32): bool {
  return (
    sid == -1 ||
    sid == S_VFIO_IRQ_SET ||
    sid == S_VFIO_IRQ_INFO ||
    sid == S_VFIO_REGION_INFO ||
    sid == S_VFIO_DEVICE_INFO ||
    sid == S_VFIO_IOMMU_TYPE1_INFO ||
    isUapi(sid)
  );
}
function argsOk(sid: i32, prof: u32, dev: usize, work: usize): bool {
  return (
    famOk(sid) && (prof & ~PROF_KNOWN) == 0 && inArena(work, WORK_SIZE as u64) && inArena(dev, (DEV_WORDS as u64) << 2)
  );
}

/**
 * Generate case `idx` of run `seed` for family sid (a struct id, -1 = mixed) and class cls
 * (-1 = random) on device block `dev`. Bytes at work+0; returns the length. Labels: fuzz_label_*.
 */
export function fuzz_gen(sid: i32, seed: u32, idx: u32, prof: u32, dev: usize, work: usize, cls: i32): i32 {
  if (!argsOk(sid, prof, dev, work) || cls >= NUM_CLASSES) return S.E_BAD_ARG;
  seedCase(seed, idx, 0);
  return genCase(sid, prof, dev, work + W_A, work, cls < 0 ? -1 : cls) as i32;
}
export function fuzz_label_class(): i32 {
  return gClass;
}
export function fuzz_label_struct(): i32 {
  return gSid;
}
export function fuzz_label_ret(): i32 {
  return gRet;
}
export function fuzz_label_rule(): u32 {
  return gRule;
}
export function fuzz_label_status(): i32 {
  return gStatus;
}
export function fuzz_label_target(): u32 {
  return gTarget;
}

/**
 * Structure-aware mutation of src[0..len) (struct sid) into dst (capacity cap), seeded by seed.
 * Returns the new length or a negative status.
 */
export function fuzz_mutate(
  sid: i32,
  prof: u32,
  src: usize,
  len: u32,
  dst: usize,
  cap: u32,
  seed: u64,
  work: usize,
): i32 {
  if (!argsOk(sid < 0 ? S_VFIO_IRQ_SET : sid, prof, work, work) || sid < 0) return S.E_BAD_ARG;
  if (!inArena(src, len as u64) || !inArena(dst, cap as u64)) return S.E_RANGE;
  seedRaw(seed);
  const st = parseInto(sid, prof, src, len, work);
  return mutateFrom(sid, prof, src, len, st, dst, cap, work) as i32;
}

/** Profile index | device index << 16 that the campaign picks for case idx (to replay it). */
export function fuzz_case_env(seed: u32, idx: u32, nprof: u32, ndev: u32): u32 {
  return caseEnv(seed, idx, nprof, ndev);
}

/** Campaign over cases first..first+n-1 (see check.ts); stats to out (fuzz_out_words() u32). */
export function fuzz_campaign(
  seed: u32,
  first: u32,
  n: u32,
  profs: usize,
  nprof: u32,
  devs: usize,
  ndev: u32,
  work: usize,
  out: usize,
): i32 {
  if (
    nprof == 0 ||
    ndev == 0 ||
    !inArena(profs, (nprof as u64) << 2) ||
    !inArena(devs, ((ndev as u64) * DEV_WORDS) << 2) ||
    !inArena(work, WORK_SIZE as u64) ||
    !inArena(out, (OUT_WORDS as u64) << 2)
  )
    return S.E_RANGE;
  for (let i: u32 = 0; i < nprof; i++) if ((load<u32>(profs + (i << 2)) & ~PROF_KNOWN) != 0) return S.E_BAD_ARG;
  return campaign(seed, first, n, profs, nprof, devs, ndev, work, out);
}

/**
 * Generation + labelling only (benchmarks, corpus hashes): n cases of family sid from `first`.
 * Returns the number the oracle/codec accepts; the order-independent hash sum goes to out (u64).
 */
export function fuzz_gen_batch(
  sid: i32,
  seed: u32,
  first: u32,
  n: u32,
  prof: u32,
  dev: usize,
  work: usize,
  out: usize,
): i32 {
  if (!argsOk(sid, prof, dev, work) || !inArena(out, 8)) return S.E_BAD_ARG;
  let acc: i32 = 0;
  let h: u64 = 0;
  // irq_set, the family the benchmark times, skips genCase's per-case family dispatch (same result)
  const set = sid == S_VFIO_IRQ_SET;
  for (let k: u32 = 0; k < n; k++) {
    seedCase(seed, first + k, 0);
    const len = set ? genIrqSet(prof, dev, work + W_A, -1) : genCase(sid, prof, dev, work + W_A, work, -1);
    acc += i32((gSid == S_VFIO_IRQ_SET ? gRet : gStatus) >= 0);
    h += caseHash(work + W_A, len);
  }
  store<u64>(out, h);
  return acc;
}
