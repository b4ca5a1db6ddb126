// The uAPI fuzz family (classes 50-57) over the ioctl arguments of the rest of the uAPI. The codec
// status of every case is derived here a second time, from the schema's C layout (schema/layout.mjs)
// and the argsz rules the kernel applies, without the codec or the generator; the generator's label
// and the decoder must both agree with it. Kernel labels (VFIO_DEVICE_FEATURE, GROUP_GET_STATUS, hot
// reset info, MAP_DMA, UNMAP_DMA) come from the uAPI model and must follow the kernel's first rule:
// an argsz below the kernel's minsz is EINVAL.

import assert from "node:assert/strict";
import { test } from "node:test";
import { layout } from "../../schema/layout.mjs";

const root = new URL("../../", import.meta.url);
const lib = await import(new URL("dist/bindings/index.js", root).href);
const fz = await import(new URL("dist/bindings/fuzz/index.js", root).href);
const { qemuDevice } = await import(new URL("dist/bindings/oracle/index.js", root).href);

const UAPI = fz.CLASSES.filter((c) => c.family === "uapi");
const OTHER = [
  "vfio_irq_set",
  "vfio_irq_info",
  "vfio_region_info",
  "vfio_device_info",
  "vfio_iommu_type1_info",
  "mixed",
];
const UAPI_STRUCTS = fz.FAMILIES.filter((s) => !OTHER.includes(s));
const PROFILES = [
  { endian: "little", model: "lp64", epoch: "6.1" },
  { endian: "little", model: "lp64", epoch: "6.6" },
  { endian: "big", model: "lp64", epoch: "6.6" },
  { endian: "little", model: "ilp32", epoch: "6.1" },
  { endian: "little", model: "ilp32", epoch: "6.6" },
];
const hex = (b) => Buffer.from(b).toString("hex");
const variant = (p) => ({ model: p.model, epoch: p.epoch === "6.6" ? "6.7" : p.epoch, proposals: new Set() });

/** An unsigned field of the case, in the profile's byte order. */
function read(bytes, f, big) {
  let v = 0n;
  for (let i = 0; i < f.size; i++) v |= BigInt(bytes[f.offset + i]) << BigInt(8 * (big ? f.size - 1 - i : i));
  return v;
}

/** The status the bytes must decode to, from the C layout and the argsz rules. */
export function expectedStatus(struct, bytes, prof) {
  const v = variant(prof),
    big = prof.endian === "big";
  const L = layout(struct, v);
  if (bytes.length < L.minsz) return "E_SHORT";
  const field = (name) => L.fields.find((f) => f.path === name);
  const argsz = Number(read(bytes, field("argsz"), big));
  if (argsz < L.minsz) return "E_ARGSZ_MIN";
  if (argsz > bytes.length) return "E_ARGSZ_OVER";
  const t = L.trailing;
  if (!t) return "OK";
  // a counted array directly in the struct, or in the payload struct the selector picks
  let arr = null,
    base = 0;
  if (t.kind === "array") arr = { ...t, countField: field(t.count) };
  else if (t.kind === "payload") {
    const sel = Number(read(bytes, field(t.selector), big));
    const c = t.cases.find((k) => (sel & k.mask) === k.value);
    if (c?.struct) {
      const P = layout(c.struct, v);
      if (P.trailing?.kind === "array") {
        base = t.offset;
        const cf = P.fields.find((f) => f.path === P.trailing.count);
        arr = { ...P.trailing, countField: { ...cf, offset: base + cf.offset } };
      }
    }
  }
  // a payload argsz cuts short is not part of the argument (no count to read)
  if (!arr || arr.countField.offset + arr.countField.size > argsz) return "OK";
  const count = read(bytes, arr.countField, big);
  const need = BigInt(base + arr.offset) + count * BigInt(arr.elemSize);
  if (need <= BigInt(argsz)) return "OK";
  return arr.short === "needs" ? "NEEDS_ARGSZ" : "E_PAYLOAD_SHORT";
}

