// Campaign loop (generator -> decoder -> round trip -> oracle -> mutator -> decoder), all in wasm.

import {
  BUF_CAP,
  DEV_WORDS,
  K_ELEM,
  K_FIELD,
  K_GAP,
  K_PAYLOAD,
  K_SLACK,
  K_TAIL,
  MAX_FAIL_LIST,
  NO_RULE,
  OUT_CASES,
  OUT_CLASS,
  OUT_FAILS,
  OUT_FAIL_LIST,
  OUT_HASH,
  OUT_INPUTS,
  OUT_KINDS,
  OUT_LEN_A,
  OUT_LEN_B,
  OUT_MUT_OK,
  OUT_MUT_REJ,
  OUT_NEAR,
  OUT_NLIST,
  OUT_PAGES0,
  OUT_PAGES1,
  OUT_ROUNDTRIPS,
  OUT_VALID,
  OUT_WORDS,
  PROF_BIG,
  REC_SIZE,
  W_A,
  W_B,
  W_C,
  W_REC,
  isValidClass,
} from "../generated/wasm-abi";
import { S_VFIO_IRQ_SET } from "../generated/layout";
import { wrN } from "../mem";
import { oracle_last_rule, oracleSetIrqs } from "../oracle";
import { recWritten, recOverflow } from "../records";
import { fieldAux, fieldType, T_ARRAY, T_BYTES, T_PAYLOAD } from "../tables";
import { gBaseOk, gClass, genCase, gRet, gRule, gSid, gStatus, gTarget } from "./gen";
import { mutateFrom, parseInto } from "./mutate";
import { below, seedCase } from "./rng";

/** Rebuild src[0..len) from the last parse's records into dst; true when identical. */
export function roundTrip(prof: u32, src: usize, len: u32, dst: usize, work: usize): bool {
  return rebuild(prof, src, len, dst, work, 0) && memory.compare(dst, src, len) == 0;
}
/** After a failed round trip: true when every differing byte is covered by no record at all. */
export function onlyUncovered(prof: u32, src: usize, len: u32, dst: usize, work: usize): bool {
  const alt = dst + 4096;
  if (!rebuild(prof, src, len, dst, work, 0) || !rebuild(prof, src, len, alt, work, 0xff)) return false;
  for (let i: u32 = 0; i < len; i++) {
    const a = load<u8>(dst + i);
    if (a != load<u8>(src + i) && a == load<u8>(alt + i)) return false;
  }
  return true;
}
function rebuild(prof: u32, src: usize, len: u32, dst: usize, work: usize, fill: u8): bool {
  const big = (prof & PROF_BIG) != 0;
  memory.fill(dst, fill, len);
  const recs = work + W_REC,
    n = recWritten();
  for (let i: u32 = 0; i < n; i++) {
    const r = recs + (i as usize) * REC_SIZE;
    const k = load<u8>(r) as u32,
      off = load<u32>(r, 4),
      size = load<u32>(r, 8);
    if ((off as u64) + (size as u64) > (len as u64)) return false; // a record outside the input
    if (k == K_FIELD) wrN(dst + off, size as i32, load<u64>(r, 16), big);
    else if (k == K_ELEM) {
      const t = fieldType(load<u16>(r, 2) as i32);
      // scalar elements carry their value; struct elements are rebuilt from their FIELD records
      if (t == T_PAYLOAD || (t == T_ARRAY && isScalarElem(load<u16>(r, 2) as i32)))
        wrN(dst + off, size as i32, load<u64>(r, 16), big);
      else if (t == T_BYTES) memory.copy(dst + off, src + off, size);
    } else if (k == K_GAP || k == K_SLACK || k == K_TAIL || (k == K_PAYLOAD && load<u32>(r, 12) == 0xffff))
      memory.copy(dst + off, src + off, size);
  }
  return true;
}

function isScalarElem(fid: i32): bool {
  return (fieldAux(fid) & 0x80) != 0;
}

function hashBytes(h: u64, p: usize, len: u32): u64 {
  let i: u32 = 0;
  for (; i + 8 <= len; i += 8) h = (h ^ load<u64>(p + i)) * 0x100000001b3;
  for (; i < len; i++) h = (h ^ (load<u8>(p + i) as u64)) * 0x100000001b3;
  return (h ^ (len as u64)) * 0x100000001b3;
}
function recHash(work: usize): u64 {
  return hashBytes(0xcbf29ce484222325, work + W_REC, recWritten() * (REC_SIZE as u32));
}

/** Hash of one generated case and its label (the campaign sums these: order-independent). */
export function caseHash(p: usize, len: u32): u64 {
  let h = hashBytes(0xcbf29ce484222325, p, len);
  h = (h ^ (gClass as u64)) * 0x100000001b3;
  h = (h ^ (gRet as u32 as u64) ^ ((gRule as u64) << 32)) * 0x100000001b3;
  return (h ^ (gStatus as u32 as u64)) * 0x100000001b3;
}

/** Profile index (low 16 bits) and device index (high 16) the campaign uses for case idx. */
export function caseEnv(seed: u32, idx: u32, nprof: u32, ndev: u32): u32 {
  seedCase(seed, idx, 1);
  const p = below(nprof);
  return p | (below(ndev) << 16);
}

