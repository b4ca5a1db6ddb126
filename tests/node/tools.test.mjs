// The codec helpers the inspector and the CLI share: span keys, byte owners, value edits, the
// struct guess, the C and hex exports and the capability-chain view. Expectations come from the
// golden vectors (real kernels, gcc), from gcc compiling the exported C, or from DataView writes at
// the generated offsets: never from the helper under test.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import * as lib from "../../dist/bindings/index.js";
import { compile, missing } from "../c/toolchain.mjs";
import { badVectors, bytesOf, vectors } from "../vectors/golden.mjs";

const {
  O_VFIO_IRQ_SET__ARGSZ,
  O_VFIO_IRQ_SET__COUNT,
  O_VFIO_IRQ_SET__DATA,
  O_VFIO_IRQ_SET__FLAGS,
  O_VFIO_IRQ_SET__INDEX,
  SIZEOF_VFIO_IRQ_SET,
  VFIO_IRQ_SET_ACTION_TRIGGER,
  VFIO_IRQ_SET_DATA_BOOL,
  VFIO_IRQ_SET_DATA_EVENTFD,
} = lib;

const all = [...vectors, ...badVectors];
const optsOf = (v) => ({ arch: v.arch, epoch: v.epoch });
const vec = (name) => all.find((v) => v.name === name);
const le = (b) => new DataView(b.buffer, b.byteOffset, b.byteLength);

describe("span keys", () => {
  test("every span's key spells its path, on every golden and bad vector", () => {
    for (const v of all) {
      const r = lib.inspect(v.struct, bytesOf(v.hex), optsOf(v));
      for (const n of r.nodes) {
        assert.ok(Array.isArray(n.key), `${v.name} ${n.path}`);
        assert.equal(lib.keyPath(n.key), n.path, v.name);
      }
    }
  });

  test("field spans carry their schema field; its path ends the key", () => {
    for (const v of vectors) {
      const r = lib.inspect(v.struct, bytesOf(v.hex), optsOf(v));
      for (const n of r.nodes.filter((x) => x.kind === "field")) {
        const f = lib.SCHEMA.fields[n.field];
        assert.deepEqual(n.key.slice(-f.path.split(".").length), f.path.split("."), `${v.name} ${n.path}`);
      }
    }
  });

  test("payload elements are [field name, index] and name the payload field", () => {
    const r = lib.inspect("vfio_irq_set", bytesOf(vec("irq_set_msix_eventfd_3").hex));
    const elems = r.nodes.filter((n) => n.kind === "elem");
    assert.deepEqual(
      elems.map((n) => n.key),
      [
        ["data", 0],
        ["data", 1],
        ["data", 2],
      ],
    );
    for (const n of elems) assert.equal(lib.SCHEMA.fields[n.field].type, "payload");
  });

  test("byte owners: the smallest span covering each byte", () => {
    const v = vec("region_info_sparse_mmap");
    const bytes = bytesOf(v.hex);
    const r = lib.inspect(v.struct, bytes);
    const owner = lib.byteOwners(r.nodes, bytes.length);
    const at = (b) => r.nodes[owner[b]].path;
    assert.equal(at(0), "argsz");
    assert.equal(at(32), "caps[0].header.id");
    assert.equal(at(0x48), "caps[0].areas[1].size");
    // an input that stops decoding: bytes past the error belong to nothing or to the error-free spans
    const bad = bytesOf(vec("irq_info_short").hex);
    const o2 = lib.byteOwners(lib.inspect("vfio_irq_info", bad).nodes, bad.length);
    assert.equal(o2.length, bad.length);
  });
});

