// The dump parser against the real tools: every dump here is printed by xxd, hexdump, od, gdb or a
// real kernel (print_hex_dump, captured from QEMU), or compiled by gcc, never typed by hand. The
// expected bytes are the file the tool read.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseDump, fromHex, toHex, decode, toJSONValue, DumpError, encode } from "../../dist/bindings/index.js";
import { vectors, bytesOf } from "../vectors/golden.mjs";
import { rng } from "../helpers/rng.mjs";

const dir = mkdtempSync(join(tmpdir(), "vfio-dump-"));
process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
const sh = (cmd, args, input) => {
  const r = spawnSync(cmd, args, { encoding: "utf8", input });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")}: ${r.stderr || r.error}`);
  return r.stdout;
};

// Buffers: real-kernel golden vectors, odd lengths, runs of zeros (which the tools squeeze into "*"),
// and seeded pseudo-random bytes.
const buffers = [
  ...vectors.slice(0, 12).map((v) => ({ name: v.name, bytes: bytesOf(v.hex) })),
  { name: "zeros-64-then-2", bytes: Uint8Array.from([...new Uint8Array(64), 0x41, 0x42]) },
  { name: "odd-35", bytes: Uint8Array.from({ length: 35 }, (_, i) => (i * 37 + 5) & 0xff) },
  { name: "one-byte", bytes: Uint8Array.of(0x7f) },
  ...[1, 2, 3].map((s) => {
    const r = rng(s);
    return { name: `random-${s}`, bytes: Uint8Array.from({ length: 200 + s * 61 }, r.byte) };
  }),
];
const files = buffers.map((b, i) => {
  const f = join(dir, `b${i}.bin`);
  writeFileSync(f, b.bytes);
  return { ...b, file: f };
});

const TOOLS = [
  ["xxd", []],
  ["xxd", ["-p"]],
  ["xxd", ["-g1"]],
  ["xxd", ["-g4"]],
  ["xxd", ["-c", "7"]],
  ["xxd", ["-a"]],
  ["xxd", ["-u"]],
  ["xxd", ["-i"]],
  ["hexdump", ["-C"]],
  ["hd", []],
  ["hexdump", ["-v"]],
  ["od", ["-t", "x1"]],
  ["od", ["-A", "x", "-t", "x1z"]],
  ["od", ["-A", "d", "-t", "x1"]],
  ["od", ["-v", "-x"]],
  ["od", ["-A", "n", "-v", "-t", "x1"]],
];

for (const [cmd, args] of TOOLS) {
  test(`${cmd} ${args.join(" ")}: every buffer reads back byte for byte, nothing added`, () => {
    for (const b of files) {
      const text = sh(cmd, [...args, b.file]);
      const d = parseDump(text);
      assert.equal(toHex(d.bytes), toHex(b.bytes), `${cmd} ${args.join(" ")} ${b.name} (read as ${d.format})\n${text}`);
    }
  });
}

test("plain hexdump (16-bit words, squeezed): words in the profile's byte order; hexadecimal offsets say how far * repeats", () => {
  for (const b of files) {
    const text = sh("hexdump", [b.file]);
    // this host is little-endian, so the words are little-endian numbers
    assert.equal(toHex(parseDump(text, { format: "hexdump" }).bytes), toHex(b.bytes), b.name);
  }
  // od prints the same shape with octal offsets: without the tool's name a squeezed dump is ambiguous
  const z = files.find((b) => b.name === "zeros-64-then-2");
  assert.throws(
    () => parseDump(sh("hexdump", [z.file])),
    (e) => e instanceof DumpError && /base 16 and base 8/.test(e.message),
  );
  assert.equal(toHex(parseDump(sh("od", ["-x", z.file]), { format: "od" }).bytes), toHex(z.bytes));
});

test("big-endian words (od --endian=big) read with endian: big", () => {
  for (const b of files) {
    const text = sh("od", ["-v", "--endian=big", "-t", "x2", b.file]);
    assert.equal(toHex(parseDump(text, { endian: "big" }).bytes), toHex(b.bytes), b.name);
    // read as little-endian: other bytes, or (odd lengths) padding in the wrong place, which is an error
    if (b.bytes.length % 2)
      assert.throws(() => parseDump(text), /padding of the last number is not zero: is the byte order right/);
    else if (b.bytes[0] !== b.bytes[1]) assert.notEqual(toHex(parseDump(text).bytes), toHex(b.bytes));
  }
});

