// vfio_abi_wasm.h: the C view of the wasm export ABI (docs/wasm-abi.md), for hosts that call the
// module through wasm2c or an embedding API (wasmtime, WAMR, wasm3...).
//
// Derived from the schema (struct and field ids, profile bits, proposals) and from the
// AssemblyScript sources (the export list with signatures, status codes, record kinds, oracle
// rule ids and device-block words), so a new export or constant shows up without hand edits.
// tests/embed/abi.test.mjs checks the result against build/release.wasm's real export types.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const asm = (rel) => readFileSync(join(root, "assembly", rel), "utf8");

// AssemblyScript type -> [wasm value type, C type]
const TYPES = {
  i32: ["i32", "int32_t"],
  u32: ["i32", "uint32_t"],
  usize: ["i32", "uint32_t"],
  isize: ["i32", "int32_t"],
  bool: ["i32", "uint32_t"],
  i8: ["i32", "int32_t"],
  u8: ["i32", "uint32_t"],
  i16: ["i32", "int32_t"],
  u16: ["i32", "uint32_t"],
  i64: ["i64", "int64_t"],
  u64: ["i64", "uint64_t"],
  f32: ["f32", "float"],
  f64: ["f64", "double"],
  void: ["", "void"],
};
const typeOf = (t, where) => {
  const r = TYPES[t.trim()];
  if (!r) throw new Error(`c-header: unsupported AssemblyScript type '${t}' in ${where}`);
  return r;
};

/** `export function` declarations of one AS file: name -> {params:[{name,type}], ret, doc}. */
export function asFunctions(src) {
  const out = new Map();
  const re = /(\/\*\*((?:(?!\*\/)[\s\S])*)\*\/\s*)?export function (\w+)\s*\(([^)]*)\)\s*:\s*(\w+)/g;
  for (const m of src.matchAll(re)) {
    const params = m[4]
      .split(",")
      .map((p) => p.trim())
      .filter(Boolean)
      .map((p) => {
        const mm = /^(\w+)\s*:\s*(\w+)/.exec(p);
        if (!mm) throw new Error(`c-header: cannot parse parameter '${p}' of ${m[3]}`);
        return { name: mm[1], type: mm[2] };
      });
    const doc = m[2]
      ? m[2]
          .split("\n")
          .map((l) => l.replace(/^\s*\*\s?/, "").trim())
          .filter(Boolean)
          .join(" ")
      : "";
    out.set(m[3], { name: m[3], params, ret: m[5], doc });
  }
  return out;
}

/** `export const NAME: T = value` (also comma lists) of one AS file, with trailing // comments. */
export function asConsts(src) {
  const out = [];
  for (const m of src.matchAll(/^export const ([^;]*);[ \t]*(?:\/\/[ \t]*(.*))?$/gm)) {
    for (const part of m[1].split(/,(?=\s*\w+\s*:)/)) {
      const d = /^\s*(\w+)\s*:\s*(\w+)\s*=\s*(-?(?:0x[0-9a-fA-F]+|\d+))\s*$/.exec(part);
      if (d) out.push({ name: d[1], type: d[2], value: Number(d[3]), comment: m[2] ?? "" });
    }
  }
  return out;
}

/** The module's exports, in index.ts order: functions (with signatures) and globals. */
export function exportList() {
  const index = asm("index.ts");
  const local = asFunctions(index);
  const fns = [];
  const globals = [];
  const fileOf = (spec) => {
    const rel = spec.replace(/^\.\//, "");
    const p = rel.endsWith(".ts") ? rel : `${rel}.ts`;
    if (!existsSync(join(root, "assembly", p)))
      throw new Error(`c-header: cannot resolve ${spec} from assembly/index.ts`);
    return asFunctions(asm(p));
  };
  // Walk the statements in source order.
  const re = /^export (function (\w+)|const (\w+)\s*:\s*(\w+)|\{([^}]*)\}\s*from\s*"([^"]+)"|\*\s*from\s*"([^"]+)")/gm;
  for (const m of index.matchAll(re)) {
    if (m[2]) fns.push({ ...local.get(m[2]), from: "index.ts" });
    else if (m[3]) globals.push({ name: m[3], type: m[4] });
    else if (m[5] !== undefined) {
      const file = fileOf(m[6]);
      for (const item of m[5]
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean)) {
        const [orig, alias] = item.split(/\s+as\s+/).map((s) => s.trim());
        const f = file.get(orig);
        if (!f) continue; // a re-exported constant or class: not a wasm function export
        fns.push({ ...f, name: alias ?? orig, from: m[6] });
      }
    } else if (m[7]) {
      for (const f of fileOf(m[7]).values()) fns.push({ ...f, from: m[7] });
    }
  }
  for (const f of fns) {
    f.wasm = `${typeOf(f.ret, f.name)[0] || "void"}(${f.params.map((p) => typeOf(p.type, f.name)[0]).join(",")})`;
  }
  return { functions: fns, globals };
}

