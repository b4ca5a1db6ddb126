// SET_IRQS oracle and device-state model: the §8.6 errno table, per-driver rules (§3.2, §6.4),
// state sequences (§8.5), 6.1 vs 6.12 (§8.8), INFO replies (§8.1-§8.4), the wasm batch export.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  predictSetIrqs,
  DeviceModel,
  qemuDevice,
  deviceBlock,
  fromHex,
  toHex,
  encode,
  wasm,
  ORACLE_RULES,
  VFIO_IRQ_INFO_AUTOMASKED,
  VFIO_IRQ_INFO_EVENTFD,
  VFIO_IRQ_INFO_MASKABLE,
  VFIO_IRQ_SET_ACTION_MASK,
  VFIO_IRQ_SET_ACTION_TRIGGER,
  VFIO_IRQ_SET_ACTION_UNMASK,
  VFIO_IRQ_SET_DATA_BOOL,
  VFIO_IRQ_SET_DATA_EVENTFD,
  VFIO_IRQ_SET_DATA_NONE,
  VFIO_REGION_INFO_FLAG_MMAP,
  VFIO_REGION_INFO_FLAG_READ,
  VFIO_REGION_INFO_FLAG_WRITE,
} from "../../dist/bindings/index.js";

const h = (s) => fromHex(s);
const set = (o) => encode("vfio_irq_set", o);
const e1000e61 = qemuDevice("e1000e", "6.1"),
  e1000e612 = qemuDevice("e1000e", "6.12");
const edu = qemuDevice("edu", "6.1"),
  rng = qemuDevice("virtio-rng", "6.1"),
  xhci = qemuDevice("xhci", "6.1");

function seq(dev, steps) {
  const m = new DeviceModel(dev);
  return steps.map(([hex]) => {
    const p = m.predict("VFIO_DEVICE_SET_IRQS", h(hex));
    return p.errno ?? p.ret;
  });
}
const one = (dev, hex) => {
  const p = predictSetIrqs(dev, h(hex));
  return p.errno ?? p.ret;
};

test("§8.6 errno table, row by row (e1000e unless noted)", () => {
  const rows = [
    ["two DATA bits", e1000e61, "14000000 23000000 01000000 00000000 01000000", "EINVAL", "DATA_TYPE"],
    ["two ACTION bits on INTx", e1000e61, "14000000 29000000 00000000 00000000 01000000", "ENOTTY", "ACTION"],
    ["no DATA bit", e1000e61, "14000000 20000000 01000000 00000000 01000000", "EINVAL", "DATA_TYPE"],
    ["no ACTION bit, MSI count 1", e1000e61, "14000000 01000000 01000000 00000000 01000000", "ENOTTY", "ACTION"],
    ["no ACTION bit, MSI count 0 device", rng, "14000000 01000000 01000000 00000000 01000000", "EINVAL", "START"],
    ["unknown flag 0x40", e1000e61, "14000000 61000000 01000000 00000000 01000000", "EINVAL", "FLAGS_UNKNOWN"],
    ["argsz 16", e1000e61, "10000000 21000000 01000000 00000000 00000000", "EINVAL", "ARGSZ_MIN"],
    ["index 5", e1000e61, "14000000 21000000 05000000 00000000 01000000", "EINVAL", "INDEX"],
    ["index 0xffffffff", e1000e61, "14000000 21000000 ffffffff 00000000 01000000", "EINVAL", "INDEX"],
    ["count overflow start 1", e1000e61, "14000000 21000000 02000000 01000000 ffffffff", "EINVAL", "COUNT_OVERFLOW"],
    [
      "start = count = 0x80000000",
      e1000e61,
      "14000000 21000000 02000000 00000080 00000080",
      "EINVAL",
      "COUNT_OVERFLOW",
    ],
    ["count 64 > MSI count", e1000e61, "14000000 21000000 01000000 00000000 40000000", "EINVAL", "RANGE"],
    ["INTx start 1 count 0", e1000e61, "14000000 21000000 00000000 01000000 00000000", "EINVAL", "START"],
    [
      "EVENTFD count 2, one fd",
      e1000e61,
      "18000000 24000000 02000000 00000000 02000000 64000000",
      "EINVAL",
      "PAYLOAD_SHORT",
    ],
    ["BOOL count 3, 2 bytes", e1000e61, "16000000 22000000 02000000 00000000 03000000 0101", "EINVAL", "PAYLOAD_SHORT"],
    [
      "loopback MSI, nothing enabled",
      e1000e61,
      "14000000 21000000 01000000 00000000 01000000",
      "EINVAL",
      "NOT_ENABLED",
    ],
    ["MASK on MSI", e1000e61, "14000000 09000000 01000000 00000000 01000000", "ENOTTY", "NO_HANDLER"],
    ["MASK on MSI, MSI count 0", rng, "14000000 09000000 01000000 00000000 01000000", "EINVAL", "START"],
    [
      "fd 1 (not an eventfd)",
      e1000e61,
      "18000000 24000000 01000000 00000000 01000000 01000000",
      "EINVAL",
      "FD_NOT_EVENTFD",
    ],
    ["fd 99 (closed)", e1000e61, "18000000 24000000 01000000 00000000 01000000 63000000", "EBADF", "FD_CLOSED"],
    ["fd 99, MSI count 0", rng, "18000000 24000000 01000000 00000000 01000000 63000000", "EINVAL", "START"],
    [
      "disable MSI not enabled, argsz 64",
      e1000e61,
      `40000000 21000000 01000000 00000000 00000000${"00".repeat(44)}`,
      "EINVAL",
      "NOT_ENABLED",
    ],
    [
      "MSI-X eventfd on edu (0 vectors)",
      edu,
      "18000000 24000000 02000000 00000000 01000000 64000000",
      "EINVAL",
      "START",
    ],
    ["ERR on a non-PCIe device", edu, "18000000 24000000 03000000 00000000 01000000 64000000", "EINVAL", "START"],
  ];
  for (const [what, dev, hex, errno, rule] of rows) {
    const p = predictSetIrqs(dev, h(hex));
    assert.deepEqual([p.ret, p.errno, p.rule], [-1, errno, rule], what);
    assert.ok(p.reason.length > 10, what);
  }
});

