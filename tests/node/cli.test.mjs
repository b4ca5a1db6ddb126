// The vfio-abi CLI: decode/encode with positional input and line-by-line stdin, JSON shape,
// readable errors on stderr with a non-zero exit, profile flags, ioctl look-ups.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { vectors } from "../vectors/golden.mjs";

const bin = fileURLToPath(new URL("../../bin/vfio-abi.js", import.meta.url));
const cli = (args, input) => spawnSync(process.execPath, [bin, ...args], { input, encoding: "utf8" });
const hexOf = (v) => v.hex.replace(/\s+/g, "");

test("decode prints the kernel's field names, 64-bit values as decimal strings", () => {
  const v = vectors.find((x) => x.name === "region_info_sparse_mmap");
  const r = cli(["decode", "region_info", hexOf(v)]);
  assert.equal(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.equal(j.argsz, 80);
  assert.equal(j.size, "32768");
  assert.equal(j.caps[0].areas[1].offset, "16384");
  assert.deepEqual(j.$.flags.flags.names, [
    "VFIO_REGION_INFO_FLAG_READ",
    "VFIO_REGION_INFO_FLAG_WRITE",
    "VFIO_REGION_INFO_FLAG_MMAP",
    "VFIO_REGION_INFO_FLAG_CAPS",
  ]);
});

test("encode of decode's output gives the original bytes, for every golden vector (stdin batch)", () => {
  for (const v of vectors) {
    const prof = [...(v.epoch ? ["--epoch", v.epoch] : []), ...(v.arch ? ["--arch", v.arch] : [])];
    const d = cli(["decode", v.struct, ...prof], `${hexOf(v)}\n`);
    assert.equal(d.status, 0, `${v.name}: ${d.stderr}`);
    const e = cli(["encode", v.struct, ...prof], d.stdout);
    assert.equal(e.status, 0, `${v.name}: ${e.stderr}`);
    assert.equal(e.stdout.trim(), hexOf(v).toLowerCase(), v.name);
  }
});

test("stdin mode: one result line per input line; bad lines reported, exit 1", () => {
  const input = `${[
    "14000000 21000000 01000000 00000000 00000000",
    "10000000",
    "0x15:00:00:00 12000000 00000000 00000000 01000000 01",
  ].join("\n")}\n`;
  const r = cli(["decode", "vfio_irq_set"], input);
  assert.equal(r.status, 1);
  const lines = r.stdout
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l));
  assert.equal(lines.length, 3);
  assert.equal(lines[0].flags, 0x21);
  assert.equal(lines[1].error.code, "E_SHORT");
  assert.equal(lines[2].data[0], 1);
  assert.match(r.stderr, /line 2: E_SHORT/);
});

test("errors are readable, name offset and field, exit non-zero", () => {
  const r = cli(["decode", "irq_set", "10000000 21000000 01000000 00000000 00000000"]);
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /E_ARGSZ_MIN: argsz 16 below minsz 20.*field argsz, offset 0/);
  assert.equal(r.stdout, "");
  assert.notEqual(cli(["decode", "nope", "00"]).status, 0);
  assert.notEqual(cli(["encode", "irq_set", "{not json"]).status, 0);
});

test("--endian big and --epoch select the profile", () => {
  const be = cli([
    "encode",
    "irq_set",
    "--endian",
    "big",
    JSON.stringify({ flags: 0x24, index: 2, count: 2, data: [0x11223344, -1] }),
  ]);
  assert.equal(be.stdout.trim(), "0000001c00000024000000020000000000000002" + "11223344ffffffff");
  const d61 = JSON.parse(
    cli(["decode", "device_info", "--epoch", "6.1", "18000000030000000900000005000000 0000000000000000"]).stdout,
  );
  assert.equal(d61.pad, undefined);
  assert.equal(d61.$.slack, "00000000");
  const d66 = JSON.parse(
    cli(["decode", "device_info", "--epoch", "6.6", "18000000030000000900000005000000 0000000000000000"]).stdout,
  );
  assert.equal(d66.pad, 0);
});

test("ioctl look-up both ways", () => {
  const r = JSON.parse(cli(["ioctl", "0x3b6e"]).stdout);
  assert.equal(r[0].name, "VFIO_DEVICE_SET_IRQS");
  const p = JSON.parse(cli(["ioctl", "VFIO_DEVICE_SET_IRQS", "--arch", "ppc64"]).stdout);
  assert.equal(p[0].hex, "0x20003b6e");
  const shared = JSON.parse(cli(["ioctl", "0x3b70"]).stdout).map((x) => x.name);
  assert.ok(shared.includes("VFIO_IOMMU_GET_INFO") && shared.includes("VFIO_DEVICE_GET_PCI_HOT_RESET_INFO"));
  assert.notEqual(cli(["ioctl", "0x1234"]).status, 0);
});

test("ioctl reads one look-up per stdin line; --all lists the table", () => {
  const r = cli(["ioctl"], "0x3b6d\nSET_IRQS\n0x1234\n");
  assert.equal(r.status, 1);
  const lines = r.stdout
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l));
  assert.equal(lines[0][0].name, "VFIO_DEVICE_GET_IRQ_INFO");
  assert.equal(lines[1][0].hex, "0x3b6e");
  assert.ok(lines[2].error);
  const all = cli(["ioctl", "--all"]).stdout.trim().split("\n");
  assert.ok(all.length >= 30 && all.some((l) => /0x3b6e\s+VFIO_DEVICE_SET_IRQS/.test(l)));
});
