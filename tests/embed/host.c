/* C host for the wasm2c translations of build/release.wasm (wabt 1.0.32, module name "vfio") and
 * build/fuzz.wasm (module name "fuzz"), linked into one program. Reads a job on stdin
 * (tests/embed/driver.mjs documents the operations), prints one line per operation; the output must
 * be byte-identical to the JS driver's on Node, Bun, Deno and jsc. The exports are bound through
 * vfio_abi_wasm.h's X-macros, so a header that disagrees with a module's signatures fails to compile
 * here. */
#define _GNU_SOURCE
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "vfio.h"
#include "vfio_abi_wasm.h"

static Z_vfio_instance_t inst;
#define VFIO_ABI_SELF (&inst)
#define WRAP(ret, name, sig, params, args) \
  static inline ret vfio_##name params { return (ret)Z_vfioZ_##name args; }
VFIO_ABI_EXPORTS(WRAP)
#undef WRAP
#undef VFIO_ABI_SELF

static Z_fuzz_instance_t fz;
#define VFIO_ABI_SELF (&fz)
#define WRAP(ret, name, sig, params, args) \
  static inline ret fz_##name params { return (ret)Z_fuzzZ_##name args; }
VFIO_ABI_FUZZ_EXPORTS(WRAP)
#undef WRAP
#undef VFIO_ABI_SELF

static uint8_t *mem(void) { return Z_vfioZ_memory(&inst)->data; }
static uint8_t *fmem(void) { return Z_fuzzZ_memory(&fz)->data; }
static uint32_t al(uint32_t x, uint32_t a) { return (x + a - 1) & ~(a - 1); }

static size_t from_hex(const char *h, uint8_t *out) {
  if (!h || strcmp(h, "-") == 0) return 0;
  size_t n = strlen(h) / 2;
  for (size_t i = 0; i < n; i++) {
    unsigned v;
    sscanf(h + 2 * i, "%2x", &v);
    out[i] = (uint8_t)v;
  }
  return n;
}
static void print_hex(const uint8_t *p, size_t n) {
  if (n == 0) { fputs("-", stdout); return; }
  for (size_t i = 0; i < n; i++) printf("%02x", p[i]);
}
static uint32_t num(char **tok, int i) { return (uint32_t)strtoul(tok[i], NULL, 10); }
static uint32_t rd32le(const uint8_t *p) { return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24; }
static void wr32le(uint8_t *p, uint32_t v) { p[0] = v; p[1] = v >> 8; p[2] = v >> 16; p[3] = v >> 24; }
static uint64_t rd64le(const uint8_t *p) { return rd32le(p) | (uint64_t)rd32le(p + 4) << 32; }