let nFail: u32 = 0,
  nList: u32 = 0;
function fail(out: usize, idx: u32, kind: u32): void {
  const kc = out + OUT_KINDS + ((kind & 15) << 2);
  const seen = load<u32>(kc);
  store<u32>(kc, seen + 1);
  if (kind == 10 && seen >= 4) {
    nFail++;
    return;
  } // keep the list for other kinds
  if (nList < MAX_FAIL_LIST) {
    store<u32>(out + OUT_FAIL_LIST + (nList << 3), idx);
    store<u32>(out + OUT_FAIL_LIST + (nList << 3) + 4, kind);
    nList++;
  }
  nFail++;
}

export function campaign(
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
  memory.fill(out, 0, OUT_WORDS << 2);
  nFail = 0;
  nList = 0;
  const pages0 = memory.size();
  const A = work + W_A,
    B = work + W_B,
    Cb = work + W_C;
  let hsum: u64 = 0,
    valid: u32 = 0,
    mutOk: u32 = 0,
    rts: u32 = 0;
  for (let k: u32 = 0; k < n; k++) {
    const idx = first + k;
    const env = caseEnv(seed, idx, nprof, ndev);
    const prof = load<u32>(profs + ((env & 0xffff) << 2));
    const dev = devs + ((env >>> 16) as usize) * (DEV_WORDS << 2);
    seedCase(seed, idx, 0);
    const len = genCase(-1, prof, dev, A, work, -1);
    const sid = gSid;
    const cp = out + OUT_CLASS + ((gClass as usize) << 2);
    store<u32>(cp, load<u32>(cp) + 1);
    const isValid = isValidClass(gClass);
    valid += u32(isValid);
    hsum += caseHash(A, len);
    // 1. the decoder gives the labelled status; 2. accepted bytes round-trip exactly
    memory.fill(A + len, 0, 64);
    const st = parseInto(sid, prof, A, len, work);
    if (st != gStatus) fail(out, idx, 1);
    else if (st >= 0 && !recOverflow()) {
      rts++;
      if (!roundTrip(prof, A, len, Cb, work)) fail(out, idx, onlyUncovered(prof, A, len, Cb, work) ? 10 : 2);
    }
    if (sid == S_VFIO_IRQ_SET) {
      // 3. the label is the oracle's answer (also with different bytes behind the buffer)
      memory.fill(A + len, 0xa5, 64);
      const r = oracleSetIrqs(prof, A, len, dev, false);
      if (r != gRet || oracle_last_rule() != gRule) fail(out, idx, 3);
      // 4. a near-valid class hits the rule it was built for; 5. valid cases pass validation
      if (gTarget != NO_RULE && gRule != gTarget) fail(out, idx, 4);
      if (isValid && gBaseOk && gRule >= 1 && gRule <= 9) fail(out, idx, 5);
    }
    // mutate, reusing the records of the parse above
    const lb = mutateFrom(sid, prof, A, len, st, B, BUF_CAP, work);
    store<u32>(out + OUT_LEN_A, len);
    store<u32>(out + OUT_LEN_B, lb);
    memory.fill(B + lb, 0, 64);
    const s1 = parseInto(sid, prof, B, lb, work);
    const n1 = recWritten(),
      h1 = recHash(work);
    if (s1 >= 0) {
      mutOk++;
      if (!recOverflow()) {
        rts++;
        if (!roundTrip(prof, B, lb, Cb, work)) fail(out, idx, onlyUncovered(prof, B, lb, Cb, work) ? 10 : 6);
      }
    }
    // 7. no read outside the input: poison the bytes behind it, the decoder's answer must not change
    memory.fill(B + lb, 0xa5, 64);
    const s2 = parseInto(sid, prof, B, lb, work);
    if (s2 != s1 || recWritten() != n1 || recHash(work) != h1) fail(out, idx, 7);
    if (sid == S_VFIO_IRQ_SET) {
      const r1 = oracleSetIrqs(prof, B, lb, dev, false),
        q1 = oracle_last_rule();
      memory.fill(B + lb, 0, 64);
      const r2 = oracleSetIrqs(prof, B, lb, dev, false);
      if (r1 != r2 || q1 != oracle_last_rule()) fail(out, idx, 8);
    }
  }
  const pages1 = memory.size();
  if (pages1 != pages0) fail(out, 0xffffffff, 9);
  store<u32>(out + OUT_NLIST, nList);
  store<u32>(out + OUT_CASES, n);
  store<u32>(out + OUT_INPUTS, n * 2);
  store<u32>(out + OUT_FAILS, nFail);
  store<u32>(out + OUT_VALID, valid);
  store<u32>(out + OUT_NEAR, n - valid);
  store<u32>(out + OUT_MUT_OK, mutOk);
  store<u32>(out + OUT_MUT_REJ, n - mutOk);
  store<u32>(out + OUT_ROUNDTRIPS, rts);
  store<u64>(out + OUT_HASH, hsum);
  store<u32>(out + OUT_PAGES0, pages0 as u32);
  store<u32>(out + OUT_PAGES1, pages1 as u32);
  return nFail as i32;
}