describe("setValue", () => {
  test("count 3 -> 2 on a SET_IRQS request: the payload shrinks and argsz follows", () => {
    const v = vec("irq_set_msix_eventfd_3");
    const before = bytesOf(v.hex);
    const got = lib.setValue("vfio_irq_set", before, ["count"], 2);
    const want = before.slice(0, SIZEOF_VFIO_IRQ_SET + 2 * 4);
    le(want).setUint32(O_VFIO_IRQ_SET__ARGSZ, want.length, true);
    le(want).setUint32(O_VFIO_IRQ_SET__COUNT, 2, true);
    assert.deepEqual(got, want);
  });

  test("count up: new eventfd slots are -1 (no eventfd); a new DATA_BOOL payload starts at 0", () => {
    const before = bytesOf(vec("irq_set_msix_eventfd_3").hex);
    const got = lib.setValue("vfio_irq_set", before, ["count"], 4);
    assert.equal(got.length, SIZEOF_VFIO_IRQ_SET + 4 * 4);
    assert.equal(le(got).getInt32(O_VFIO_IRQ_SET__DATA + 12, true), -1);
    assert.equal(le(got).getUint32(O_VFIO_IRQ_SET__ARGSZ, true), got.length);
    const bool = lib.setValue("vfio_irq_set", got, ["flags"], VFIO_IRQ_SET_DATA_BOOL | VFIO_IRQ_SET_ACTION_TRIGGER);
    assert.equal(bool.length, SIZEOF_VFIO_IRQ_SET + 4);
    assert.deepEqual([...bool.subarray(O_VFIO_IRQ_SET__DATA)], [0, 0, 0, 0]);
    assert.equal(le(bool).getUint32(O_VFIO_IRQ_SET__ARGSZ, true), bool.length);
  });

  test("argsz that did not describe the buffer stays as it was", () => {
    const v = vec("kernel_set_irqs_slack_argsz64");
    const before = bytesOf(v.hex);
    const argsz = le(before).getUint32(O_VFIO_IRQ_SET__ARGSZ, true);
    assert.notEqual(argsz, SIZEOF_VFIO_IRQ_SET + le(before).getUint32(O_VFIO_IRQ_SET__COUNT, true) * 4);
    const got = lib.setValue("vfio_irq_set", before, ["index"], 1);
    assert.equal(le(got).getUint32(O_VFIO_IRQ_SET__ARGSZ, true), argsz);
    assert.equal(le(got).getUint32(O_VFIO_IRQ_SET__INDEX, true), 1);
    assert.equal(got.length, before.length);
  });

  test("a nested field (a sparse-mmap area's size) changes those 8 bytes only", () => {
    const v = vec("region_info_sparse_mmap");
    const before = bytesOf(v.hex);
    const got = lib.setValue(v.struct, before, ["caps", 0, "areas", 1, "size"], 0x3000n);
    const want = before.slice();
    const at = lib.nodeAt(lib.inspect(v.struct, before).nodes, ["caps", 0, "areas", 1, "size"]).offset;
    le(want).setBigUint64(at, 0x3000n, true);
    assert.deepEqual(got, want);
  });

  test("bytes that do not decode are patched in place, in the profile's byte order", () => {
    const v = vec("argsz_larger_than_buffer");
    const before = bytesOf(v.hex);
    const got = lib.setValue(v.struct, before, ["flags"], VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER);
    assert.deepEqual(got, before, "same value, same bytes");
    const big = lib.setValue(v.struct, before, ["index"], 0x01020304, { endian: "big" });
    assert.deepEqual([...big.subarray(O_VFIO_IRQ_SET__INDEX, O_VFIO_IRQ_SET__INDEX + 4)], [1, 2, 3, 4]);
    assert.equal(big.length, before.length);
  });

  test("a value that does not fit is refused; a key that names no value is refused", () => {
    const before = bytesOf(vec("irq_set_msix_eventfd_3").hex);
    assert.throws(() => lib.setValue("vfio_irq_set", before, ["index"], 0x1ffffffffn), /does not fit|is outside/);
    assert.throws(
      () => lib.patchBytes(before, O_VFIO_IRQ_SET__FLAGS, 4, 0x100000000n, "little"),
      /does not fit in 4 bytes/,
    );
    assert.throws(() => lib.setValue("vfio_irq_set", before, ["nope"], 1), /not a value/);
  });

  test("blankBytes gives a buffer of every struct that decodes cleanly", () => {
    for (const s of lib.SCHEMA.structs) {
      const b = lib.blankBytes(s.name);
      const r = lib.inspect(s.name, b);
      assert.ok(r.ok, `${s.name}: ${r.diagnostics.map((d) => d.message).join("; ")}`);
    }
  });
});

describe("guessStruct", () => {
  test("names the struct of every golden ioctl argument whose argsz is the buffer and the struct size", () => {
    let n = 0;
    for (const v of vectors) {
      const s = lib.structByName(v.struct);
      const bytes = bytesOf(v.hex);
      if (s.kind !== "info" || bytes.length < 4) continue;
      const prof = lib.resolveProfile(optsOf(v));
      if (le(bytes).getUint32(0, prof.endian === "little") !== bytes.length) continue;
      const guesses = lib.guessStruct(bytes, optsOf(v));
      const mine = guesses.find((g) => g.struct === v.struct && g.endian === prof.endian);
      assert.ok(mine.score >= lib.CONFIDENT_GUESS, `${v.name}: ${JSON.stringify(mine)}`);
      // a buffer shorter than its struct (argsz 16 of a 24-byte vfio_device_info) can be another struct
      if (mine.fixed !== bytes.length) continue;
      assert.equal(guesses[0].struct, v.struct, v.name);
      assert.equal(guesses[0].endian, prof.endian, v.name);
      n++;
    }
    assert.ok(n >= 5, `${n} vectors checked`);
  });

  test("a chosen struct whose chain breaks after known capabilities stays the guess", () => {
    for (const name of ["cap_self_loop", "cap_cycle_2", "cap_backwards"]) {
      const v = vec(name);
      const [best] = lib.guessStruct(bytesOf(v.hex), { current: v.struct });
      assert.equal(best.struct, v.struct, name);
    }
  });

  test("random bytes get no confident guess", () => {
    const bytes = Uint8Array.from({ length: 40 }, (_, i) => (i * 97 + 13) & 0xff);
    const [best] = lib.guessStruct(bytes);
    assert.ok(best.score < lib.CONFIDENT_GUESS, JSON.stringify(best));
  });
});

