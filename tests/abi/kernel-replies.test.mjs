// What real kernels answered (vfio-abi.md §8: Debian 6.1.0-56 and 6.12.95 cloud-amd64 under QEMU):
// every reply decodes to the documented values and re-encodes byte for byte; the argsz two-call
// protocol (needsArgsz, retryRequest) follows the observed REGION_INFO / DEVICE_GET_INFO replies.

import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import { bytesOf, vectors } from "../vectors/golden.mjs";
import { assertLeaves, buildCaps, decode, encode, hex, inspect, ready, retryRequest, vecProfile } from "./helpers.mjs";

before(ready);

// vfio-abi.md §8.2: GET_IRQ_INFO replies, every index of every device, copied from the observed
// transcript (6.1.0-56; the 6.12 differences are in the golden vectors). [device, index, reply hex].
const IRQ_INFO_8_2 = [
  ["edu", 0, "10000000 07000000 00000000 01000000"],
  ["edu", 1, "10000000 09000000 01000000 01000000"],
  ["edu", 2, "10000000 09000000 02000000 00000000"],
  ["edu", 4, "10000000 09000000 04000000 01000000"],
  ["e1000e", 0, "10000000 07000000 00000000 01000000"],
  ["e1000e", 1, "10000000 09000000 01000000 01000000"],
  ["e1000e", 2, "10000000 09000000 02000000 05000000"],
  ["e1000e", 3, "10000000 09000000 03000000 01000000"],
  ["e1000e", 4, "10000000 09000000 04000000 01000000"],
  ["virtio-rng", 0, "10000000 07000000 00000000 01000000"],
  ["virtio-rng", 1, "10000000 09000000 01000000 00000000"],
  ["virtio-rng", 2, "10000000 09000000 02000000 02000000"],
  ["virtio-rng", 4, "10000000 09000000 04000000 01000000"],
  ["xhci", 0, "10000000 07000000 00000000 01000000"],
  ["xhci", 1, "10000000 09000000 01000000 10000000"],
  ["xhci", 2, "10000000 09000000 02000000 10000000"],
  ["xhci", 3, "10000000 09000000 03000000 01000000"],
  ["xhci", 4, "10000000 09000000 04000000 01000000"],
];
const IRQ_NAMES = [
  "VFIO_PCI_INTX_IRQ_INDEX",
  "VFIO_PCI_MSI_IRQ_INDEX",
  "VFIO_PCI_MSIX_IRQ_INDEX",
  "VFIO_PCI_ERR_IRQ_INDEX",
  "VFIO_PCI_REQ_IRQ_INDEX",
];

const kernelVectors = vectors.filter((v) => v.name.startsWith("kernel_") || v.source.includes("§8"));

describe("§8 kernel replies in tests/vectors/golden.mjs", () => {
  test("there are kernel-observed vectors for region info (argsz 32/36/40/64), device info (16/24) and irq_info", () => {
    const names = kernelVectors.map((v) => v.name);
    for (const n of [
      "kernel_region3_argsz32",
      "kernel_region3_argsz36",
      "kernel_region3_argsz40",
      "kernel_region3_argsz64",
      "kernel_device_info_argsz16",
      "kernel_device_info_e1000e_argsz24",
      "kernel_irq_info_e1000e_msix_6.1",
      "kernel_irq_info_e1000e_msix_6.12",
    ]) {
      assert.ok(names.includes(n), n);
    }
  });
  for (const v of kernelVectors) {
    test(`${v.name}: decodes to the documented values and re-encodes identically`, () => {
      const b = bytesOf(v.hex);
      const d = decode(v.struct, b, vecProfile(v));
      const { caps, ...fixed } = v.expect;
      assertLeaves(d, fixed);
      if (caps) {
        assert.equal(d.caps?.length, caps.length);
        caps.forEach((c, i) => {
          assertLeaves(d.caps[i], c, `caps[${i}]`);
        });
      }
      assert.equal(d.$.needsArgsz, v.needsArgsz);
      assert.equal(hex(encode(v.struct, d, vecProfile(v))), hex(b));
    });
  }
});

describe("§8.4 REGION_INFO with one MSIX_MAPPABLE cap, argsz 32/36/40/64", () => {
  const v = Object.fromEntries(vectors.map((x) => [x.name, x]));
  test("argsz 32 and 36: too small -> needsArgsz 40, cap_offset 0, no caps walked", () => {
    for (const n of ["kernel_region3_argsz32", "kernel_region3_argsz36"]) {
      const d = decode("vfio_region_info", bytesOf(v[n].hex));
      assert.equal(d.$.needsArgsz, 40);
      assert.equal(d.caps, undefined);
      assert.equal(d.cap_offset, 0);
      assert.ok(d.$.flags.flags.names.includes("VFIO_REGION_INFO_FLAG_CAPS"));
    }
  });
  test("argsz 40: the cap header at 32 (id 3, version 1, next 0)", () => {
    const d = decode("vfio_region_info", bytesOf(v.kernel_region3_argsz40.hex));
    assert.equal(d.$.needsArgsz, undefined);
    assert.deepEqual(
      d.caps.map((c) => [c.offset, c.name, c.header.id, c.header.version, c.header.next]),
      [[32, "VFIO_REGION_INFO_CAP_MSIX_MAPPABLE", 3, 1, 0]],
    );
  });
  test("argsz 64: argsz echoed, the zero tail after the cap is kept and re-encoded", () => {
    const b = bytesOf(v.kernel_region3_argsz64.hex);
    const d = decode("vfio_region_info", b);
    assert.equal(d.argsz, 64);
    assert.equal(d.caps.length, 1);
    assert.equal(hex(encode("vfio_region_info", d)), hex(b));
  });
  test("kernel-mode build reproduces the observed argsz 40 and argsz 64 replies (6.1 and 6.6 rules agree: 8-byte cap)", () => {
    for (const epoch of ["6.1", "6.6"]) {
      const fixed = { flags: 0x7, index: 3, size: 0x4000n, offset: 0x30000000000n };
      const caps = [{ struct: "vfio_region_info_cap_msix_mappable", header: { id: 3, version: 1 } }];
      assert.equal(
        hex(buildCaps("vfio_region_info", { ...fixed, argsz: 40 }, caps, { epoch })),
        hex(bytesOf(v.kernel_region3_argsz40.hex)),
      );
      // too small: the kernel's reply to argsz 32 (argsz raised to 40, cap_offset 0, CAPS set)
      assert.equal(
        hex(buildCaps("vfio_region_info", { ...fixed, argsz: 32 }, caps, { epoch })),
        hex(bytesOf(v.kernel_region3_argsz32.hex)),
      );
    }
  });
});

