/* Native C baselines for bench/run.mjs, built by the bench at -O2 and at -O3 -march=native, on the
 * same seeded input files:
 *   native <irq_info.bin> <irq_set.bin> <irq_set.idx> <reps>
 * prints JSON: median ns per struct for the irq_info decode and memcpy, ns per buffer for two ports
 * of the vfio_irq_set validate stage (same rules as assembly/validate_fast.ts / oracle.ts): written
 * plainly with branches, and the wasm's own branch-free algorithm (a bit per failing check, ctz
 * picks the first in the kernel's order). Checksums of every output let run.mjs compare them. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec * 1e9 + t.tv_nsec; }
static int cmp(const void *a, const void *b) { double x = *(const double *)a, y = *(const double *)b; return x < y ? -1 : x > y; }
static double median(double *v, int n) { qsort(v, n, sizeof *v, cmp); return v[n / 2]; }
static uint8_t *slurp(const char *p, size_t *n) {
  FILE *f = fopen(p, "rb"); if (!f) { perror(p); exit(2); }
  fseek(f, 0, SEEK_END); *n = ftell(f); fseek(f, 0, SEEK_SET);
  uint8_t *b = malloc(*n + 64); if (fread(b, 1, *n, f) != *n) exit(2); fclose(f); return b;
}
static inline uint32_t rd32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }

struct irq_info { uint32_t argsz, flags, index, count; };

/* a library-style decoder: struct in, host-order fields out; counts argsz < 16 like the wasm batch */
__attribute__((noinline)) static uint32_t decode_batch(const uint8_t *src, size_t n, struct irq_info *out) {
  uint32_t bad = 0;
  for (size_t i = 0; i < n; i++) {
    const uint8_t *s = src + i * 16;
    out[i].argsz = rd32(s); out[i].flags = rd32(s + 4); out[i].index = rd32(s + 8); out[i].count = rd32(s + 12);
    bad += out[i].argsz < 16;
  }
  return bad;
}

enum { R_OK = 0, R_COPY_FAULT = 1, R_ARGSZ_MIN = 2, R_INDEX = 3, R_COUNT_OVERFLOW = 4, R_FLAGS_UNKNOWN = 5,
       R_START = 6, R_RANGE = 7, R_DATA_TYPE = 8, R_PAYLOAD_SHORT = 9, R_ACTION = 10 };
/* vfio_set_irqs_validate_and_prepare + the PCI ACTION dispatch, written plainly (branches) */
static inline int32_t validate(const uint8_t *b, uint32_t len, const uint32_t *nirqs, uint32_t *rule) {
  if (len < 20) { *rule = R_COPY_FAULT; return -14; }
  uint32_t argsz = rd32(b), flags = rd32(b + 4), index = rd32(b + 8), start = rd32(b + 12), count = rd32(b + 16);
  uint32_t n = index < 5 ? nirqs[index] : 0, dt = flags & 7, act = flags & 0x38, esz;
  if (argsz < 20) { *rule = R_ARGSZ_MIN; return -22; }
  if (index >= 5) { *rule = R_INDEX; return -22; }
  if (count >= 0xffffffffu - start) { *rule = R_COUNT_OVERFLOW; return -22; }
  if (flags & ~0x3fu) { *rule = R_FLAGS_UNKNOWN; return -22; }
  if (start >= n || start + count > n) { *rule = start >= n ? R_START : R_RANGE; return -22; }
  if (dt == 1) esz = 0; else if (dt == 2) esz = 1; else if (dt == 4) esz = 4; else { *rule = R_DATA_TYPE; return -22; }
  if (esz && (uint64_t)(argsz - 20) < (uint64_t)count * esz) { *rule = R_PAYLOAD_SHORT; return -22; }
  if (esz && 20 + (uint64_t)count * esz > len) { *rule = R_COPY_FAULT; return -14; }
  if (act != 0x08 && act != 0x10 && act != 0x20) { *rule = R_ACTION; return -25; }
  *rule = R_OK; return 0;
}
/* the same algorithm as assembly/validate_fast.ts: every check computed, first failure by ctz */
static const uint32_t RULE_OF_BIT[12] = { R_COPY_FAULT, R_ARGSZ_MIN, R_INDEX, R_COUNT_OVERFLOW, R_FLAGS_UNKNOWN, R_START,
                                          R_RANGE, R_DATA_TYPE, R_PAYLOAD_SHORT, R_COPY_FAULT, R_ACTION, R_OK };
