// The cdev / iommufd path as a real kernel answered it (tests/kernel/cdev.mjs --record: Debian's
// 6.12 sources built for s390x with IOMMUFD and VFIO_DEVICE_CDEV, zPCI functions on vfio-pci):
// the transcript is the plan's, and every reply decodes and re-encodes byte for byte in the guest's
// byte order (or the codec refuses what the kernel refused too).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { cdevScript } from "../kernel/cdev.mjs";
import { parseTranscript } from "../kernel/lib/transcript.mjs";

const lib = await import("../../dist/bindings/index.js");
const { lookupIoctl } = await import("../../dist/bindings/ioctl.js");
const PROF = { arch: "s390x", epoch: "6.12" };
const BDFS = ["0001:00:00.0", "0002:00:00.0"];
const text = readFileSync(new URL("../kernel/cdev-replies/s390x-6.12.txt", import.meta.url), "utf8");
const records = parseTranscript(text).filter((r) => r.ret !== null && r.replyHex !== null);

const STRUCT = { DEVICE_GET_INFO: "vfio_device_info", DEVICE_GET_PCI_HOT_RESET_INFO: "vfio_pci_hot_reset_info" };
for (const name of [
  "VFIO_DEVICE_BIND_IOMMUFD",
  "VFIO_DEVICE_ATTACH_IOMMUFD_PT",
  "VFIO_DEVICE_DETACH_IOMMUFD_PT",
  "VFIO_DEVICE_PCI_HOT_RESET",
]) {
  const io = lookupIoctl(name).find((i) => i.name === name);
  STRUCT[`IOCTL:d:${io.number.toString(16)}`] = io.arg;
}

test("the recorded cdev run is this plan: the same requests, in order", () => {
  const planned = cdevScript("6.12", BDFS)
    .split("\n")
    .filter((l) => /^(IOCTL|DEVICE_)/.test(l))
    .map((l) => l.split(" ").at(-1));
  assert.deepEqual(
    records.map((r) => r.requestHex),
    planned,
  );
});

test("every cdev reply of Linux 6.12 (s390x) decodes and re-encodes byte for byte", (t) => {
  const counts = {};
  for (const r of records) {
    const struct = STRUCT[r.name];
    assert.ok(struct, `a struct for ${r.name}`);
    const bytes = Buffer.from(r.replyHex, "hex");
    counts[struct] = (counts[struct] ?? 0) + 1;
    assert.equal(r.guard, "ok", `${r.name}: nothing written past the buffer`);
    let v;
    try {
      v = lib.decode(struct, new Uint8Array(bytes), PROF);
    } catch (e) {
      // the codec may refuse a buffer shorter than the struct; the kernel refused it as well
      assert.ok(r.ret < 0 && lib.inspect(struct, new Uint8Array(bytes), PROF).status < 0, `${r.name}: ${e.message}`);
      continue;
    }
    assert.equal(Buffer.from(lib.encode(struct, v, PROF)).toString("hex"), r.replyHex, `${r.name} re-encodes`);
  }
  t.diagnostic(JSON.stringify(counts));
  assert.equal(records.length, 34);
});

test("the kernel's cdev answers: devids and attached page-table ids as the replies carry them", () => {
  const ok = (struct) => records.filter((r) => STRUCT[r.name] === struct && r.ret === 0);
  const devids = ok("vfio_device_bind_iommufd").map(
    (r) => lib.decode("vfio_device_bind_iommufd", Buffer.from(r.replyHex, "hex"), PROF).out_devid,
  );
  // two IOAS objects (ids 1 and 2) come first: the devices get the next free ids
  assert.deepEqual(devids, [3, 4]);
  const pt = ok("vfio_device_attach_iommufd_pt").map(
    (r) => lib.decode("vfio_device_attach_iommufd_pt", Buffer.from(r.replyHex, "hex"), PROF).pt_id,
  );
  // attaching to an IOAS answers the id of the page table the kernel made for it, not the IOAS id
  assert.ok(
    pt.every((id) => id > 2),
    JSON.stringify(pt),
  );
});