test("§8.6 rows that need state: MSI while MSI-X, slack argsz, MSI-X grow (6.1 vs 6.12)", () => {
  const enableX = "20000000 24000000 02000000 00000000 03000000 68000000 69000000 6a000000";
  assert.deepEqual(seq(e1000e61, [[enableX], ["18000000 24000000 01000000 00000000 01000000 6d000000"]]), [
    0,
    "EINVAL",
  ]);
  assert.deepEqual(
    seq(e1000e61, [
      ["18000000 24000000 01000000 00000000 01000000 71000000"],
      [`40000000 24000000 01000000 00000000 01000000 72000000${"00".repeat(40)}`],
    ]),
    [0, 0],
  );
  const one = "18000000 24000000 02000000 00000000 01000000 68000000";
  const grow = "1c000000 24000000 02000000 00000000 02000000 68000000 69000000";
  const start1 = "18000000 24000000 02000000 01000000 01000000 69000000";
  assert.deepEqual(seq(e1000e61, [[one], [grow], [start1]]), [0, "EINVAL", "EINVAL"]);
  assert.deepEqual(seq(e1000e612, [[one], [grow], [start1]]), [0, 0, 0]);
});

test("§8.5 working sequence and disable again", () => {
  assert.deepEqual(
    seq(e1000e61, [
      ["20000000 24000000 02000000 00000000 03000000 68000000 69000000 6a000000"],
      ["14000000 21000000 02000000 00000000 03000000"],
      ["17000000 22000000 02000000 00000000 03000000 010000"],
      ["18000000 24000000 02000000 00000000 01000000 ffffffff"],
      ["14000000 21000000 02000000 00000000 00000000"],
      ["14000000 21000000 02000000 00000000 00000000"],
    ]),
    [0, 0, 0, 0, 0, "EINVAL"],
  );
});

test("INTx: trigger, mask, unmask, unmask irqfd busy, loopback, disable", () => {
  const m = new DeviceModel(e1000e61);
  const s = (o) => {
    const p = m.predict("VFIO_DEVICE_SET_IRQS", set(o));
    return p.errno ?? p.ret;
  };
  assert.equal(s({ flags: 0x09, index: 0, count: 1 }), "EINVAL"); // MASK before enable
  assert.equal(s({ flags: 0x24, index: 0, count: 1, data: [101] }), 0);
  assert.equal(m.describeState().irqType, "INTx");
  assert.equal(s({ flags: 0x09, index: 0, count: 1 }), 0);
  assert.equal(s({ flags: 0x0c, index: 0, count: 1, data: [102] }), "ENOTTY"); // MASK with EVENTFD
  assert.equal(s({ flags: 0x14, index: 0, count: 1, data: [102] }), 0);
  assert.equal(s({ flags: 0x14, index: 0, count: 1, data: [103] }), "EBUSY");
  assert.equal(s({ flags: 0x14, index: 0, count: 1, data: [99] }), "EBADF"); // fdget first
  assert.equal(s({ flags: 0x14, index: 0, count: 1, data: [-1] }), 0);
  assert.equal(s({ flags: 0x14, index: 0, count: 1, data: [103] }), 0);
  assert.equal(s({ flags: 0x21, index: 0, count: 1 }), 0);
  assert.equal(s({ flags: 0x24, index: 1, count: 1, data: [104] }), "EINVAL"); // MSI while INTx
  assert.equal(s({ flags: 0x21, index: 0, count: 0 }), 0);
  assert.equal(s({ flags: 0x21, index: 0, count: 0 }), "EINVAL");
  assert.equal(m.describeState().irqType, "none");
});

test("MSI/MSI-X enable with count 0 is ERANGE; loopback past the vectors differs 6.1/6.12", () => {
  assert.equal(one(e1000e61, "14000000 24000000 01000000 00000000 00000000"), "ERANGE");
  const en = "18000000 24000000 02000000 00000000 01000000 68000000";
  const loop3 = "14000000 21000000 02000000 00000000 03000000";
  assert.deepEqual(seq(e1000e61, [[en], [loop3]]), [0, "EINVAL"]);
  assert.deepEqual(seq(e1000e612, [[en], [loop3]]), [0, 0]);
  // 6.12 multi-vector MSI: a vector never allocated cannot take an eventfd, but -1 is fine
  const x612 = qemuDevice("xhci", "6.12");
  assert.deepEqual(
    seq(x612, [
      ["18000000 24000000 01000000 00000000 01000000 68000000"],
      ["18000000 24000000 01000000 03000000 01000000 69000000"],
      ["18000000 24000000 01000000 03000000 01000000 ffffffff"],
    ]),
    [0, "EINVAL", 0],
  );
  assert.deepEqual(
    seq(xhci, [
      ["18000000 24000000 01000000 00000000 01000000 68000000"],
      ["18000000 24000000 01000000 03000000 01000000 ffffffff"],
    ]),
    [0, "EINVAL"],
  );
});