test("uAPI family: every class for every struct, labels = the schema's argsz rules = the decoder", () => {
  const perClass = new Map(UAPI.map((c) => [c.name, 0])),
    structs = new Set();
  let n = 0;
  for (const struct of UAPI_STRUCTS) {
    for (let i = 0; i < 400; i++) {
      const prof = PROFILES[i % PROFILES.length],
        cls = UAPI[i % UAPI.length];
      const c = fz.generate({ struct, seed: 16, index: i, class: cls.id, ...prof });
      assert.equal(c.struct, struct);
      assert.equal(fz.classInfo(c.classId).family, "uapi");
      // a class the struct cannot carry becomes argsz-slack; nothing else changes class
      if (c.classId !== cls.id) assert.equal(c.class, "uapi/argsz-slack", `${struct} ${cls.name}`);
      const want = expectedStatus(struct, c.bytes, prof);
      const what = `${struct} ${c.class} ${JSON.stringify(prof)} ${hex(c.bytes).slice(0, 160)}`;
      assert.equal(c.expected.codec.status, want, `label: ${what}`);
      assert.equal(lib.statusName(lib.inspect(struct, c.bytes, prof).status), want, `decoder: ${what}`);
      perClass.set(c.class.split("/")[1], perClass.get(c.class.split("/")[1]) + 1);
      structs.add(struct);
      n++;
    }
  }
  assert.equal(structs.size, 18, [...structs].join(" "));
  for (const [name, k] of perClass) assert.ok(k > 50, `${name}: ${k} cases`);
  assert.ok(n >= 7000);
});

test("uAPI family: valid cases round-trip byte for byte; mixed generation stays in the family", () => {
  let rt = 0;
  for (let i = 0; i < 3000; i++) {
    const prof = PROFILES[i % PROFILES.length];
    const c = fz.generate({ seed: 17, index: i, class: "uapi/valid", ...prof });
    assert.ok(UAPI_STRUCTS.includes(c.struct), c.struct);
    assert.equal(c.expected.codec.status, "OK");
    const d = lib.decode(c.struct, c.bytes, prof);
    assert.equal(hex(lib.encode(c.struct, d, prof)), hex(c.bytes), `${c.struct} #${i}`);
    rt++;
  }
  assert.equal(rt, 3000);
});

test("uAPI family: kernel labels come from the uAPI model and follow the kernel's argsz rule", () => {
  const modelled = [
    "vfio_device_feature",
    "vfio_group_status",
    "vfio_pci_hot_reset_info",
    "vfio_iommu_type1_dma_map",
    "vfio_iommu_type1_dma_unmap",
  ];
  const devices = ["edu", "e1000e", "virtio-rng", "xhci"].flatMap((d) => ["6.1", "7.3"].map((k) => qemuDevice(d, k)));
  const rules = new Set();
  let labelled = 0;
  for (let i = 0; i < 4000; i++) {
    const struct = modelled[i % modelled.length],
      device = devices[i % devices.length];
    const c = fz.generate({ struct, seed: 18, index: i, device, endian: "little", epoch: "6.6" });
    if (!c.expected.kernel) {
      // only where the kernel reads memory the case does not include, or the model does not follow the path
      assert.ok(
        c.bytes.length < 32 || struct === "vfio_device_feature" || struct === "vfio_iommu_type1_dma_unmap",
        `${struct} ${c.class}`,
      );
      continue;
    }
    labelled++;
    rules.add(`${struct}:${c.expected.kernel.rule}`);
    if (c.class === "uapi/argsz-below-minsz") {
      assert.equal(c.expected.kernel.errno, "EINVAL", `${struct} ${hex(c.bytes)}`);
      assert.match(c.expected.kernel.rule, /ARGSZ/);
    }
    // big-endian and i386 cases carry no kernel label (the model is x86_64)
    const be = fz.generate({ struct, seed: 18, index: i, device, endian: "big", epoch: "6.6" });
    assert.equal(be.expected.kernel, undefined);
  }
  assert.ok(labelled > 2500, `${labelled} labelled`);
  assert.ok(rules.size >= 15, [...rules].join(" "));
});