/* The fuzzing module's operations; its work area, device blocks and outputs live in its own arena. */
static uint32_t f_work, f_dev, f_src, f_dst, f_out;
static void fuzz_setup(void) {
  if (fz_arena_reserve(1u << 20) < 0) { fprintf(stderr, "fuzz arena_reserve failed\n"); exit(2); }
  f_work = fz_arena_ptr();
  f_dev = f_work + fz_fuzz_work_size();
  f_src = f_dev + 65536;
  f_dst = f_src + 8192;
  f_out = f_dst + 8192;
}
static int fuzz_op(char **tok, int nt, uint8_t *buf) {
  if (!strcmp(tok[0], "fgen")) {
    size_t nd = from_hex(tok[6], buf);
    memcpy(fmem() + f_dev, buf, nd);
    int32_t len = fz_fuzz_gen((int32_t)strtol(tok[1], NULL, 10), num(tok, 2), num(tok, 3), num(tok, 4), f_dev, f_work,
                              (int32_t)strtol(tok[5], NULL, 10));
    printf("fgen %d %d %d %d %u %d %u ", len, fz_fuzz_label_class(), fz_fuzz_label_struct(), fz_fuzz_label_ret(),
           fz_fuzz_label_rule(), fz_fuzz_label_status(), fz_fuzz_label_target());
    print_hex(fmem() + f_work, len > 0 ? len : 0);
  } else if (!strcmp(tok[0], "fmut")) {
    size_t n = from_hex(tok[4], buf);
    memcpy(fmem() + f_src, buf, n);
    int32_t r = fz_fuzz_mutate((int32_t)strtol(tok[1], NULL, 10), num(tok, 2), f_src, n, f_dst, 4000,
                               strtoull(tok[3], NULL, 10), f_work);
    printf("fmut %d ", r);
    print_hex(fmem() + f_dst, r > 0 ? r : 0);
  } else if (!strcmp(tok[0], "fbatch")) {
    size_t nd = from_hex(tok[6], buf);
    memcpy(fmem() + f_dev, buf, nd);
    int32_t acc = fz_fuzz_gen_batch((int32_t)strtol(tok[1], NULL, 10), num(tok, 2), num(tok, 3), num(tok, 4), num(tok, 5),
                                    f_dev, f_work, f_out);
    printf("fbatch %d %" PRIu64, acc, rd64le(fmem() + f_out));
  } else if (!strcmp(tok[0], "fcamp")) {
    uint32_t nprof = 0, ndev = 0;
    for (char *p = tok[4]; p && *p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL)
      wr32le(fmem() + f_src + 4 * nprof++, (uint32_t)strtoul(p, NULL, 10));
    for (int i = 5; i < nt; i++) {
      size_t nd = from_hex(tok[i], buf);
      memcpy(fmem() + f_dev + ndev++ * nd, buf, nd);
    }
    int32_t r = fz_fuzz_campaign(num(tok, 1), num(tok, 2), num(tok, 3), f_src, nprof, f_dev, ndev, f_work, f_out);
    printf("fcamp %d ", r);
    print_hex(fmem() + f_out, 4 * fz_fuzz_out_words());
  } else {
    return 0;
  }
  putchar('\n');
  return 1;
}

