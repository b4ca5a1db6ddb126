// Compile-only C reference toolchain (docs/toolchain.md §11): gcc / cross gcc on the real uapi
// headers, objects read back with the arch's own nm and objcopy. Nothing compiled here is run.
//
//   compile(arch, {"a.c": src, ...}) -> Map(symbol -> Uint8Array)   (every defined data symbol)
//
// Flags: gnu11 (flexible array member initialisers), -fdata-sections (one section per object),
// -fno-zero-initialized-in-bss (an all-zero object still lands in .data.<sym>). Objects are sliced
// to their `nm -S` size: sections can carry tail padding (s390x pads a 23-byte object to 24).
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** The four ABIs checked against gcc. `arch` is the codec's profile name. */
export const TOOLCHAINS = {
  x86_64: { arch: "x86_64", cc: "gcc", prefix: "", endian: "little", pkg: "gcc linux-libc-dev" },
  i386: {
    arch: "i386",
    cc: "i686-linux-gnu-gcc",
    prefix: "i686-linux-gnu-",
    endian: "little",
    pkg: "gcc-i686-linux-gnu linux-libc-dev-i386-cross libc6-dev-i386-cross",
  },
  s390x: {
    arch: "s390x",
    cc: "s390x-linux-gnu-gcc",
    prefix: "s390x-linux-gnu-",
    endian: "big",
    pkg: "gcc-s390x-linux-gnu linux-libc-dev-s390x-cross libc6-dev-s390x-cross",
  },
  ppc64: {
    arch: "ppc64",
    cc: "powerpc64-linux-gnu-gcc",
    prefix: "powerpc64-linux-gnu-",
    endian: "big",
    pkg: "gcc-powerpc64-linux-gnu linux-libc-dev-ppc64-cross libc6-dev-ppc64-cross",
  },
};

const which = (cmd) => spawnSync("sh", ["-c", `command -v ${cmd}`], { encoding: "utf8" }).status === 0;

/** null when the toolchain is usable, else the reason (missing compiler or binutils). */
export function missing(arch) {
  const t = TOOLCHAINS[arch];
  for (const c of [t.cc, `${t.prefix}nm`, `${t.prefix}objcopy`])
    if (!which(c)) return `${c} not found (apt-get install ${t.pkg})`;
  return null;
}

function run(cmd, args, cwd) {
  const r = spawnSync(cmd, args, { cwd, encoding: "utf8", maxBuffer: 64 << 20 });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed (${r.status}):\n${r.stderr}${r.stdout}`);
  return r;
}

export const CFLAGS = [
  "-std=gnu11",
  "-O0",
  "-fdata-sections",
  "-fno-zero-initialized-in-bss",
  "-fno-common",
  "-Wall",
  "-Wno-unused-variable",
];

/**
 * Compile each source to an object and return every defined object symbol's bytes, keyed by name,
 * plus the compiler warnings (kept for the report; the tests treat them as failures when asked).
 */
export function compile(arch, sources, { include = [] } = {}) {
  const t = TOOLCHAINS[arch];
  const dir = mkdtempSync(join(tmpdir(), `vfio-abi-c-${arch}-`));
  const out = new Map();
  const warnings = [];
  try {
    for (const [name, entry] of Object.entries(sources)) {
      // an entry is C text, or {src, flags} with extra compiler flags (a unit's header directories)
      const { src, flags = [] } = typeof entry === "string" ? { src: entry } : entry;
      const c = join(dir, name),
        o = c.replace(/\.c$/, ".o");
      writeFileSync(c, src);
      const r = run(t.cc, [...CFLAGS, ...flags, ...include.flatMap((d) => ["-I", d]), "-c", c, "-o", o], dir);
      if (r.stderr.trim()) warnings.push(`${name}: ${r.stderr.trim()}`);
      // nm -S: "<value> <size> <type> <name>"; value is section-relative in a relocatable object
      const syms = run(`${t.prefix}nm`, ["-S", "--defined-only", o], dir)
        .stdout.split("\n")
        .map((l) => l.trim().split(/\s+/))
        .filter((p) => p.length === 4 && /^[dDrR]$/.test(p[2]))
        .map(([value, size, , sym]) => ({ sym, value: parseInt(value, 16), size: parseInt(size, 16) }));
      const sect = (s) => `.data.${s}`;
      const args = [];
      for (const s of syms) args.push("--dump-section", `${sect(s.sym)}=${join(dir, `${s.sym}.bin`)}`);
      if (syms.length) run(`${t.prefix}objcopy`, [...args, o, join(dir, "discard.o")], dir);
      for (const s of syms) {
        const f = join(dir, `${s.sym}.bin`);
        if (!existsSync(f)) throw new Error(`${arch}: no section ${sect(s.sym)} for ${s.sym}`);
        const bin = readFileSync(f);
        if (bin.length < s.value + s.size)
          throw new Error(`${arch}: section of ${s.sym} is ${bin.length} bytes, nm says ${s.value}+${s.size}`);
        out.set(s.sym, Uint8Array.from(bin.subarray(s.value, s.value + s.size)));
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return { symbols: out, warnings };
}

/** Read an array of u64 written by gcc in the target's byte order. */
export function u64s(bytes, endian) {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const r = [];
  for (let i = 0; i + 8 <= bytes.length; i += 8) r.push(dv.getBigUint64(i, endian === "little"));
  return r;
}