test("ERR/REQ single trigger rules", () => {
  assert.deepEqual(
    seq(e1000e61, [
      ["14000000 21000000 03000000 00000000 01000000"], // NONE, nothing set
      ["15000000 22000000 04000000 00000000 01000000 01"], // BOOL, nothing set: ok
      ["18000000 24000000 03000000 00000000 01000000 6e000000"], // set
      ["14000000 21000000 03000000 00000000 01000000"], // loopback
      ["14000000 24000000 03000000 00000000 00000000"], // EVENTFD count 0
      ["18000000 24000000 03000000 00000000 01000000 feffffff"], // fd -2: ignored
      ["14000000 29000000 03000000 00000000 01000000"], // ACTION bits MASK|TRIGGER
      ["14000000 09000000 04000000 00000000 01000000"], // MASK on REQ
      ["14000000 21000000 03000000 00000000 00000000"], // release
      ["14000000 21000000 03000000 00000000 00000000"], // release again
    ]),
    ["EINVAL", 0, 0, 0, "EINVAL", 0, "ENOTTY", "ENOTTY", 0, "EINVAL"],
  );
  // fd < -1: 6.1 ignores it, 6.12 answers EINVAL (both observed)
  const fdm2 = "18000000 24000000 04000000 00000000 01000000 feffffff";
  assert.equal(one(e1000e61, fdm2), 0);
  assert.equal(one(e1000e612, fdm2), "EINVAL");
  assert.equal(predictSetIrqs(e1000e612, h(fdm2)).rule, "FD_BELOW");
});

test("positive return: multi-vector MSI with interrupt remapping off", () => {
  const x = { ...xhci, intremap: false, msiAllocMax: 1 };
  const m = new DeviceModel(x);
  const p = m.predict("VFIO_DEVICE_SET_IRQS", set({ flags: 0x24, index: 1, count: 4, data: [100, 101, 102, 103] }));
  assert.deepEqual([p.ret, p.errno, p.rule], [1, null, "PARTIAL_VECTORS"]);
  assert.equal(m.predict("VFIO_DEVICE_SET_IRQS", set({ flags: 0x21, index: 1, count: 0 })).errno, "EINVAL");
});

test("platform / amba rules (§3.2)", () => {
  const plat = {
    driver: "vfio-platform",
    irqs: [
      { index: 0, count: 1, flags: 7 },
      { index: 1, count: 1, flags: 1 },
    ],
  };
  const s = (o) => one(plat, toHex(set(o)));
  assert.equal(s({ flags: 0x21, index: 2, count: 1 }), "EINVAL"); // index >= num_irqs
  assert.equal(s({ flags: 0x21, index: 0, start: 0, count: 2 }), "EINVAL"); // num_irqs bound, then count != 1
  assert.equal(predictSetIrqs(plat, set({ flags: 0x21, index: 0, start: 0, count: 2 })).rule, "SUBINDEX");
  assert.equal(s({ flags: 0x21, index: 1, start: 1, count: 0 }), 0); // disable ignores start (start < num_irqs)
  assert.equal(s({ flags: 0x09, index: 1, count: 1 }), "EINVAL"); // edge line not maskable
  assert.equal(predictSetIrqs(plat, set({ flags: 0x09, index: 1, count: 1 })).rule, "NOT_MASKABLE");
  assert.equal(s({ flags: 0x0c, index: 0, count: 1, data: [100] }), 0); // MASK with eventfd is supported
  assert.equal(s({ flags: 0x0c, index: 0, count: 1, data: [99] }), "EBADF");
  assert.equal(s({ flags: 0x01, index: 0, count: 1 }), "ENOTTY");
  assert.equal(s({ flags: 0x21, index: 0, count: 1 }), 0); // loopback runs the handler
  assert.equal(
    one({ ...plat, driver: "vfio-amba" }, toHex(set({ flags: 0x24, index: 0, count: 1, data: [1] }))),
    "EINVAL",
  );
});

test("ccw and ap rules (§3.2): one element at offset 20 whatever count says", () => {
  const ccw = { driver: "vfio-ccw", irqs: [0, 1, 2].map((index) => ({ index, count: 1, flags: 1 })) };
  const ap = { driver: "vfio-ap", irqs: [0, 1].map((index) => ({ index, count: 1, flags: 1 })) };
  const c = (o, d = ccw, len) => {
    const b = set(o);
    return one(d, toHex(len ? b.subarray(0, len) : b));
  };
  assert.equal(c({ flags: 0x09, index: 0, count: 1 }), "EINVAL"); // no TRIGGER
  assert.equal(predictSetIrqs(ccw, set({ flags: 0x09, index: 0, count: 1 })).rule, "CCW_NO_TRIGGER");
  assert.equal(c({ flags: 0x29, index: 0, count: 1 }), 0); // MASK|TRIGGER accepted
  assert.equal(c({ flags: 0x21, index: 0, count: 0 }), 0); // count 0 signals, no disable
  assert.equal(c({ flags: 0x24, index: 1, count: 1, data: [-2] }), "EINVAL"); // fd < -1
  assert.equal(c({ flags: 0x24, index: 2, count: 1, data: [99] }), "EBADF");
  assert.equal(c({ flags: 0x21, index: 3, count: 1 }), "EINVAL"); // index >= 3
  assert.equal(c({ flags: 0x21, index: 0, count: 2 }), "EINVAL"); // num_irqs 1
  // EVENTFD count 0: validation needs no payload, but get_user still reads offset 20
  assert.equal(c({ flags: 0x24, index: 0, count: 0 }), "EFAULT");
  assert.equal(one(ccw, "14000000 24000000 00000000 00000000 00000000 64000000"), 0);
  assert.equal(c({ flags: 0x21, index: 0, count: 1 }, ap), "EINVAL"); // ap: only EVENTFD
  assert.equal(predictSetIrqs(ap, set({ flags: 0x21, index: 0, count: 1 })).rule, "AP_DATA");
  assert.equal(c({ flags: 0x24, index: 1, count: 1, data: [100] }, ap), 0);
  assert.equal(c({ flags: 0x24, index: 0, count: 1, data: [-5] }, ap), "EINVAL");
});

