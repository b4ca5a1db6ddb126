// Hostile calls through the JavaScript API: oversized inputs and outputs, huge and negative lengths,
// offsets and counts, integers outside their field's type, capability layouts that would overwrite
// the fixed struct or each other, and values of the wrong type. Every call ends in a value or one of
// the library's typed errors (inspect() in a result), and after every class the long-lived instance
// is back at its baseline memory and still decodes a 16-byte buffer.
import assert from "node:assert/strict";
import { test } from "node:test";
import { bytesOf, vectors } from "../vectors/golden.mjs";
import { SCALE, Tally, lib, rng } from "./helpers.mjs";
import { INSPECT_OPTS, inspectOnce, inspectRandom, typed } from "./random-classes.mjs";
import { PUBLIC_FUNCTIONS, apiArguments, brokenLinks, strictOptions, viewsAsBytes } from "./api-arguments.mjs";

const { MEMORY_POLICY } = lib;
const tally = new Tally();
const irqInfo = bytesOf(vectors.find((v) => v.struct === "vfio_irq_info").hex);
assert.equal(irqInfo.length, lib.SIZEOF_VFIO_IRQ_INFO);
const irqInfoJSON = JSON.stringify(lib.toJSONValue(lib.decode("vfio_irq_info", irqInfo)));
// The long-lived instance may use up to residentArena of arena: reserved up front, so any growth
// past it (a call that should have gone to a fresh instance) shows as a change of its memory size.
const residentLimit = lib.wasm().arena_ptr() + MEMORY_POLICY.residentArena + 65536;
lib.wasm().arena_reserve(MEMORY_POLICY.residentArena);
const baseline = lib.memoryStats().residentBytes;
assert.ok(baseline <= residentLimit);

/** After a class: the long-lived instance is at its baseline and answers a small decode. */
function healthy(name) {
  assert.equal(
    JSON.stringify(lib.toJSONValue(lib.decode("vfio_irq_info", irqInfo))),
    irqInfoJSON,
    `${name}: 16-byte decode`,
  );
  const r = lib.memoryStats().residentBytes;
  assert.ok(r <= residentLimit, `${name}: resident memory ${r} > ${residentLimit}`);
  assert.equal(r, baseline, `${name}: resident memory back at its baseline`);
  return r;
}

test("inputs above maxInput: E_TOO_LARGE before any copy, for every entry point, default and per call", () => {
  const big = new Uint8Array(MEMORY_POLICY.defaultMaxInput + 1);
  const sizes = [MEMORY_POLICY.defaultMaxInput + 1];
  let calls = 0;
  const tooLarge = (f, what) => {
    const e = typed(f, what);
    assert.ok(e && e.code === "E_TOO_LARGE", `${what}: ${e?.code}`);
    calls++;
  };
  for (const s of lib.SCHEMA.structs) {
    tooLarge(() => lib.decode(s.name, big), `decode ${s.name}`);
    const r = lib.inspect(s.name, big);
    assert.equal(r.ok, false);
    assert.equal(r.error.code, "E_TOO_LARGE", `inspect ${s.name}`);
    tooLarge(() => lib.decode(s.name, irqInfo, { maxInput: 8 }), `decode ${s.name} maxInput 8`);
    calls += 2;
  }
  for (const host of ["vfio_region_info", "vfio_device_info", "vfio_iommu_type1_info"])
    tooLarge(() => lib.walkCaps(host, big), `walkCaps ${host}`);
  // encode: the output it would make is what counts
  for (const $ of [
    { length: 1e9 },
    { length: 2 ** 32 },
    { tail: big },
    { gaps: [{ offset: 2 ** 31, bytes: new Uint8Array(1) }] },
  ])
    tooLarge(() => lib.encode("vfio_irq_info", { argsz: 16, $ }), `encode $ ${Object.keys($)}`);
  tooLarge(() => lib.encode("vfio_irq_set", { flags: 0x22, data: new Array(5_000_000).fill(1) }), "encode 5M payload");
  tooLarge(() => lib.encodeMessage({ command: "DMA_READ", body: big }), "encodeMessage body bytes");
  healthy("too large");
  tally.add("inputs above maxInput", calls, { sizes: sizes.length });
});