int main(void) {
  wasm_rt_init();
  Z_vfio_init_module();
  Z_vfio_instantiate(&inst);
  Z_fuzz_init_module();
  Z_fuzz_instantiate(&fz);
  if (vfio_abi_version() != VFIO_ABI_VERSION || fz_abi_version() != VFIO_ABI_VERSION) {
    fprintf(stderr, "ABI version mismatch\n");
    return 2;
  }
  fuzz_setup();
  if (vfio_arena_reserve(1u << 20) < 0) { fprintf(stderr, "arena_reserve failed\n"); return 2; }
  uint32_t base = vfio_arena_ptr(), src = base + 64;
  char *line = NULL;
  size_t cap = 0;
  static char *tok[4096];
  static uint8_t buf[1 << 16];
  while (getline(&line, &cap, stdin) > 0) {
    int nt = 0;
    for (char *s = strtok(line, " \t\r\n"); s && nt < 4096; s = strtok(NULL, " \t\r\n")) tok[nt++] = s;
    if (nt == 0 || tok[0][0] == '#') continue;
    uint8_t *m = mem();
    if (!strcmp(tok[0], "version")) {
      printf("version %d %d %d\n", vfio_abi_version(), vfio_struct_count(), (int32_t)*Z_vfioZ_ABI_VERSION(&inst));
    } else if (!strcmp(tok[0], "size")) {
      printf("size %d\n", vfio_struct_size(num(tok, 1), num(tok, 2)));
    } else if (!strcmp(tok[0], "parse")) {
      size_t n = from_hex(tok[3], buf);
      memset(m + src, 0, 65536);
      memcpy(m + src, buf, n);
      uint32_t recs = al(src + n, 8);
      int32_t st = vfio_parse(num(tok, 1), num(tok, 2), src, n, recs, n + 64, 1024);
      uint32_t k = vfio_rec_count();
      printf("parse %d %u err %d %u %d %" PRIu64 " recs ", st, k, vfio_err_code(), vfio_err_offset(), vfio_err_field(), vfio_err_value());
      print_hex(mem() + recs, k * 24);
      putchar('\n');
    } else if (!strcmp(tok[0], "walk")) {
      size_t n = from_hex(tok[4], buf);
      memcpy(m + src, buf, n);
      uint32_t dst = al(src + n, 16);
      int32_t r = vfio_caps_walk(num(tok, 1), src, n, num(tok, 2), num(tok, 3), dst, 64);
      printf("walk %d ", r);
      print_hex(mem() + dst, r > 0 ? r * 12 : 0);
      putchar('\n');
    } else if (!strcmp(tok[0], "setenc")) {
      size_t n = from_hex(tok[8], buf);
      uint32_t pay = src + 4096;
      memset(m + src, 0xee, 4096);
      memcpy(m + pay, buf, n);
      int32_t r = vfio_irq_set_encode(num(tok, 1), src, 4096, num(tok, 2), num(tok, 3), num(tok, 4), num(tok, 5), num(tok, 6), pay, num(tok, 7));
      printf("setenc %d ", r);
      print_hex(mem() + src, r > 0 ? r : 0);
      putchar('\n');
    } else if (!strcmp(tok[0], "encf")) {
      size_t n = from_hex(tok[5], buf);
      uint32_t vp = src + 4096;
      memset(m + src, 0, 4096 + 512);
      memcpy(m + vp, buf, n);
      int32_t r = vfio_encode_fields(num(tok, 1), num(tok, 2), src, num(tok, 4), vp, num(tok, 3));
      printf("encf %d ", r);
      print_hex(mem() + src, r > 0 ? r : 0);
      putchar('\n');
    } else if (!strcmp(tok[0], "batch")) {
      size_t n = from_hex(tok[3], buf);
      memcpy(m + src, buf, n);
      uint32_t dst = al(src + n, 16), k = num(tok, 2);
      int32_t r = vfio_irq_info_decode_batch(num(tok, 1), src, k, dst);
      printf("batch %d ", r);
      print_hex(mem() + dst, k * 16);
      putchar('\n');
    } else if (!strcmp(tok[0], "oracle")) {
      size_t nd = from_hex(tok[2], buf);
      memcpy(m + src, buf, nd);
      uint32_t bp = al(src + nd, 8);
      size_t n = from_hex(tok[3], buf);
      memcpy(m + bp, buf, n);
      int32_t r = vfio_oracle_set_irqs(num(tok, 1), bp, n, src, 0);
      printf("oracle %d %u\n", r, vfio_oracle_last_rule());
    } else if (!strcmp(tok[0], "obatch")) {
      size_t nd = from_hex(tok[2], buf);
      memcpy(m + src, buf, nd);
      uint32_t k = num(tok, 3), idx = al(src + nd, 8), res = idx + k * 8, bufs = res + k * 8, off = 0;
      for (uint32_t i = 0; i < k; i++) {
        size_t n = from_hex(tok[4 + i], buf);
        memcpy(m + bufs + off, buf, n);
        wr32le(m + idx + i * 8, off);
        wr32le(m + idx + i * 8 + 4, n);
        off = al(off + n, 4);
      }
      int32_t acc = vfio_oracle_set_irqs_batch(num(tok, 1), bufs, idx, k, src, res);
      printf("obatch %d", acc);
      for (uint32_t i = 0; i < k; i++) printf(" %d,%u", (int32_t)rd32le(mem() + res + i * 4), rd32le(mem() + res + (k + i) * 4));
      putchar('\n');
    } else if (!fuzz_op(tok, nt, buf)) {
      fprintf(stderr, "unknown op %s\n", tok[0]);
      return 2;
    }
  }
  free(line);
  Z_fuzz_free(&fz);
  Z_vfio_free(&inst);
  return 0;
}