test("libvfio-user server rules (§6.4, test_device_set_irqs.py)", () => {
  const lvu = {
    driver: "libvfio-user",
    irqs: [
      { index: 0, count: 1, flags: 1 },
      { index: 1, count: 1, flags: 1 },
      { index: 2, count: 2048, flags: 1 },
      { index: 3, count: 1, flags: 1 },
      { index: 4, count: 1, flags: 1 },
    ],
  };
  const L = (hex) => {
    const p = predictSetIrqs(lvu, h(hex));
    return [p.errno ?? p.ret, p.rule];
  };
  assert.deepEqual(L("14000000 21000000"), ["EINVAL", "ARGSZ_MIN"]); // header-less message
  assert.deepEqual(L("03000000 21000000 00000000 00000000 01000000"), ["EINVAL", "ARGSZ_MIN"]);
  assert.deepEqual(L("14000000 21000000 05000000 00000000 01000000"), ["EINVAL", "INDEX"]);
  assert.deepEqual(L("14000000 19000000 00000000 00000000 01000000"), ["EINVAL", "ACTION"]); // MASK|UNMASK
  assert.deepEqual(L("14000000 23000000 00000000 00000000 01000000"), ["EINVAL", "DATA_TYPE"]); // NONE|BOOL
  assert.deepEqual(L("14000000 21000000 02000000 ff070000 02000000"), ["EINVAL", "RANGE"]); // start 2047 count 2
  assert.deepEqual(L("14000000 21000000 02000000 01080000 01000000"), ["EINVAL", "START"]); // start 2049
  assert.deepEqual(L("14000000 21000000 02000000 1c010000 ffffffff"), ["EINVAL", "RANGE"]); // saturating add
  assert.deepEqual(L("14000000 09000000 03000000 00000000 01000000"), ["EINVAL", "LVU_ERR_REQ"]); // MASK on ERR
  assert.deepEqual(L("14000000 21000000 04000000 00000000 02000000"), ["EINVAL", "RANGE"]); // REQ count 2 (count 1 index)
  assert.deepEqual(L("14000000 21000000 02000000 01000000 00000000"), ["EINVAL", "LVU_COUNT0"]); // start 1 count 0
  assert.deepEqual(L("14000000 09000000 02000000 00000000 00000000"), ["EINVAL", "LVU_COUNT0"]); // MASK count 0
  assert.deepEqual(L("16000000 22000000 02000000 00000000 02000000 01"), ["EINVAL", "LVU_BOOL_LEN"]);
  assert.deepEqual(L("17000000 22000000 02000000 00000000 02000000 010101"), ["EINVAL", "LVU_BOOL_LEN"]);
  assert.deepEqual(L("18000000 24000000 02000000 00000000 02000000 64000000"), ["EINVAL", "LVU_FDS"]);
  assert.deepEqual(L("14000000 e1000000 02000000 00000000 01000000"), [0, "OK"]); // unknown bits ignored
  assert.deepEqual(L("16000000 22000000 02000000 00000000 02000000 0101"), [0, "OK"]);
});

test("copy faults: fewer than 20 bytes, payload past the readable memory", () => {
  assert.equal(predictSetIrqs(e1000e61, h("14000000 21000000 01000000")).errno, "EFAULT");
  assert.equal(predictSetIrqs(e1000e61, h("1c000000 24000000 02000000 00000000 02000000 64000000")).errno, "EFAULT");
  // the same buffer followed by readable guard bytes: the kernel reads fd 0xa5a5a5a5 (< 0: no trigger)
  const p = predictSetIrqs(e1000e61, h("1c000000 24000000 02000000 00000000 02000000 64000000"), {
    tail: new Uint8Array(256).fill(0xa5),
  });
  assert.deepEqual([p.ret, p.errno], [0, null]);
});

test("predictSetIrqs does not change a model unless commit", () => {
  const m = new DeviceModel(e1000e61);
  const en = h("18000000 24000000 01000000 00000000 01000000 64000000");
  assert.equal(predictSetIrqs(m, en).ret, 0);
  assert.equal(m.describeState().irqType, "none");
  assert.equal(predictSetIrqs(m, en, { commit: true }).ret, 0);
  assert.equal(m.describeState().irqType, "MSI");
});