test("a large input with maxInput raised runs on a fresh instance: the long-lived one never grows", () => {
  const n = 83 << 20; // the input that wedged the module before the memory policy
  const big = new Uint8Array(n);
  big.set(irqInfo);
  const v = lib.decode("vfio_irq_info", big, { maxInput: n });
  assert.equal(v.$.tail.length, n - irqInfo.length);
  const peak = lib.memoryStats().lastCallBytes;
  assert.ok(peak < n + (2 << 20), `decode of ${n} B used ${peak} B of wasm memory`);
  const r = lib.inspect("vfio_region_info", big, { maxInput: n });
  assert.equal(typeof r.ok, "boolean");
  assert.ok(lib.walkCaps("vfio_region_info", big, { maxInput: n, maxCaps: 1e9 }).length >= 0);
  healthy("83 MiB");
  tally.add("large input, raised maxInput", 3, { "peak wasm/input": (peak / n).toFixed(3) });
});

test("records per byte: decode memory is the input plus one record window, whatever the input makes", () => {
  const R = rng(3);
  let worst = 0,
    calls = 0;
  const A = lib.wasm().arena_ptr();
  for (const n of [1, 100, 4096, 65536, MEMORY_POLICY.residentArena + 1]) {
    // a DATA_BOOL payload: one element record per byte, the most records an input can make
    const b = new Uint8Array(lib.SIZEOF_VFIO_IRQ_SET + n);
    const dv = new DataView(b.buffer);
    dv.setUint32(0, b.length, true);
    dv.setUint32(4, lib.VFIO_IRQ_SET_DATA_BOOL | lib.VFIO_IRQ_SET_ACTION_TRIGGER, true);
    dv.setUint32(lib.O_VFIO_IRQ_SET__COUNT, n, true);
    for (let i = lib.SIZEOF_VFIO_IRQ_SET; i < b.length; i++) b[i] = R.int(2);
    const v = lib.decode("vfio_irq_set", b);
    assert.equal(v.data.length, n);
    // a call past the resident arena runs on a fresh instance: its memory is the input plus one window
    if (b.length > MEMORY_POLICY.residentArena) {
      const used = lib.memoryStats().lastCallBytes - A;
      const bound = b.length + MEMORY_POLICY.recordWindow * lib.REC_SIZE + 65536 + 256;
      assert.ok(used <= bound + 65536, `${b.length} B input: ${used} B of arena (bound ${bound})`);
      worst = Math.max(worst, used / b.length);
    }
    calls++;
  }
  healthy("records per byte");
  tally.add("record window", calls, { "peak arena/input": worst.toFixed(3) });
});

const HUGE = [1e9, 2 ** 31, 2 ** 31 - 1, 2 ** 32, 2 ** 32 + 1, 2 ** 40, 2 ** 53, Number.MAX_VALUE, Infinity];
const BAD = [-1, -(2 ** 31), 1.5, Number.NaN, -Infinity, "5", 5n, null, {}, [], true];

test("encode: huge and negative lengths and offsets are typed errors naming the field (no abort, no RangeError)", () => {
  let calls = 0;
  const kernelCaps = lib.decode(
    "vfio_region_info",
    bytesOf(vectors.find((v) => v.name === "region_info_sparse_mmap").hex),
  );
  for (const x of [...HUGE, ...BAD]) {
    const attacks = [
      ["$.length", { argsz: 16, $: { length: x } }],
      ["$.tailOffset", { argsz: 16, $: { tail: new Uint8Array(4), tailOffset: x } }],
      ["$.slackOffset", { argsz: 16, $: { slack: new Uint8Array(4), slackOffset: x } }],
      ["$.gaps[0].offset", { argsz: 16, $: { gaps: [{ offset: x, bytes: new Uint8Array(2) }] } }],
    ];
    for (const [field, v] of attacks) {
      const e = typed(() => lib.encode("vfio_irq_info", v), `${field} = ${String(x)}`);
      if (x === null) continue; // null is "not given"
      assert.ok(e, `${field} = ${String(x)} is refused`);
      assert.ok(
        e.code === "E_TOO_LARGE" || (e.code === "E_VALUE" && e.field === field),
        `${field} = ${String(x)}: ${e.code} ${e.field}`,
      );
      calls++;
    }
    const caps = kernelCaps.caps.map((c) => ({ ...c, offset: x }));
    const e = typed(() => lib.encode("vfio_region_info", { ...kernelCaps, caps }), `caps[0].offset = ${String(x)}`);
    if (x !== null)
      assert.ok(
        e && (e.code === "E_TOO_LARGE" || e.field?.startsWith("caps[0]")), // too large, bad offset, or past argsz
        `caps offset ${String(x)}: ${e?.code} ${e?.field}`,
      );
    calls++;
    for (const m of [x]) {
      const w = typed(
        () =>
          lib.walkCaps("vfio_region_info", bytesOf(vectors.find((v) => v.name === "region_info_sparse_mmap").hex), {
            maxCaps: m,
          }),
        `walkCaps maxCaps ${String(m)}`,
      );
      if (w) assert.equal(w.field, "maxCaps");
      const d = typed(() => lib.decode("vfio_region_info", irqInfo, { maxCaps: m }), `decode maxCaps ${String(m)}`);
      if (d && d.field !== null)
        assert.ok(["maxCaps"].includes(d.field) || d.code !== "E_BAD_ARG", `${d.code} ${d.field}`);
      const i = typed(() => lib.decode("vfio_irq_info", irqInfo, { maxInput: m }), `maxInput ${String(m)}`);
      if (i) assert.equal(i.field, "maxInput");
      calls += 3;
    }
  }
  healthy("encode lengths");
  tally.add("huge/negative lengths, offsets, maxCaps, maxInput", calls, { values: HUGE.length + BAD.length });
});

