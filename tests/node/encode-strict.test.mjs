// encode() takes only keys it uses: a misspelt key is an error naming the closest field, count
// follows data when left out and must agree with it when given. decode() is the independent reader
// of what encode() wrote.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { encode, decode, EncodeError, toHex } from "../../dist/bindings/index.js";
import { vectors, bytesOf } from "../vectors/golden.mjs";

const bin = fileURLToPath(new URL("../../bin/vfio-abi.js", import.meta.url));
const cli = (args, input) => spawnSync(process.execPath, [bin, ...args], { input, encoding: "utf8" });
const bad = (fn, field, re) =>
  assert.throws(fn, (e) => e instanceof EncodeError && e.field === field && re.test(e.message), `${field} ${re}`);

test("unknown keys are errors that suggest the field (cout -> count), at every level", () => {
  bad(
    () => encode("irq_set", { cout: 3, flags: 0x24, index: 2, data: [5, 6, 7] }),
    "cout",
    /unknown key "cout" in vfio_irq_set \(did you mean count\?\)/,
  );
  bad(() => encode("irq_set", { flags: 0x24, indx: 2 }), "indx", /did you mean index\?/);
  const region = decode("region_info", bytesOf(vectors.find((v) => v.name === "region_info_sparse_mmap").hex));
  const typo = structuredClone(region);
  typo.caps[0].areas[1].sise = typo.caps[0].areas[1].size;
  delete typo.caps[0].areas[1].size;
  bad(() => encode("region_info", typo), "caps[0].areas[1].sise", /did you mean size\?/);
  const hdr = structuredClone(region);
  hdr.caps[0].header.nxt = 0;
  bad(() => encode("region_info", hdr), "caps[0].header.nxt", /did you mean next\?/);
  const meta = structuredClone(region);
  meta.$.slak = new Uint8Array(4);
  bad(() => encode("region_info", meta), "$.slak", /did you mean slack\?/);
  // fields of another layout or of a proposal the profile does not enable
  bad(
    () => encode("device_info", { flags: 3, num_regions: 9, num_irqs: 5, pad: 0 }, { epoch: "6.1" }),
    "pad",
    /not in the 6\.1 layout of vfio_device_info/,
  );
  assert.doesNotThrow(() => encode("device_info", { flags: 3, num_regions: 9, num_irqs: 5, pad: 0 }, { epoch: "6.6" }));
  bad(
    () => encode("irq_info", { flags: 0x10, index: 0, count: 1, cap_offset: 16 }),
    "cap_offset",
    /proposal irq-info-caps/,
  );
  assert.doesNotThrow(() =>
    encode("irq_info", { flags: 0x10, index: 0, count: 1, cap_offset: 16 }, { proposals: ["irq-info-caps"] }),
  );
  bad(() => encode("iommu_type1_info", { flags: 0, caps: "none" }), "caps", /caps must be an array/);
});

test("count is derived from data when left out; a count that disagrees is an error", () => {
  const derived = encode("irq_set", { flags: 0x24, index: 2, data: [5, 6, 7] });
  const d = decode("irq_set", derived);
  assert.equal(d.count, 3);
  assert.deepEqual(d.data, [5, 6, 7]);
  assert.equal(d.argsz, 32);
  assert.equal(toHex(encode("irq_set", { flags: 0x24, index: 2, count: 3, data: [5, 6, 7] })), toHex(derived));
  bad(
    () => encode("irq_set", { flags: 0x24, index: 2, count: 2, data: [5, 6, 7] }),
    "count",
    /count is 2 but data has 3 elements/,
  );
  bad(
    () => encode("irq_set", { flags: 0x24, index: 2, count: 3, data: [] }),
    "count",
    /count is 3 but data has 0 elements/,
  );
  // no data: count is what it says (a request with a missing payload is a valid thing to build)
  assert.equal(decode("irq_set", encode("irq_set", { flags: 0x21, index: 1, count: 0 })).count, 0);
  // capability arrays: nr_areas follows areas
  const area = (o, s) => ({ offset: BigInt(o), size: BigInt(s) });
  const built = encode("region_info", {
    flags: 0xf,
    index: 2,
    size: 0x8000n,
    caps: [{ header: { id: 1, version: 1 }, areas: [area(0x2000, 0x1000), area(0x4000, 0x2000)] }],
  });
  assert.equal(decode("region_info", built).caps[0].nr_areas, 2);
  bad(
    () =>
      encode("region_info", {
        flags: 0xf,
        index: 2,
        caps: [{ header: { id: 1, version: 1 }, nr_areas: 3, areas: [area(0, 1)] }],
      }),
    "caps[0].nr_areas",
    /nr_areas is 3 but caps\[0\]\.areas has 1 element/,
  );
});

test("decode's output (every golden vector) is accepted and encodes to the same bytes", () => {
  for (const v of vectors) {
    const prof = {
      ...(v.epoch ? { epoch: v.epoch } : {}),
      ...(v.arch ? { arch: v.arch } : {}),
      ...(v.proposals ? { proposals: v.proposals } : {}),
    };
    const b = bytesOf(v.hex);
    assert.equal(toHex(encode(v.struct, decode(v.struct, b, prof), prof)), toHex(b), v.name);
  }
});

test("CLI: encode with a typo exits 1 and says which key; count from data", () => {
  const r = cli(["encode", "irq_set", '{"cout":3,"flags":36,"index":2,"data":[5,6,7]}']);
  assert.equal(r.status, 1);
  assert.equal(r.stdout, "");
  assert.match(r.stderr, /unknown key "cout" in vfio_irq_set \(did you mean count\?\)/);
  const ok = cli(["encode", "irq_set", '{"flags":36,"index":2,"data":[5,6,7]}']);
  assert.equal(ok.stdout.trim(), toHex(encode("irq_set", { flags: 36, index: 2, count: 3, data: [5, 6, 7] })));
});