test("INFO replies: GET_INFO, GET_IRQ_INFO, GET_REGION_INFO argsz protocol (§8.1-§8.4)", () => {
  const m61 = new DeviceModel(e1000e61),
    m612 = new DeviceModel(e1000e612);
  const info = (m, hex, tail) => {
    const p = m.predict("VFIO_DEVICE_GET_INFO", h(hex), { tail });
    return [p.errno ?? p.ret, toHex(p.after)];
  };
  assert.deepEqual(info(m61, `18000000${"00".repeat(20)}`), [0, "180000000300000009000000050000000000000000000000"]);
  assert.deepEqual(info(m61, `10000000${"00".repeat(12)}`), [0, "10000000030000000900000005000000"]);
  assert.equal(info(m61, `08000000${"00".repeat(12)}`)[0], "EINVAL");
  // argsz 24 with a 20-byte buffer: 6.12 writes 24 bytes, 6.1 20
  const g = new Uint8Array(8).fill(0xa5);
  assert.equal(info(m612, `18000000${"00".repeat(16)}`, g)[1].slice(40), "00000000a5a5a5a5");
  assert.equal(info(m61, `18000000${"00".repeat(16)}`, g)[1].slice(40), "a5a5a5a5a5a5a5a5");
  const irq = (m, hex) => {
    const p = m.predict("VFIO_DEVICE_GET_IRQ_INFO", h(hex));
    return [p.errno ?? p.ret, toHex(p.after)];
  };
  assert.deepEqual(irq(m61, "10000000 00000000 02000000 00000000"), [0, "10000000090000000200000005000000"]);
  assert.deepEqual(irq(m612, "10000000 00000000 02000000 00000000"), [0, "10000000010000000200000005000000"]);
  assert.deepEqual(irq(new DeviceModel(edu), "10000000 00000000 03000000 00000000")[0], "EINVAL");
  assert.deepEqual(irq(m61, "0c000000 00000000 00000000 00000000")[0], "EINVAL");
  const reg = (hex, tail) => {
    const p = m61.predict("VFIO_DEVICE_GET_REGION_INFO", h(hex), { tail });
    return toHex(p.after);
  };
  const z = (n) => "00".repeat(n);
  assert.equal(
    reg(`20000000 00000000 03000000 00000000${z(16)}`),
    "280000000f000000030000000000000000400000000000000000000000030000",
  );
  assert.equal(
    reg(`28000000 00000000 03000000 00000000${z(24)}`),
    "280000000f0000000300000020000000004000000000000000000000000300000300010000000000",
  );
  assert.equal(reg(`40000000 00000000 03000000 00000000${z(48)}`).slice(0, 8), "40000000");
  assert.equal(
    reg(`30000000 00000000 03000000 00000000${z(16)}`, new Uint8Array(16).fill(0xa5)),
    `300000000f0000000300000020000000004000000000000000000000000300000300010000000000${"a5".repeat(8)}`,
  );
  assert.equal(reg(`24000000 00000000 00000000 00000000${z(20)}`).slice(0, 16), "2400000007000000");
  assert.equal(
    m61.predict("VFIO_DEVICE_GET_REGION_INFO", h(`20000000 00000000 08000000 00000000${z(16)}`)).errno,
    "EINVAL",
  );
  assert.equal(m61.predict("VFIO_DEVICE_RESET").ret, 0);
  assert.equal(new DeviceModel(edu).predict("VFIO_DEVICE_RESET").errno, "EINVAL");
});

test("wasm exports: oracle_set_irqs_batch labels buffers without changing state; rule table is complete", () => {
  const w = wasm();
  const base = w.arena_ptr() + (2 << 20);
  w.arena_reserve((2 << 20) + 8192);
  const dev = deviceBlock(e1000e61); // DEV_WORDS u32 at base, then the index at 2048, buffers at 3072, results at 4096
  const bufs = [
    h("14000000 21000000 01000000 00000000 01000000"),
    h("18000000 24000000 01000000 00000000 01000000 64000000"),
    h("14000000 09000000 01000000 00000000 01000000"),
  ];
  const mem = new Uint8Array(w.memory.buffer);
  new Uint32Array(w.memory.buffer, base, dev.length).set(dev);
  let off = 0;
  const idx = new Uint32Array(w.memory.buffer, base + 2048, bufs.length * 2);
  bufs.forEach((b, i) => {
    mem.set(b, base + 3072 + off);
    idx[i * 2] = off;
    idx[i * 2 + 1] = b.length;
    off += b.length;
  });
  const ok = w.oracle_set_irqs_batch(0, base + 3072, base + 2048, bufs.length, base, base + 4096);
  const out = new Int32Array(w.memory.buffer, base + 4096, bufs.length * 2);
  assert.equal(ok, 1);
  assert.deepEqual([...out.subarray(0, 3)], [-22, 0, -25]);
  assert.deepEqual(
    [...out.subarray(3)].map((r) => ORACLE_RULES[r].name),
    ["NOT_ENABLED", "OK", "NO_HANDLER"],
  );
  assert.equal(new Uint32Array(w.memory.buffer, base, dev.length)[5], 0);
  assert.equal(w.oracle_set_irqs(0, 0xfffffff0, 64, base, 0), -1000);
});

