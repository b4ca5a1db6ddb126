// The ioctl table against the numbers gcc computed from the real headers (tests/c: x86_64, i386,
// s390x and ppc64 units), through the library (lookupIoctl / ioctls) and the CLI
// (`node bin/vfio-abi.js ioctl ...`).

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { ioctls, lookupIoctl } from "../../dist/bindings/ioctl.js";
import { gccConst, needGcc, SCHEMA } from "./helpers.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const cli = (...args) => {
  const r = spawnSync(process.execPath, [join(root, "bin", "vfio-abi.js"), ...args], { encoding: "utf8" });
  return {
    code: r.status,
    out: r.stdout,
    err: r.stderr,
    json: r.status === 0 && r.stdout.trim().startsWith("[") ? JSON.parse(r.stdout) : null,
  };
};
// names the 6.1 headers lack come from the upstream unit (tests/c/ref/upstream.h)
const unitOf = (name) => (SCHEMA.ioctls.find((i) => i.name === name).since ? "upstream" : "uapi61");

for (const arch of ["x86_64", "i386", "s390x", "ppc64"]) {
  describe(`ioctl numbers, ${arch}`, needGcc(arch), () => {
    test("every ioctl: name -> number equals gcc's, number -> names includes it", () => {
      for (const i of ioctls(arch)) {
        const g = gccConst(arch, unitOf(i.name), i.name);
        assert.equal(i.number, g, i.name);
        assert.ok(
          lookupIoctl(g, arch).some((x) => x.name === i.name),
          `${i.name} 0x${g.toString(16)}`,
        );
        assert.deepEqual(
          lookupIoctl(i.name, arch).map((x) => x.number),
          [g],
        );
      }
    });
    test("numbers reused across fd types: every gcc number that several ioctls share resolves to all of them", () => {
      const byNum = new Map();
      for (const i of SCHEMA.ioctls) {
        const g = gccConst(arch, unitOf(i.name), i.name);
        byNum.set(g, [...(byNum.get(g) ?? []), i.name]);
      }
      const shared = [...byNum].filter(([, ns]) => ns.length > 1);
      assert.ok(shared.length >= 8, `${shared.length} shared numbers`);
      for (const [n, names] of shared) {
        const hits = lookupIoctl(n, arch);
        assert.deepEqual(hits.map((x) => x.name).sort(), [...names].sort(), `0x${n.toString(16)}`);
        assert.ok(new Set(hits.map((x) => x.fd)).size > 1, `0x${n.toString(16)} spans fd types`);
      }
    });
  });
}

describe("CLI: vfio-abi ioctl", needGcc("ppc64"), () => {
  test("0x3b6e -> VFIO_DEVICE_SET_IRQS (device fd), gcc's x86_64 number", () => {
    const r = cli("ioctl", "0x3b6e");
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(
      r.json.map((x) => [x.name, x.fd, x.number]),
      [["VFIO_DEVICE_SET_IRQS", "device", gccConst("x86_64", "uapi61", "VFIO_DEVICE_SET_IRQS")]],
    );
  });
  test("powerpc: the name gives gcc's ppc64 number (+0x20000000), and that number looks up back", () => {
    const ppc = gccConst("ppc64", "uapi61", "VFIO_DEVICE_SET_IRQS");
    assert.equal(ppc, 0x20003b6e);
    const r = cli("ioctl", "VFIO_DEVICE_SET_IRQS", "--arch", "ppc64");
    assert.equal(r.code, 0, r.err);
    assert.equal(r.json[0].number, ppc);
    assert.equal(r.json[0].hex, "0x20003b6e");
    const back = cli("ioctl", `0x${ppc.toString(16)}`, "--arch", "ppc64");
    assert.deepEqual(
      back.json.map((x) => x.name),
      ["VFIO_DEVICE_SET_IRQS"],
    );
    // a powerpc number given without --arch is still recognised
    assert.deepEqual(
      cli("ioctl", "0x20003b6e").json.map((x) => x.name),
      ["VFIO_DEVICE_SET_IRQS"],
    );
  });
  test("name without the VFIO_ prefix; decimal numbers; a reused number lists every fd type", () => {
    assert.equal(
      cli("ioctl", "DEVICE_GET_IRQ_INFO").json[0].number,
      gccConst("x86_64", "uapi61", "VFIO_DEVICE_GET_IRQ_INFO"),
    );
    assert.deepEqual(
      cli("ioctl", String(gccConst("s390x", "uapi61", "VFIO_DEVICE_GET_REGION_INFO"))).json.map((x) => x.name),
      ["VFIO_DEVICE_GET_REGION_INFO"],
    );
    const n = gccConst("x86_64", "uapi61", "VFIO_IOMMU_GET_INFO");
    assert.equal(n, gccConst("x86_64", "uapi61", "VFIO_DEVICE_GET_PCI_HOT_RESET_INFO"));
    const hits = cli("ioctl", `0x${n.toString(16)}`).json;
    assert.deepEqual(hits.map((x) => x.name).sort(), [
      "VFIO_DEVICE_GET_PCI_HOT_RESET_INFO",
      "VFIO_IOMMU_GET_INFO",
      "VFIO_IOMMU_SPAPR_TCE_GET_INFO",
    ]);
    assert.deepEqual([...new Set(hits.map((x) => x.fd))].sort(), ["container", "device"]);
  });
  test("an unknown number fails with a message", () => {
    const r = cli("ioctl", "0x1234");
    assert.notEqual(r.code, 0);
    assert.match(r.err, /no VFIO ioctl/);
  });
});