/** { a: { b: x } } for the path "a.b". */
function nested(path, x) {
  const v = {};
  let o = v;
  const parts = path.split(".");
  for (const p of parts.slice(0, -1)) o = o[p] = {};
  o[parts.at(-1)] = x;
  return v;
}

test("integers: every scalar field of every struct refuses values outside its type, naming the field", () => {
  let calls = 0;
  const variant = 1; // the default profile: lp64, epoch 6.6, little-endian
  const max = { u8: 0xffn, u16: 0xffffn, u32: 0xffffffffn, s32: 0xffffffffn, u64: 2n ** 64n - 1n, ptr: 2n ** 64n - 1n };
  for (const s of lib.SCHEMA.structs) {
    if (s.kind === "message" || s.proposal) continue;
    const fields = lib.SCHEMA.fields
      .slice(s.firstField, s.firstField + s.nfields)
      .filter((f) => f.scalar && !f.path.startsWith("header."));
    for (const f of fields) {
      const over = [max[f.scalar] + 1n, 2n ** 64n + 3n, String(2n ** 64n + 3n), `${max[f.scalar] + 1n}`];
      const under = f.scalar === "s32" ? [-(2n ** 31n) - 1n, -(2 ** 31) - 1] : [-1, -1n, "-1", -(2 ** 53)];
      const wrong = [1.5, Number.NaN, Infinity, "abc", "0x", {}, [], true, () => 1];
      for (const x of [...over, ...under, ...wrong]) {
        const v = nested(f.path, x);
        // a never-merged proposal's field is a key of the profile that enables it (strict encode refuses it otherwise)
        const opts = f.proposal ? { proposals: [f.proposal] } : {};
        const e = typed(() => lib.encode(s.name, v, opts), `${s.name}.${f.path} = ${String(x)}`);
        assert.ok(
          e && e.code === "E_VALUE" && e.field === f.path,
          `${s.name}.${f.path} = ${String(x)}: ${e?.code} ${e?.field}`,
        );
        calls++;
      }
      // the largest value of the type is written as is (read back at the schema's offset)
      const b = lib.encode(s.name, nested(f.path, max[f.scalar]), f.proposal ? { proposals: [f.proposal] } : {});
      const at = f.offsets[variant];
      if (!f.proposal && at + f.size <= b.length) {
        let got = 0n;
        for (let k = f.size - 1; k >= 0; k--) got = (got << 8n) | BigInt(b[at + k]);
        assert.equal(got, max[f.scalar], `${s.name}.${f.path} = max`);
      }
      calls++;
    }
  }
  // the audit's reproducers, through the JSON form the CLI reads
  for (const [struct, json, field] of [
    ["vfio_region_info", { size: "18446744073709551619" }, "size"],
    ["vfio_region_info", { flags: -1 }, "flags"],
    ["vfio_irq_set", { flags: 0x24, data: [2 ** 32] }, "data[0]"],
    ["vfio_irq_set", { flags: 0x22, data: [256] }, "data[0]"],
    ["vfio_irq_set", { flags: 0x22, data: ["x"] }, "data[0]"],
  ]) {
    const e = typed(() => lib.encode(struct, lib.fromJSONValue(struct, json)), `${struct} ${JSON.stringify(json)}`);
    assert.ok(
      e && e.code === "E_VALUE" && e.field === field,
      `${struct} ${JSON.stringify(json)}: ${e?.code} ${e?.field}`,
    );
    calls++;
  }
  const e = typed(() => lib.encode("vfio_region_info", { flags: 2n ** 64n + 3n }), "flags 2^64+3");
  assert.equal(e.field, "flags");
  healthy("integers");
  tally.add("integer ranges and types", calls + 1);
});