static const int32_t ERRNO_OF_BIT[12] = { -14, -22, -22, -22, -22, -22, -22, -22, -22, -14, -25, 0 };
/* 3-bit field sets tested as (SET >> v) & 1: values with exactly one bit set, data types with a payload */
enum { ONE_BIT = (1 << 1) | (1 << 2) | (1 << 4), WITH_DATA = (1 << 2) | (1 << 4) };
static inline uint32_t verdict_bit(const uint8_t *b, uint32_t len, const uint32_t *nirqs) {
  uint32_t argsz = rd32(b), flags = rd32(b + 4), idx = rd32(b + 8), start = rd32(b + 12), count = rd32(b + 16);
  uint32_t in = idx < 5, n = in ? nirqs[in ? idx : 0] : 0, dt = flags & 7, act = (flags & 0x38) >> 3;
  uint32_t has = (WITH_DATA >> dt) & 1, shift = (dt >> 1) & 2;
  uint32_t m = (uint32_t)(len < 20) | (uint32_t)(argsz < 20) << 1 | (uint32_t)!in << 2 | (uint32_t)(count >= 0xffffffffu - start) << 3
    | (uint32_t)((flags & ~0x3fu) != 0) << 4 | (uint32_t)(start >= n) << 5 | (uint32_t)(start + count > n) << 6
    | (((ONE_BIT >> dt) & 1) ^ 1) << 7 | (has & (uint32_t)(count > ((argsz - 20) >> shift))) << 8
    | (has & (uint32_t)(count > ((len - 20) >> shift))) << 9 | (((ONE_BIT >> act) & 1) ^ 1) << 10 | 1u << 11;
  return (uint32_t)__builtin_ctz(m);
}
__attribute__((noinline)) static int32_t validate_batch_bf(const uint8_t *bufs, const uint32_t *idx, uint32_t n, const uint32_t *nirqs, int32_t *out) {
  int32_t ok = 0;
  for (uint32_t i = 0; i < n; i++) {
    uint32_t bit = verdict_bit(bufs + idx[2 * i], idx[2 * i + 1], nirqs);
    int32_t v = ERRNO_OF_BIT[bit];
    out[i] = v; out[n + i] = (int32_t)RULE_OF_BIT[bit]; ok += v == 0;
  }
  return ok;
}
__attribute__((noinline)) static int32_t validate_batch(const uint8_t *bufs, const uint32_t *idx, uint32_t n, const uint32_t *nirqs, int32_t *out) {
  int32_t ok = 0;
  for (uint32_t i = 0; i < n; i++) {
    uint32_t rule;
    int32_t r = validate(bufs + idx[2 * i], idx[2 * i + 1], nirqs, &rule);
    out[i] = r; out[n + i] = (int32_t)rule; ok += r >= 0;
  }
  return ok;
}

int main(int argc, char **argv) {
  if (argc < 5) return 2;
  int reps = atoi(argv[4]);
  size_t ni, ns, nx;
  uint8_t *info = slurp(argv[1], &ni), *sets = slurp(argv[2], &ns);
  uint32_t *idx = (uint32_t *)slurp(argv[3], &nx);
  size_t n = ni / 16; uint32_t m = nx / 8;
  struct irq_info *out = malloc(n * sizeof *out); uint8_t *copy = malloc(ni);
  int32_t *vout = malloc(m * 8);
  const uint32_t nirqs[5] = { 1, 16, 64, 1, 1 }; /* same as bench/run.mjs PCI device */
  int32_t *bout = malloc(m * 8);
  double td[64], tm[64], tv[64], tb[64]; volatile uint32_t sink = 0;
  for (int r = 0; r < reps; r++) {
    double t = now(); sink += decode_batch(info, n, out); td[r] = (now() - t) / n;
    t = now(); memcpy(copy, info, ni); __asm__ volatile("" ::"r"(copy) : "memory"); tm[r] = (now() - t) / n;
    t = now(); sink += validate_batch(sets, idx, m, nirqs, vout); tv[r] = (now() - t) / m;
    t = now(); sink += validate_batch_bf(sets, idx, m, nirqs, bout); tb[r] = (now() - t) / m;
  }
  /* checksums so run.mjs can verify the same work was done */
  uint64_t cs = 0; for (size_t i = 0; i < n; i++) cs += out[i].argsz ^ out[i].flags ^ out[i].index ^ out[i].count;
  uint64_t vs = 0, bs = 0;
  for (uint32_t i = 0; i < m; i++) vs = vs * 31 + (uint32_t)(vout[i] * 64 + vout[m + i]);
  for (uint32_t i = 0; i < m; i++) bs = bs * 31 + (uint32_t)(bout[i] * 64 + bout[m + i]);
  printf("{\"decode\":%.4f,\"memcpy\":%.4f,\"validate\":%.4f,\"validateBranchFree\":%.4f,\"bad\":%u,\"decodeSum\":\"%llu\",\"validateHash\":\"%llu\",\"validateBranchFreeHash\":\"%llu\",\"accepted\":%d}\n",
         median(td, reps), median(tm, reps), median(tv, reps), median(tb, reps), decode_batch(info, n, out), (unsigned long long)cs,
         (unsigned long long)vs, (unsigned long long)bs, validate_batch(sets, idx, m, nirqs, vout));
  (void)sink;
  return 0;
}