test("eventfd tracking: §8.5 loopback counts, BOOL on vector 0 only, unmask irqfd swallows its eventfd", () => {
  const m = new DeviceModel(e1000e61);
  const s = (hex) => m.predict("VFIO_DEVICE_SET_IRQS", h(hex));
  s("20000000 24000000 02000000 00000000 03000000 68000000 69000000 6a000000");
  assert.deepEqual(s("14000000 21000000 02000000 00000000 03000000").signalled, [104, 105, 106]);
  assert.deepEqual(
    [104, 105, 106].map((fd) => m.eventfdRead(fd).count),
    [1, 1, 1],
  );
  assert.deepEqual(s("17000000 22000000 02000000 00000000 03000000 010000").signalled, [104]);
  assert.deepEqual(
    [104, 105, 106].map((fd) => m.eventfdRead(fd).errno ?? "count"),
    ["count", "EAGAIN", "EAGAIN"],
  );
  s("18000000 24000000 02000000 00000000 01000000 ffffffff"); // de-assign vector 0
  assert.deepEqual(s("14000000 21000000 02000000 00000000 03000000").signalled, [105, 106]);
  // a failing fd in a block tears down the vectors from start up to the failing one
  s("1c000000 24000000 02000000 01000000 02000000 6b000000 63000000"); // vector 1 <- 107, vector 2 <- fd 99 (closed)
  assert.deepEqual(s("14000000 21000000 02000000 00000000 03000000").signalled, []);
  s("14000000 21000000 02000000 00000000 00000000");
  // INTx: unmask irqfd on the trigger's eventfd swallows the loopback signal
  s("18000000 24000000 00000000 00000000 01000000 65000000");
  s("18000000 14000000 00000000 00000000 01000000 65000000");
  assert.deepEqual(s("14000000 21000000 00000000 00000000 01000000").signalled, [101]);
  assert.equal(m.eventfdRead(101).errno, "EAGAIN");
});

// GET_IRQ_INFO flags of vfio-platform lines: level lines are maskable and automasked, edge lines not
const EDGE = VFIO_IRQ_INFO_EVENTFD,
  LEVEL = VFIO_IRQ_INFO_EVENTFD | VFIO_IRQ_INFO_MASKABLE | VFIO_IRQ_INFO_AUTOMASKED;
// Platform lines as the arm64 stage's kernels (6.12, 7.2) showed them: a level and an edge line, a
// per-CPU line whose request_irq failed (EINVAL) and a line held by another device (EBUSY).
const platformDev = {
  name: "c000000.vfio-test",
  driver: "vfio-platform",
  kernel: "7.2",
  irqs: [
    { index: 0, count: 1, flags: LEVEL },
    { index: 1, count: 1, flags: EDGE },
    { index: 2, count: 1, flags: LEVEL, requestError: "EINVAL" },
    { index: 3, count: 1, flags: LEVEL, requestError: "EBUSY" },
  ],
  regions: [
    {
      index: 0,
      flags: VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE | VFIO_REGION_INFO_FLAG_MMAP,
      size: 0x1000,
    },
  ],
};
const T = VFIO_IRQ_SET_ACTION_TRIGGER,
  MASK = VFIO_IRQ_SET_ACTION_MASK,
  UNMASK = VFIO_IRQ_SET_ACTION_UNMASK,
  NONE = VFIO_IRQ_SET_DATA_NONE,
  BOOL = VFIO_IRQ_SET_DATA_BOOL,
  EVENTFD = VFIO_IRQ_SET_DATA_EVENTFD;

test("platform: a failed request_irq answers every SET_IRQS on its line after validation, before the dispatch", () => {
  const m = new DeviceModel(platformDev);
  const p = (o) => m.predict("VFIO_DEVICE_SET_IRQS", set({ count: 1, ...o }));
  assert.equal(p({ flags: NONE | MASK | UNMASK, index: 2 }).errno, "EINVAL"); // not ENOTTY: before the dispatch
  assert.equal(p({ flags: NONE | MASK | UNMASK, index: 3 }).errno, "EBUSY");
  assert.equal(p({ flags: NONE | MASK | UNMASK, index: 3 }).rule, "REQUEST_IRQ");
  assert.equal(p({ flags: NONE | T, index: 3, count: 0 }).errno, "EBUSY"); // even a disable
  assert.equal(p({ flags: NONE | T, index: 3, argsz: 16, $: { length: 20 } }).rule, "ARGSZ_MIN"); // validation first
  assert.equal(p({ flags: NONE | MASK | UNMASK, index: 0 }).errno, "ENOTTY");
  assert.equal(p({ flags: NONE | MASK, index: 1 }).rule, "NOT_MASKABLE"); // edge lines cannot be masked
  assert.equal(p({ flags: EVENTFD | UNMASK, index: 1, data: [130] }).errno, "EINVAL");
});

test("platform: level lines automask on loopback, irqfds are busy once installed and swallow their eventfd", () => {
  const m = new DeviceModel(platformDev);
  const p = (o) => m.predict("VFIO_DEVICE_SET_IRQS", set({ count: 1, ...o }));
  p({ flags: EVENTFD | T, index: 0, data: [100] });
  p({ flags: EVENTFD | T, index: 1, data: [101] });
  for (let i = 0; i < 3; i++) {
    p({ flags: NONE | T, index: 0 });
    p({ flags: BOOL | T, index: 1, data: [1] });
  }
  assert.equal(m.eventfdRead(100).count, 1); // masked after the first signal
  assert.equal(m.eventfdRead(101).count, 3); // an edge line signals every time
  p({ flags: NONE | UNMASK, index: 0 });
  assert.deepEqual(p({ flags: NONE | T, index: 0 }).signalled, [100]);
  assert.equal(p({ flags: EVENTFD | MASK, index: 0, data: [128] }).ret, 0);
  assert.equal(p({ flags: EVENTFD | MASK, index: 0, data: [1] }).errno, "EINVAL"); // fd checks come first
  assert.equal(p({ flags: EVENTFD | MASK, index: 0, data: [129] }).rule, "VIRQFD_BUSY");
  assert.equal(p({ flags: EVENTFD | MASK, index: 0, data: [-1] }).ret, 0);
  assert.equal(p({ flags: EVENTFD | MASK, index: 0, data: [129] }).ret, 0);
  // removing an irqfd reads its eventfd's count away; an unmask irqfd on the trigger eventfd unmasks
  p({ flags: EVENTFD | UNMASK, index: 0, data: [100] }); // count 1 pending: runs the unmask handler once
  p({ flags: EVENTFD | UNMASK, index: 0, data: [-1] });
  assert.equal(m.eventfdRead(100).errno, "EAGAIN");
  p({ flags: EVENTFD | UNMASK, index: 0, data: [100] });
  p({ flags: NONE | T, index: 0 });
  p({ flags: NONE | T, index: 0 });
  assert.equal(m.eventfdRead(100).errno, "EAGAIN");
  // a bad trigger fd drops the old trigger first
  assert.equal(p({ flags: EVENTFD | T, index: 1, data: [99] }).errno, "EBADF");
  assert.deepEqual(p({ flags: NONE | T, index: 1 }).signalled, []);
});