test("capability placement: a cap inside the header, misaligned, overlapping, past argsz or with a wrong next is refused", () => {
  let calls = 0;
  const R = rng(9);
  for (const name of ["region_info_sparse_mmap", "type1_info_packed_6.1", "type1_info_aligned_6.6"]) {
    const vec = vectors.find((v) => v.name === name);
    const opts = { epoch: vec.epoch, arch: vec.arch };
    const b = bytesOf(vec.hex);
    const d = lib.decode(vec.struct, b, opts);
    assert.ok(d.caps.length >= 1, name);
    assert.deepEqual(lib.encode(vec.struct, d, opts), b, `${name}: exact round trip`);
    const fixed = lib.wasm().struct_size(lib.structByName(vec.struct).id, lib.resolveProfile(opts).word);
    const first = d.caps[0].offset;
    const clone = () => structuredClone(d);
    const refuse = (v, field, what) => {
      const e = typed(() => lib.encode(vec.struct, v, opts), what);
      assert.ok(e instanceof lib.EncodeError, `${name} ${what}: ${e?.code}`);
      assert.equal(e.field, field, `${name} ${what}: field`);
      calls++;
    };
    for (const off of [0, 1, 4, 1.5, fixed - 4, fixed - 1]) {
      const v = clone();
      v.caps[0].offset = off;
      refuse(v, "caps[0].offset", `cap at ${off}`);
    }
    for (const k of [1, 2, 3]) {
      const v = clone();
      v.caps[0].offset = first + k;
      v.cap_offset = first + k;
      refuse(v, "caps[0].offset", `cap misaligned by ${k}`);
    }
    {
      const v = clone();
      v.caps[0].header.next = (d.caps[1]?.offset ?? 0) + 4 * (1 + R.int(4));
      refuse(v, "caps[0].header.next", "next disagrees");
      const w = clone();
      w.cap_offset = first + 4;
      refuse(w, "cap_offset", "cap_offset disagrees");
      const a = clone();
      a.argsz = first + 4;
      delete a.$;
      refuse(a, "caps[0]", "cap past argsz");
    }
    if (d.caps.length > 1) {
      const v = clone();
      v.caps[1].offset = v.caps[0].offset + 4;
      v.caps[0].header.next = v.caps[1].offset; // the link agrees: the overlap itself is refused
      refuse(v, "caps[1].offset", "overlapping caps");
      const r = clone();
      r.caps.reverse();
      refuse(r, "caps[0].header.next", "caps out of order");
      const m = clone();
      delete m.caps[1].offset;
      refuse(m, "caps[1].offset", "offsets on some caps only");
    }
    // without next and cap_offset the chain is linked from the offsets: same bytes as decoded
    const linked = clone();
    delete linked.cap_offset;
    for (const c of linked.caps) delete c.header.next;
    assert.deepEqual(lib.encode(vec.struct, linked, opts), b, `${name}: next and cap_offset derived`);
    calls += 2;
  }
  healthy("caps placement");
  tally.add("capability offsets", calls);
});

test("inspect() never throws: every struct, random sizes and bytes, wrong types, bad options", () => {
  const r = inspectRandom(21, Math.round(4000 * SCALE));
  let calls = r.calls;
  const names = [...lib.SCHEMA.structs.map((s) => s.name), "nope", "", null, 7, {}];
  const inputs = [
    null,
    undefined,
    7,
    "abcd",
    new Uint16Array(4),
    new Float64Array(2),
    [1, 2],
    new ArrayBuffer(8),
    new DataView(new ArrayBuffer(24)),
  ];
  for (const name of names)
    for (const b of [...inputs, irqInfo])
      for (const o of INSPECT_OPTS) {
        inspectOnce(name, b, o);
        calls++;
      }
  inspectOnce("vfio_irq_info", new Uint8Array(MEMORY_POLICY.defaultMaxInput + 1));
  inspectOnce("vfio_irq_info", new Uint8Array(170 << 20)); // the audit's 170 MiB input: E_TOO_LARGE, not a RangeError
  healthy("inspect");
  tally.add("inspect never throws", calls + 2, { structs: lib.SCHEMA.structs.length });
});