function cDefine(name, value, comment) {
  const v = value < 0 ? `(${value})` : value > 0xffff ? `0x${value.toString(16)}u` : `${value}`;
  return `#define ${name.padEnd(44)} ${v}${comment ? ` /* ${comment.replace(/\*\//g, "* /").replace(/\/\*/g, "/ *")} */` : ""}`;
}

export function outputs({ model, abi }) {
  const { functions, globals } = exportList();
  const status = asConsts(asm("status.ts"));
  const records = asConsts(asm("records.ts"));
  const mem = asConsts(asm("mem.ts")).filter((c) => c.name.startsWith("PROF_"));
  const oracle = existsSync(join(root, "assembly", "oracle.ts")) ? asConsts(asm("oracle.ts")) : [];
  const abiVersion = asConsts(asm("index.ts")).find((c) => c.name === "ABI_VERSION")?.value;
  if (abiVersion === undefined) throw new Error("c-header: ABI_VERSION not found in assembly/index.ts");
  const up = (s) => s.toUpperCase().replace(/[^A-Z0-9]+/g, "_");
  const L = [];
  const sec = (t) => L.push("", `/* ---- ${t} */`);

  L.push(
    `/* GENERATED by scripts/gen.mjs (scripts/gen/c-header.mjs) from schema/abi.mjs and the AssemblyScript sources.`,
    ` * DO NOT EDIT: change the schema or the AssemblyScript sources and run \`npm run gen\`.`,
    ` *`,
    ` * vfio-abi wasm export ABI for C hosts (wasm2c, wasmtime/WAMR/wasm3 embedding APIs).`,
    ` * Reference: docs/wasm-abi.md. The module (build/release.wasm) has zero imports and exports one`,
    ` * memory named "memory"; every pointer below is a byte offset into that memory (uint32_t).`,
    ` */`,
    `#ifndef VFIO_ABI_WASM_H`,
    `#define VFIO_ABI_WASM_H`,
    ``,
    `#include <stdint.h>`,
  );

  sec("version: compare with the module's abi_version() before use");
  L.push(cDefine("VFIO_ABI_VERSION", abiVersion, "abi_version() of a compatible module"));

  sec("status codes (assembly/status.ts): >= 0 success (often a count), < 0 error");
  for (const c of status) L.push(cDefine(`VFIO_ABI_${c.name}`, c.value, c.comment));
  L.push(cDefine("VFIO_ABI_E_ORACLE_RANGE", -1000, "oracle_*: buffer or device block outside memory"));

  sec("profile word: bit 0 big-endian, bit 1 ilp32, bit 2 epoch >= 6.6, bits 8.. proposals");
  for (const c of mem) L.push(cDefine(`VFIO_ABI_${c.name}`, c.value, c.comment));
  Object.keys(abi.proposals).forEach((p, i) => {
    const implies = abi.proposals[p].implies ? ` (implies ${abi.proposals[p].implies.join(", ")})` : "";
    L.push(cDefine(`VFIO_ABI_P_${up(p)}`, 1 << (8 + i), `proposal ${p}${implies}`));
  });
  L.push("/* named arches -> profile bits (epoch bit not included) */");
  for (const [a, d] of Object.entries(abi.arches))
    L.push(
      cDefine(
        `VFIO_ABI_ARCH_${up(a)}`,
        (d.endian === "big" ? 1 : 0) | (d.model === "ilp32" ? 2 : 0),
        `${d.endian}-endian ${d.model}`,
      ),
    );

  sec(
    "struct ids (struct_size, parse, encode_fields, caps_build) and sizes (lp64 6.1, lp64 6.6, ilp32 6.1, ilp32 6.6)",
  );
  L.push(cDefine("VFIO_ABI_NUM_STRUCTS", model.structs.length, "struct_count()"));
  for (const s of model.structs)
    L.push(cDefine(`VFIO_ABI_S_${up(s.name)}`, s.id, `${s.cName}, ${s.kind}, size ${s.size.join("/")}`));

  sec("field ids (record ref of K_FIELD / K_ELEM, err_field(), encode_fields value-vector slot = id - first field)");
  L.push(cDefine("VFIO_ABI_NUM_FIELDS", model.fields.length, ""));
  for (const f of model.fields)
    L.push(
      cDefine(
        `VFIO_ABI_F_${up(f.struct)}__${up(f.path)}`,
        f.id,
        `${f.type}${f.size ? ` ${f.size} B` : ""}, offsets ${f.offsets.join("/")}`,
      ),
    );
  L.push("/* first field id of each struct (value-vector slot 0 of encode_fields) */");
  for (const s of model.structs)
    L.push(cDefine(`VFIO_ABI_FIRST_FIELD_${up(s.name)}`, s.firstField, `${s.nfields} fields`));

  sec("record stream of parse(): 24 bytes per record, little-endian");
  for (const c of records)
    L.push(cDefine(`VFIO_ABI_${c.name === "REC_SIZE" ? "REC_SIZE" : c.name}`, c.value, c.comment));
  L.push(
    ``,
    `typedef struct vfio_abi_rec {`,
    `  uint8_t kind;    /* VFIO_ABI_K_* */`,
    `  uint8_t depth;`,
    `  uint16_t ref;    /* struct / field / cap struct id, 0xffff none */`,
    `  uint32_t offset; /* byte offset in the input */`,
    `  uint32_t size;`,
    `  uint32_t aux;`,
    `  uint64_t value;`,
    `} vfio_abi_rec;`,
    `typedef char vfio_abi_rec_size_check[sizeof(vfio_abi_rec) == VFIO_ABI_REC_SIZE ? 1 : -1];`,
    ``,
    `/* caps_walk output: 12 bytes per capability */`,
    `typedef struct vfio_abi_cap_span { uint16_t id; uint16_t version; uint32_t offset; uint32_t length; } vfio_abi_cap_span;`,
    `typedef char vfio_abi_cap_span_size_check[sizeof(vfio_abi_cap_span) == 12 ? 1 : -1];`,
    ``,
    `/* irq_info_decode_batch output: 16 bytes per struct, host order */`,
    `typedef struct vfio_abi_irq_info_u32 { uint32_t argsz, flags, index, count; } vfio_abi_irq_info_u32;`,
    ``,
    `/* caps_build list entry: 8 bytes (pointer, length) */`,
    `typedef struct vfio_abi_cap_src { uint32_t ptr; uint32_t len; } vfio_abi_cap_src;`,
  );

  if (oracle.length) {
    sec("SET_IRQS oracle (assembly/oracle.ts): device block words, drivers, irq types, errno, rule ids");
    for (const c of oracle) {
      const pre = c.name.startsWith("R_") || c.name === "NUM_RULES" ? "VFIO_ABI_ORACLE_" : "VFIO_ABI_ORACLE_";
      L.push(cDefine(`${pre}${c.name}`, c.value, c.comment));
    }
  }

  sec("exported functions");
  L.push(
    `/* X-macro over every exported function, in export order:`,
    ` *   X(ret, name, "wasm signature", (C parameters), (VFIO_ABI_SELF, arguments))`,
    ` * VFIO_ABI_SELF is whatever the host's binding passes first (e.g. the wasm2c instance pointer);`,
    ` * define it before expanding. Example for wasm2c 1.0.32 with -n vfio:`,
    ` *   #define VFIO_ABI_SELF (&inst)`,
    ` *   #define WRAP(ret, name, sig, params, args) static ret vfio_##name params { return (ret)Z_vfioZ_##name args; }`,
    ` *   VFIO_ABI_EXPORTS(WRAP)`,
    ` */`,
    `#define VFIO_ABI_NUM_FUNCTIONS ${functions.length}`,
    `#define VFIO_ABI_EXPORTS(X) \\`,
  );
  for (const f of functions) {
    const ret = typeOf(f.ret, f.name)[1];
    const params = f.params.length ? f.params.map((p) => `${typeOf(p.type, f.name)[1]} ${p.name}`).join(", ") : "void";
    const args = ["VFIO_ABI_SELF", ...f.params.map((p) => p.name)].join(", ");
    L.push(`  X(${ret}, ${f.name}, "${f.wasm}", (${params}), (${args})) \\`);
  }
  L.push("  /* end */");
  L.push(``, `/* exported globals (immutable): X(C type, name) */`, `#define VFIO_ABI_GLOBALS(X) \\`);
  for (const g of globals) L.push(`  X(${typeOf(g.type, g.name)[1]}, ${g.name}) \\`);
  L.push("  /* end */");

  L.push(
    ``,
    `/* Prototypes, for hosts that provide the exports as plain C functions named vfio_abi_<export>`,
    ` * (define VFIO_ABI_PROTOTYPES; pointers are offsets into the module's memory). */`,
    `#ifdef VFIO_ABI_PROTOTYPES`,
  );
  for (const f of functions) {
    const ret = typeOf(f.ret, f.name)[1];
    const params = f.params.length ? f.params.map((p) => `${typeOf(p.type, f.name)[1]} ${p.name}`).join(", ") : "void";
    if (f.doc) L.push(`/* ${f.doc.replace(/\*\//g, "* /")} */`);
    L.push(`${ret} vfio_abi_${f.name}(${params});`);
  }
  L.push(`#endif /* VFIO_ABI_PROTOTYPES */`, ``, `#endif /* VFIO_ABI_WASM_H */`, ``);
  return { "vfio_abi_wasm.h": L.join("\n") };
}