// vfio-platform/amba lines have the same home: the oracle keeps each line's trigger, irqfds and mask
// in the block's PLAT_* words; platformLines is a view of them.
test("vfio-platform device block: the oracle keeps each line's trigger, irqfds and mask", async () => {
  const { PLAT } = await import("../../dist/bindings/generated/wasm-abi.js");
  const m = new DeviceModel(platformDev);
  const p = (o) => m.predict("VFIO_DEVICE_SET_IRQS", set({ count: 1, ...o }));
  const fdWord = (base, i) => m.state[base + i];
  assert.equal(m.state.length, PLAT.WORDS);
  p({ flags: EVENTFD | T, index: 0, data: [100] });
  p({ flags: EVENTFD | MASK, index: 0, data: [128] });
  p({ flags: EVENTFD | UNMASK, index: 0, data: [130] });
  p({ flags: NONE | T, index: 0 }); // the automasking handler masks the level line
  // stored fds are fd + 1 (0: none)
  assert.deepEqual([fdWord(PLAT.FD_TRIGGER, 0), fdWord(PLAT.FD_MASK, 0), fdWord(PLAT.FD_UNMASK, 0)], [101, 129, 131]);
  assert.deepEqual(m.platformLines.get(0), { trigger: 100, masked: true, maskIrqfd: 128, unmaskIrqfd: 130 });
  // a signal on the unmask irqfd's eventfd runs vfio_platform_unmask (the host's part of the mask)
  m.eventfdWrite(130);
  assert.equal(m.platformLines.get(0).masked, false);
  // vfio_set_trigger frees the old trigger before it checks the new fd
  assert.equal(p({ flags: EVENTFD | T, index: 0, data: [99] }).errno, "EBADF");
  assert.equal(m.platformLines.get(0).trigger, null);
  assert.equal(m.describeState().intxUnmaskFd, false, "DEV_TRIGGERS agrees (bit 3 + index 0)");
  p({ flags: NONE | MASK, index: 0 });
  assert.equal(m.platformLines.get(0).masked, true);
  p({ flags: BOOL | UNMASK, index: 0, data: [0] }); // a zero byte does nothing
  assert.equal(m.platformLines.get(0).masked, true);
  p({ flags: BOOL | UNMASK, index: 0, data: [7] });
  assert.equal(m.platformLines.get(0).masked, false);
});

// The device state has one home: the oracle keeps which eventfd each vfio-pci trigger holds in the
// device block's extended words (PCI_FD_*, the vector table); the model reads them from there.
test("vfio-pci device block: the oracle keeps the trigger eventfds (INTx, unmask irqfd, ERR, REQ, each vector)", async () => {
  const { DEV, PCI } = await import("../../dist/bindings/generated/wasm-abi.js");
  const {
    VFIO_IRQ_SET_ACTION_TRIGGER: TRIGGER,
    VFIO_IRQ_SET_ACTION_UNMASK: UNMASK,
    VFIO_IRQ_SET_DATA_EVENTFD: EVENTFD,
    VFIO_IRQ_SET_DATA_NONE: NONE,
    VFIO_PCI_INTX_IRQ_INDEX: INTX,
    VFIO_PCI_MSIX_IRQ_INDEX: MSIX,
    VFIO_PCI_ERR_IRQ_INDEX: ERR,
  } = await import("../../dist/bindings/index.js");
  const m = new DeviceModel(qemuDevice("e1000e", "6.12"));
  const s = (o) => m.predict("VFIO_DEVICE_SET_IRQS", set(o));
  const vector = (v) => (m.state[PCI.VECTOR_TABLE + (v >> 1)] >>> (v & 1 ? 16 : 0)) & 0xffff;
  assert.ok(m.state.length === PCI.WORDS && (m.state[DEV.FEATURES] & PCI.EXTENDED) !== 0, "extended block announced");

  s({ flags: EVENTFD | TRIGGER, index: MSIX, count: 3, data: [104, 105, 106] });
  assert.deepEqual(
    [...m.triggers.vectors],
    [
      [0, 104],
      [1, 105],
      [2, 106],
    ],
  );
  assert.deepEqual([0, 1, 2].map(vector), [105, 106, 107]); // fd + 1
  // vfio_msi_set_block stops at the closed fd 99 and tears down vectors 1..2 again; vector 0 keeps its trigger
  assert.equal(s({ flags: EVENTFD | TRIGGER, index: MSIX, start: 1, count: 2, data: [107, 99] }).errno, "EBADF");
  assert.deepEqual([...m.triggers.vectors], [[0, 104]]);
  assert.deepEqual([1, 2].map(vector), [PCI.VEC_FREED, PCI.VEC_FREED]);
  // a prediction without commit leaves the block alone
  const before = m.state.slice();
  predictSetIrqs(m, set({ flags: NONE | TRIGGER, index: MSIX, count: 0 }));
  assert.deepEqual(m.state, before);
  s({ flags: NONE | TRIGGER, index: MSIX, count: 0 }); // disable: no vector holds anything
  assert.deepEqual([0, 1, 2].map(vector), [0, 0, 0]);

  s({ flags: EVENTFD | TRIGGER, index: INTX, count: 1, data: [101] });
  s({ flags: EVENTFD | UNMASK, index: INTX, count: 1, data: [120] });
  s({ flags: EVENTFD | TRIGGER, index: ERR, count: 1, data: [103] });
  assert.deepEqual([m.state[PCI.FD_INTX], m.state[PCI.FD_UNMASK], m.state[PCI.FD_ERR]], [102, 121, 104]);
  assert.deepEqual(m.triggers, { intx: 101, intxUnmask: 120, err: 103, req: null, vectors: new Map() });
  s({ flags: NONE | TRIGGER, index: INTX, count: 0 }); // INTx disable drops the trigger and the unmask irqfd
  s({ flags: EVENTFD | TRIGGER, index: ERR, count: 1, data: [-1] });
  assert.deepEqual([m.state[PCI.FD_INTX], m.state[PCI.FD_UNMASK], m.state[PCI.FD_ERR]], [0, 0, 0]);
});