describe("exports", () => {
  test("formatHex groups 4 bytes, 16 a line; parseDump reads it back", () => {
    const bytes = bytesOf(vec("region_info_sparse_mmap").hex);
    const text = lib.formatHex(bytes);
    assert.match(text, /^50000000 0f000000 02000000 20000000\n/);
    assert.deepEqual(lib.parseDump(text).bytes, bytes);
  });

  test("formatC comments every line with its offset and field; parseDump reads it back", () => {
    for (const v of all) {
      const bytes = bytesOf(v.hex);
      const c = lib.formatC(v.struct, bytes, optsOf(v));
      assert.match(c, new RegExp(`unsigned char buf\\[${bytes.length}\\]`));
      assert.deepEqual(lib.parseDump(c).bytes, bytes, v.name);
    }
    const c = lib.formatC("vfio_irq_set", bytesOf(vec("kernel_set_irqs_msix_enable_3").hex));
    assert.match(c, /0x20, 0x00, 0x00, 0x00,\s+\/\* 0x00 argsz = 32 \*\//);
    assert.match(c, /\/\* 0x14 data\[0\] = 104 \*\//);
  });

  const why = missing("x86_64");
  test("gcc compiles formatC's output to the same bytes", { skip: why ? `gcc missing: ${why}` : false }, () => {
    const x86 = all.filter((v) => !v.arch || v.arch === "x86_64");
    const src = x86.map((v, i) => lib.formatC(v.struct, bytesOf(v.hex), { ...optsOf(v), name: `v${i}` }));
    const { symbols } = compile("x86_64", { "exports.c": src.join("\n") });
    x86.forEach((v, i) => {
      const bytes = bytesOf(v.hex);
      if (!bytes.length) return; // a zero-length array has no object to read back
      assert.deepEqual(symbols.get(`v${i}`), bytes, v.name);
    });
  });
});

describe("capChain", () => {
  const chain = (name) => {
    const v = vec(name);
    return lib.capChain(lib.inspect(v.struct, bytesOf(v.hex), optsOf(v)));
  };

  test("a chain that ends: offsets, ids, next pointers", () => {
    const c = chain("type1_info_aligned_6.6");
    assert.equal(c.startField, "cap_offset");
    assert.equal(c.enabled, true);
    assert.deepEqual(
      c.caps.map((x) => x.offset),
      [24, 56, 72],
    );
    assert.deepEqual(
      c.caps.map((x) => x.next),
      [56, 72, 0],
    );
    assert.equal(c.start, 24);
    assert.deepEqual(c.end, { kind: "end" });
  });

  test("loops and self loops point back at the capability they revisit", () => {
    assert.deepEqual(chain("cap_cycle_2").end, { kind: "loop", target: 32, to: 0, code: "E_CAP_LOOP" });
    assert.deepEqual(chain("cap_self_loop").end, { kind: "loop", target: 32, to: 0, code: "E_CAP_SELF" });
  });

  test("bad pointers say where they point and why", () => {
    const back = chain("cap_backwards").end;
    assert.equal(back.kind, "broken");
    assert.equal(back.target, 0x24);
    assert.equal(back.code, "E_CAP_BACKWARDS");
    const hdr = chain("cap_into_header");
    assert.equal(hdr.caps.length, 0);
    assert.equal(hdr.end.kind, "broken");
    assert.equal(hdr.end.target, 0x10);
  });

  test("no chain: a struct without one, or cap_offset 0", () => {
    assert.equal(lib.capChain(lib.inspect("vfio_irq_set", bytesOf(vec("irq_set_msi_disable").hex))), null);
    assert.equal(chain("kernel_region3_argsz32").end.kind, "none");
  });
});

describe("oracle rules", () => {
  test("the fields a rule judges are fields of vfio_irq_set", () => {
    const fields = new Set(lib.SCHEMA.fields.filter((f) => f.struct === "vfio_irq_set").map((f) => f.name));
    for (const r of lib.ORACLE_RULES) for (const f of r.fields) assert.ok(fields.has(f), `${r.name}: ${f}`);
    const failing = lib.ORACLE_RULES.filter((r) => r.errno && !r.name.startsWith("LVU_BUG"));
    assert.deepEqual(
      failing.filter((r) => !r.fields.length).map((r) => r.name),
      [],
      "every rule that fails a request names what it judges",
    );
  });
});