test("the audit's reproducers of untyped errors: each is a typed error naming its argument, or the right answer", () => {
  const refused = (f, field, what) => {
    const e = typed(f, what);
    assert.ok(e, `${what}: refused`);
    assert.equal(e.field, field, `${what}: field (${e.message})`);
  };
  refused(() => lib.decode(null, irqInfo), null, "null struct name");
  refused(() => lib.walkCaps(null, irqInfo), "host", "walkCaps null host");
  refused(() => lib.decode("vfio_irq_info", irqInfo, { proposals: "x" }), "proposals", "proposals as a string");
  refused(() => lib.encode("vfio_region_info", { caps: [null] }), "caps[0]", "caps [null]");
  refused(() => lib.encode("vfio_irq_set", { flags: 0x24, data: [2n ** 40n] }), "data[0]", "data [2^40n]");
  refused(() => lib.encodeIrqInfoFast(5n), null, "a bigint to encodeIrqInfoFast");
  refused(() => lib.encodeIrqInfoFast({ flags: 2n ** 64n }), "flags", "flags 2^64 to encodeIrqInfoFast");
  refused(() => lib.decodeIrqInfoFast(irqInfo, null), null, "null options to decodeIrqInfoFast");
  refused(() => lib.decode("vfio_irq_info", irqInfo, { epoch: "6.6.junk" }), "epoch", 'epoch "6.6.junk"');
  refused(() => lib.walkCaps("vfio_region_info", irqInfo, { maxCaps: 2 ** 32 + 1 }), "maxCaps", "maxCaps 2^32 + 1");
  // a bigint in an eventfd's range is that eventfd
  assert.deepEqual(
    lib.encode("vfio_irq_set", { flags: 0x24, data: [7n] }),
    lib.encode("vfio_irq_set", { flags: 0x24, data: [7] }),
  );
  // a Uint16Array over the bytes decodes as those bytes (not as its element count)
  const u16 = new Uint16Array(irqInfo.buffer.slice(irqInfo.byteOffset, irqInfo.byteOffset + irqInfo.length));
  assert.equal(JSON.stringify(lib.toJSONValue(lib.decode("vfio_irq_info", u16))), irqInfoJSON);
  assert.equal(JSON.stringify(lib.decodeIrqInfoFast(u16)), JSON.stringify(lib.decodeIrqInfoFast(irqInfo)));
  healthy("reproducers");
  tally.add("untyped-error reproducers", 13);
});

test("every public function, random hostile arguments: a value or a typed error naming the argument", () => {
  const r = apiArguments(31, Math.round(3000 * SCALE));
  healthy("public functions");
  tally.add("public functions, hostile arguments", r.calls, { functions: PUBLIC_FUNCTIONS.length });
});

test("typed arrays, DataViews and ArrayBuffers are read as their own bytes by decode, inspect, walkCaps and the fast decoders", () => {
  const r = viewsAsBytes(32, Math.round(300 * SCALE));
  healthy("views");
  tally.add("views as bytes", r.calls);
});

test("a chain broken at a random link: walkCaps and decode name that link's byte offset and field", () => {
  const r = brokenLinks(33, Math.round(300 * SCALE));
  healthy("broken links");
  tally.add("broken capability links", r.calls);
});

test("profile strings and maxCaps are read strictly: refused naming epoch / maxCaps, never clamped or wrapped", () => {
  const r = strictOptions(34, Math.round(2000 * SCALE));
  healthy("strict options");
  tally.add("strict epoch and maxCaps", r.calls);
});

test("hostile JS API summary", () => {
  tally.report("JS API");
  console.log(`hostile JS API: resident wasm memory ${baseline} B before, ${lib.memoryStats().residentBytes} B after`);
  assert.equal(lib.memoryStats().residentBytes, baseline);
});