test("gdb x/Nxb: addresses and <symbol+offset> are not bytes; x/xh, x/xw, x/xg words in the target's order", () => {
  for (const b of files) {
    const c = join(dir, "prog.c"),
      exe = join(dir, "prog");
    writeFileSync(
      c,
      `unsigned char buf[${b.bytes.length}] = {${Array.from(b.bytes).join(",")}};\nint main(void) { return buf[0]; }\n`,
    );
    sh("gcc", ["-g", "-o", exe, c]);
    const n = b.bytes.length;
    const out = sh("gdb", ["-nx", "-batch", "-ex", `x/${n}xb buf`, "-ex", `x/${n}xb &buf[0]`, exe]);
    const lines = out.trimEnd().split("\n");
    const half = lines.length / 2;
    assert.equal(toHex(parseDump(lines.slice(0, half).join("\n")).bytes), toHex(b.bytes), b.name);
    assert.equal(toHex(parseDump(lines.slice(half).join("\n")).bytes), toHex(b.bytes), `${b.name} (&buf[0])`);
    for (const [u, size] of [
      ["h", 2],
      ["w", 4],
      ["g", 8],
    ]) {
      const k = Math.floor(n / size);
      if (!k) continue;
      const words = sh("gdb", ["-nx", "-batch", "-ex", `x/${k}x${u} buf`, exe]);
      assert.equal(toHex(parseDump(words).bytes), toHex(b.bytes.subarray(0, k * size)), `${b.name} x/${k}x${u}`);
    }
  }
});

test("C initialisers: xxd -i and a declaration gcc compiles read as the bytes gcc stores", () => {
  const b = files.find((x) => x.name === "odd-35");
  const text = [
    "/* struct vfio_irq_set: a comment with 0x12 and { braces } */",
    `static const unsigned char buf[${b.bytes.length}] __attribute__((aligned(8))) = {`,
    ...Array.from(
      b.bytes,
      (x, i) =>
        `  ${i % 3 === 0 ? `0x${x.toString(16).padStart(2, "0")}` : i % 3 === 1 ? String(x) : `0${x.toString(8)}`},  // ${i}`,
    ),
    "};",
  ].join("\n");
  // gcc is the reference for what the initialiser means
  const c = join(dir, "init.c"),
    exe = join(dir, "init");
  writeFileSync(
    c,
    `#include <stdio.h>\n${text}\nint main(void) { for (unsigned i = 0; i < sizeof buf; i++) printf("%02x", buf[i]); return 0; }\n`,
  );
  sh("gcc", ["-o", exe, c]);
  const gccBytes = sh(exe, []);
  assert.equal(toHex(parseDump(text).bytes), gccBytes);
  assert.equal(gccBytes, toHex(b.bytes));
  // xxd -i: the NAME_len line is checked, not read as bytes
  const inc = sh("xxd", ["-i", b.file]);
  assert.equal(toHex(parseDump(inc).bytes), toHex(b.bytes));
  assert.throws(() => parseDump(inc.replace(/_len = \d+/, "_len = 99")), /but the array lists 35 bytes/);
  // things the parser will not guess
  assert.throws(() => parseDump("unsigned char b[8] = { 1, 2 };"), /declares 8 bytes but lists 2/);
  assert.throws(() => parseDump("uint32_t w[] = { 0x20, 0x24 };"), /uint32_t, not bytes/);
  assert.throws(() => parseDump("unsigned char b[] = { 0x120 };"), /not a byte/);
  assert.throws(() => parseDump("struct vfio_irq_set s = { .argsz = 20, { 1 } };"), DumpError);
});

test("kernel print_hex_dump lines with dmesg timestamps (captured from a real kernel) equal the same bytes read from sysfs", () => {
  const cap = readFileSync(new URL("../vectors/kernel-earlydump.txt", import.meta.url), "utf8");
  const section = (name) => cap.split(`=== ${name}\n`)[1].split("\n===")[0];
  const dmesg = section("dmesg"),
    sysfs = section("sysfs 0000:00:11.0/config");
  const k = parseDump(dmesg);
  assert.equal(k.format, "kernel");
  assert.match(k.notes.join(" "), /skipped 1 kernel log line/); // "pci 0000:00:11.0: config space:"
  const s = parseDump(sysfs);
  assert.equal(s.format, "od");
  assert.equal(k.bytes.length, 256);
  assert.equal(toHex(k.bytes), toHex(s.bytes));
  assert.equal(toHex(k.bytes.subarray(0, 4)), "8680d310"); // QEMU's e1000e: vendor 8086, device 10d3
  // without timestamps (dmesg -t) it is xxd's shape, and the same bytes
  const bare = dmesg
    .split("\n")
    .filter((l) => /\] [0-9a-f]{8}:/.test(l))
    .map((l) => l.replace(/^\[[^\]]*\] /, ""))
    .join("\n");
  assert.equal(toHex(parseDump(bare).bytes), toHex(k.bytes));
  // a missing line is an error naming it, not a shorter buffer
  const lines = dmesg.split("\n");
  assert.throws(
    () => parseDump([...lines.slice(0, 5), ...lines.slice(6)].join("\n")),
    (e) => e instanceof DumpError && /line 6: offset 0x50 does not follow/.test(e.message),
  );
});