/**
 * edu with INTx on trigger eventfd 100 and the unmask irqfd on 120, the line raised: INTx has fired
 * (100 signalled) and is masked, so every write to 120 schedules the inject work.
 */
function eduLineUp(kernel) {
  const dev = qemuDevice("edu", kernel);
  const m = new DeviceModel({ ...dev, eventfds: "100-131", openFds: "0-2" });
  const p = (o) => m.predict("VFIO_DEVICE_SET_IRQS", set({ start: 0, ...o }));
  const trigger = (fd) => assert.equal(p({ flags: EVENTFD | T, index: 0, count: 1, data: [fd] }).ret, 0);
  trigger(100);
  assert.equal(p({ flags: EVENTFD | UNMASK, index: 0, count: 1, data: [120] }).ret, 0);
  m.regionWrite(dev.irqSource.raise.region, dev.irqSource.raise.offset, new Uint8Array([1, 0, 0, 0]));
  return { m, p, trigger };
}

// Found by the offline campaign (7.3, seed 11, edu): two writes to the INTx unmask irqfd with the line
// still up schedule the inject work twice, but schedule_work() does not queue a work that is already
// pending, so the worker may signal the trigger once for both. A read that saw that one signal may
// have seen the only one: releasing the irqfd (INTx disable flushes the work) owes no further sure
// signal, only a possible one. The kernel answered EAGAIN where the model had predicted count 1.
test("INTx inject work: schedules that coalesce owe one signal, not one each (schedule_work on a pending work)", () => {
  const run = (observedFirstRead) => {
    const { m, p } = eduLineUp("7.3");
    m.eventfdWrite(120); // unmask, line still up: inject work scheduled
    m.eventfdWrite(120); // again: coalesces if the worker has not run yet
    const first = m.eventfdRead(100, observedFirstRead);
    assert.deepEqual([first.count, first.maybe], [1, 2], "the handler's signal is sure, each inject a maybe");
    assert.equal(p({ flags: NONE | T, index: 0, count: 0 }).ret, 0); // INTx disable: the work is flushed
    return m.eventfdRead(100);
  };
  // the first read saw one inject signal: that may have been the only run, so 0 or 1 more
  const sawOne = run(2);
  assert.deepEqual([sawOne.count, sawOne.maybe, sawOne.errno], [0, 1, "EAGAIN"]);
  // the first read saw none: the run is still due, and the flush makes it sure (a second one may follow)
  const sawNone = run(1);
  assert.deepEqual([sawNone.count, sawNone.maybe, sawNone.ret], [1, 1, 8]);
  // both arrived: nothing more can come
  const sawBoth = run(3);
  assert.deepEqual([sawBoth.count, sawBoth.maybe, sawBoth.errno], [0, 0, "EAGAIN"]);
});

// Found by the offline campaign (6.12, seed 20, edu): vfio_intx_set_signal sets the new trigger
// before it flushes the inject work, so work pending at a switch may signal the new trigger. A read
// of that trigger which sees one signal cannot tell whether it came from that rerouted work or from
// work scheduled since: the later work stays possible, and the next switch may carry it on. The model
// had charged the signal to the later work and predicted EAGAIN where the kernel read 1.
test("INTx inject work: a signal that rerouted work may explain does not settle the work scheduled since", () => {
  const run = (observed) => {
    const { m, trigger } = eduLineUp("6.12");
    m.eventfdWrite(120); // line still up: inject work for trigger 100
    trigger(101); // switched, then flushed: that work went to 100 or to 101
    m.eventfdWrite(120); // inject work for trigger 101
    const b = m.eventfdRead(101, observed);
    assert.deepEqual([b.count, b.maybe], [0, 2]);
    trigger(102); // switched again: work still pending may reach 102
    const r = m.eventfdRead(102);
    return [r.count, r.maybe];
  };
  // one signal seen on 101: it may have been the rerouted work, so 101's own work may still reach 102
  assert.deepEqual(run(1), [0, 1]);
  // two seen: both works ran before the switch, nothing can reach 102
  assert.deepEqual(run(2), [0, 0]);
});