describe("the argsz two-call protocol", () => {
  test("retryRequest after the argsz-32 reply asks for 40 bytes of region 3; the reply to it decodes fully", () => {
    const first = decode("vfio_region_info", bytesOf(vectors.find((x) => x.name === "kernel_region3_argsz32").hex));
    const req = retryRequest("vfio_region_info", first);
    assert.equal(req.length, 40);
    const r = decode("vfio_region_info", req);
    assert.equal(r.argsz, 40);
    assert.equal(r.index, 3);
    const second = decode("vfio_region_info", bytesOf(vectors.find((x) => x.name === "kernel_region3_argsz40").hex));
    assert.equal(second.$.needsArgsz, undefined);
    assert.throws(() => retryRequest("vfio_region_info", second), /does not ask/);
  });
  test("DEVICE_GET_INFO too small (§4.1, ≥6.6): needsArgsz 112 and a 112-byte retry", () => {
    const v = vectors.find((x) => x.name === "device_info_caps_do_not_fit");
    const d = decode("vfio_device_info", bytesOf(v.hex), { epoch: "6.6" });
    assert.equal(d.$.needsArgsz, 112);
    const req = retryRequest("vfio_device_info", d, { epoch: "6.6" });
    assert.equal(req.length, 112);
    assert.equal(decode("vfio_device_info", req, { epoch: "6.6" }).argsz, 112);
  });
  for (const [epoch, first] of [
    ["6.1", 20],
    ["6.6", 24],
  ]) {
    for (const arch of ["x86_64", "s390x"]) {
      test(`zPCI device info, ${arch} epoch ${epoch}: small argsz -> needsArgsz = full size; full argsz -> caps at ${first}`, () => {
        const caps = [
          {
            struct: "vfio_device_info_cap_zpci_base",
            header: { version: 2 },
            start_dma: 0x1000n,
            end_dma: 0xffffffffn,
            pchid: 1,
            vfn: 2,
            fmb_length: 3,
            pft: 4,
            gid: 5,
            fh: 6,
          },
          {
            struct: "vfio_device_info_cap_zpci_group",
            header: { version: 2 },
            dasm: 1n,
            msi_addr: 2n,
            flags: 1n,
            mui: 1,
            noi: 2,
            maxstbl: 3,
            version: 4,
            reserved: 0,
            imaxstbl: 5,
          },
        ];
        const full = buildCaps("vfio_device_info", { flags: 0x3, num_regions: 9, num_irqs: 5 }, caps, { arch, epoch });
        const fd = decode("vfio_device_info", full, { arch, epoch });
        assert.equal(fd.cap_offset, first);
        assert.equal(fd.argsz, full.length);
        const small = buildCaps("vfio_device_info", { argsz: 16, flags: 0x3, num_regions: 9, num_irqs: 5 }, caps, {
          arch,
          epoch,
        });
        const sd = inspect("vfio_device_info", small, { arch, epoch }).value;
        assert.equal(sd.$.needsArgsz, full.length);
        assert.equal(sd.cap_offset ?? 0, 0);
        const retry = retryRequest("vfio_device_info", sd, { arch, epoch });
        assert.equal(retry.length, full.length);
      });
    }
  }
});

describe("§8.2 GET_IRQ_INFO replies of every device and index", () => {
  for (const [dev, index, h] of IRQ_INFO_8_2) {
    test(`${dev} index ${index}`, () => {
      const b = bytesOf(h);
      const d = decode("vfio_irq_info", b);
      const dv = new DataView(b.buffer);
      assert.equal(d.argsz, 16);
      assert.equal(d.index, index);
      assert.equal(d.flags, dv.getUint32(4, true));
      assert.equal(d.count, dv.getUint32(12, true));
      assert.equal(d.$.enums.index, IRQ_NAMES[index]);
      assert.equal(d.$.flags.flags.unknown, 0);
      assert.equal(d.cap_offset, undefined, "no cap_offset upstream");
      assert.equal(hex(encode("vfio_irq_info", d)), hex(b));
      // from plain values too
      assert.equal(hex(encode("vfio_irq_info", { argsz: 16, flags: d.flags, index, count: d.count })), hex(b));
    });
  }
  test("argsz 64 with a 64-byte buffer: only 16 bytes written, argsz stays 0x40 -> the rest is slack, kept exactly", () => {
    const b = bytesOf(`40000000 09000000 02000000 05000000${" 00".repeat(48)}`);
    const d = decode("vfio_irq_info", b);
    assert.equal(d.argsz, 64);
    assert.equal(d.$.slack?.length, 48);
    assert.equal(hex(encode("vfio_irq_info", d)), hex(b));
  });
});