test("hexdump -C: the final bare offset is the length, never 4 more bytes; a missing line is an error", () => {
  const b = files.find((x) => x.name === "odd-35");
  const text = sh("hexdump", ["-C", b.file]);
  assert.match(text, /\n00000023\n$/);
  assert.equal(parseDump(text).bytes.length, 35);
  const lines = text.split("\n");
  assert.throws(
    () => parseDump([lines[0], lines[2], lines[3]].join("\n")),
    /line 2: offset 0x20 does not follow the previous line \(expected 0x10\)/,
  );
  assert.throws(
    () => parseDump(text.replace("00000023", "00000030")),
    /final offset says 48 bytes but the lines hold 35/,
  );
});

test("plain hex: separators, 0x per byte; numbers and odd groups are errors that say why", () => {
  assert.equal(toHex(fromHex("20:00:00:00 0x24,0x00, 0x0 0x0")), "2000000024000000");
  assert.equal(toHex(fromHex("0x15:00:00:00 12000000")), "1500000012000000");
  assert.throws(() => fromHex("0x20000000"), /is a number, not bytes: its byte order is unknown/);
  assert.throws(() => fromHex("2 0 0 0"), /odd number of hex digits/);
  assert.throws(() => fromHex("20 0g"), /not hex: "0g"/);
  assert.throws(() => fromHex("200"), /odd number/);
  assert.equal(fromHex("").length, 0);
});

test("JSON that decode and the inspector print encodes back to the bytes; other JSON is refused", () => {
  for (const v of vectors.filter((x) => !x.arch).slice(0, 8)) {
    const bytes = bytesOf(v.hex);
    const prof = v.epoch ? { epoch: v.epoch } : {};
    const json = JSON.stringify(toJSONValue(decode(v.struct, bytes, prof)));
    assert.equal(toHex(parseDump(json, { struct: v.struct, profile: prof }).bytes), toHex(bytes), v.name);
    const pretty = JSON.stringify(toJSONValue(decode(v.struct, bytes, prof)), null, 2); // the inspector's "Copy as JSON"
    assert.equal(toHex(parseDump(pretty, { struct: v.struct, profile: prof }).bytes), toHex(bytes), v.name);
  }
  assert.throws(() => parseDump('{"argsz":20}'), /say which one/);
  assert.throws(() => parseDump('{"error":{"code":"E_SHORT"}}', { struct: "irq_set" }), /error report/);
  assert.equal(toHex(parseDump("[32, 0, 0, 0]").bytes), "20000000");
  assert.throws(() => parseDump("[1, 256]"), /not a byte/);
  assert.throws(() => parseDump("[".repeat(100000)), /nested 1000 levels deep/);
  const e = encode("irq_set", { flags: 0x24, index: 2, count: 1, data: [5] });
  assert.equal(
    toHex(
      parseDump(JSON.stringify({ struct: "vfio_irq_set", class: "valid", hex: toHex(e) }), { struct: "irq_set" }).bytes,
    ),
    toHex(e),
  );
});

test("hostile text: every input ends in bytes or a DumpError, bounded by maxBytes", () => {
  const hostile = [
    "|".repeat(80_000),
    `00000000  ${"|".repeat(80_000)}`,
    `${" ".repeat(200_000)}x`,
    "0x".repeat(50_000),
    "{".repeat(50_000),
    `{${"0,".repeat(50_000)}`,
    `[ 1.0] ${"ab ".repeat(50_000)}x`,
    "[1.0]".repeat(50_000),
    "/*".repeat(50_000),
    "*\n".repeat(50_000),
    `0x1 <${"<".repeat(50_000)}`,
    `00000000: ${"zz ".repeat(50_000)}`,
    "0000000 0000\n*\n7777777\n",
    "00000000  00\n*\nffffffff\n",
    `${":".repeat(100_000)}1`,
  ];
  for (const h of hostile) {
    try {
      const d = parseDump(h, { maxBytes: 1 << 20 });
      assert.ok(d.bytes.length <= 1 << 20);
    } catch (e) {
      assert.ok(e instanceof DumpError, `${h.slice(0, 20)}: ${e}`);
    }
  }
  assert.throws(() => parseDump("00000000  00\n*\nffffffff\n", { maxBytes: 1 << 20 }), /maxBytes/);
});
