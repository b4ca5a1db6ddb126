// The cdev / iommufd path as real kernels answered it (tests/kernel/cdev.mjs --record: Debian's 6.12
// and 7.2 sources built for s390x with IOMMUFD and VFIO_DEVICE_CDEV, zPCI functions on vfio-pci): the
// transcripts are the plan's, and the models predict every answer (ret, errno, reply bytes, guard,
// IOAS ids) while every reply decodes and re-encodes in the guest's byte order. Then each kernel
// behaviour the cdev model follows, on requests built here, named after the kernel code that has it.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { cdevScript, checkCdev, FD } from "../kernel/cdev.mjs";
import { parseTranscript } from "../kernel/lib/transcript.mjs";

const lib = await import("../../dist/bindings/index.js");
const oracle = await import("../../dist/bindings/oracle/index.js");
const { SCHEMA } = await import("../../dist/bindings/generated/schema.js");
const { ERRNO } = await import("../../dist/bindings/generated/wasm-abi.js");
const BDFS = ["0001:00:00.0", "0002:00:00.0", "0003:00:00.0"];
const KERNELS = ["6.12", "7.2"];
const transcript = (k) => readFileSync(new URL(`../kernel/cdev-replies/s390x-${k}.txt`, import.meta.url), "utf8");

for (const k of KERNELS) {
  test(`the recorded cdev run of Linux ${k} (s390x) is this plan: the same requests, in order`, () => {
    const records = parseTranscript(transcript(k)).filter((r) => r.ret !== null && r.replyHex !== null);
    const planned = cdevScript(k, BDFS)
      .split("\n")
      .filter((l) => /^(IOCTL|DEVICE_)/.test(l))
      .map((l) => l.split(" ").at(-1));
    assert.deepEqual(
      records.filter((r) => r.requestHex !== null && r.cmd !== "READ_FILE").map((r) => r.requestHex),
      planned,
    );
  });

  test(`the models predict every cdev / iommufd answer of Linux ${k} (s390x), and the codec round-trips every reply`, (t) => {
    const res = checkCdev(transcript(k), k);
    t.diagnostic(JSON.stringify(res.counts));
    assert.deepEqual(res.mismatches, []);
    assert.equal(res.matched, res.requests);
    for (const ioctl of ["VFIO_DEVICE_BIND_IOMMUFD", "VFIO_DEVICE_ATTACH_IOMMUFD_PT", "VFIO_DEVICE_DETACH_IOMMUFD_PT"])
      assert.ok(res.counts[ioctl]?.requests > 5, `${ioctl} replayed`);
  });
}

test("the other kernel's profile does not predict a transcript: 6.12 and 7.2 answer the cdev path differently", () => {
  const wrong = { 6.12: "7.2", 7.2: "6.12" };
  for (const k of KERNELS) {
    const res = checkCdev(transcript(k), wrong[k]);
    // the token flag (twice), bytes past the bind struct (and so which bind binds), a PASID above
    // INT_MAX, and a PASID detach
    assert.equal(res.mismatches.length, 6, res.mismatches.join("\n"));
    for (const errno of ["EFAULT", "E2BIG", "ENOSPC"])
      assert.ok(
        res.mismatches.some((m) => m.includes(` ${-ERRNO[errno]} `)),
        `${k} as ${wrong[k]}: ${errno}`,
      );
  }
});

// ---- the kernel behaviours, on requests built with the codec (big-endian, as the s390x guest)
const PROF = (kernel) => ({ arch: "s390x", epoch: kernel });
const enc = (struct, value, length, kernel) => lib.encode(struct, { ...value, $: { length } }, PROF(kernel));
const IOMMUFD = FD.IOMMUFD;
/** A device file opened through its cdev, with one iommufd holding two IOAS (ids 1 and 2). */
function cdevDevice(kernel, opts = {}) {
  const ctx = new oracle.IommufdContext();
  ctx.ioasAlloc();
  ctx.ioasAlloc();
  const fds = { iommufds: new Map([[IOMMUFD, ctx]]), open: new Set([FD.EVENTFD]) };
  return { ctx, dev: new oracle.CdevModel(fds, { kernel, bigEndian: true, ...opts }) };
}
const bind = (dev, kernel, o = {}, length = 16) =>
  dev.predict(
    "VFIO_DEVICE_BIND_IOMMUFD",
    enc("vfio_device_bind_iommufd", { argsz: length, flags: 0, iommufd: IOMMUFD, ...o }, length, kernel),
  );
const attach = (dev, kernel, o = {}, length = 12) =>
  dev.predict(
    "VFIO_DEVICE_ATTACH_IOMMUFD_PT",
    enc("vfio_device_attach_iommufd_pt", { argsz: length, flags: 0, pt_id: 1, ...o }, length, kernel),
  );
const detach = (dev, kernel, o = {}, length = 8) =>
  dev.predict(
    "VFIO_DEVICE_DETACH_IOMMUFD_PT",
    enc("vfio_device_detach_iommufd_pt", { argsz: length, flags: 0, ...o }, length, kernel),
  );
const sinceOfBit = (set, name) => SCHEMA.flagSets[set].bits.find((b) => b.name === name).since;
const behaviour = (name) => oracle.KERNEL_BEHAVIOURS.find((b) => b.name === name);

test("CDEV_BIND_TOKEN and CDEV_PASID start where the schema's header history adds the token and PASID fields", () => {
  assert.equal(
    behaviour("CDEV_BIND_TOKEN").since,
    sinceOfBit("vfio_device_bind_iommufd_flags", "VFIO_DEVICE_BIND_FLAG_TOKEN"),
  );
  assert.equal(
    behaviour("CDEV_PASID").since,
    sinceOfBit("vfio_device_attach_iommufd_pt_flags", "VFIO_DEVICE_ATTACH_PASID"),
  );
  assert.equal(
    behaviour("CDEV_PASID").since,
    sinceOfBit("vfio_device_detach_iommufd_pt_flags", "VFIO_DEVICE_DETACH_PASID"),
  );
  // the struct sizes the handlers compare argsz with: the release's, from the schema's size history
  const size = (s, k) => oracle.kernelSizeof(s, k);
  for (const s of ["vfio_device_bind_iommufd", "vfio_device_attach_iommufd_pt", "vfio_device_detach_iommufd_pt"])
    assert.ok(size(s, "6.12") < size(s, "7.2"), `${s} grew between 6.12 and 7.2`);
  assert.equal(size("vfio_device_bind_iommufd", "6.16"), size("vfio_device_bind_iommufd", "6.12"));
  assert.equal(size("vfio_device_bind_iommufd", "6.17"), size("vfio_device_bind_iommufd", "7.2"));
  assert.equal(size("vfio_device_attach_iommufd_pt", "6.15"), size("vfio_device_attach_iommufd_pt", "7.2"));
  assert.equal(size("vfio_device_detach_iommufd_pt", "6.14"), size("vfio_device_detach_iommufd_pt", "6.12"));
});

test("CDEV_BIND_TOKEN (6.17, vfio_df_check_token): the token flag reads token_uuid_ptr; before, any flag is EINVAL", () => {
  const TOKEN = lib.VFIO_DEVICE_BIND_FLAG_TOKEN;
  for (const [kernel, errno] of [
    ["6.16", "EINVAL"],
    ["6.17", "EFAULT"],
  ]) {
    // argsz 16 leaves token_uuid_ptr out: copy_struct_from_user zero-fills it, and NULL is unreadable
    assert.equal(bind(cdevDevice(kernel).dev, kernel, { flags: TOKEN }).errno, errno, kernel);
    assert.equal(bind(cdevDevice(kernel).dev, kernel, { flags: TOKEN, token_uuid_ptr: 0n }, 24).errno, errno, kernel);
  }
  // a readable token for a device that is neither PF nor VF: vfio_pci_core_match_token_uuid refuses it
  const memory = [{ vaddr: 0x10000n, size: 0x1000n }];
  const { dev } = cdevDevice("7.2", { memory });
  assert.equal(bind(dev, "7.2", { flags: TOKEN, token_uuid_ptr: 0x10000n }, 24).errno, "EINVAL");
  assert.equal(dev.devid, 0, "not bound");
});

test("CDEV_BIND_TOKEN (6.17, copy_struct_from_user): bytes past the kernel's struct must be zero (E2BIG); 6.16 reads 16 bytes", () => {
  const bytes = (kernel, tail) => {
    const b = new Uint8Array(32);
    b.set(enc("vfio_device_bind_iommufd", { argsz: 32, flags: 0, iommufd: IOMMUFD }, 24, kernel));
    b[28] = tail;
    return b;
  };
  const p = (kernel, tail) => cdevDevice(kernel).dev.predict("VFIO_DEVICE_BIND_IOMMUFD", bytes(kernel, tail));
  assert.equal(p("7.2", 1).errno, "E2BIG");
  assert.equal(p("7.2", 0).ret, 0);
  assert.equal(p("6.16", 1).ret, 0);
});

test("bind: the iommufd fd is checked last (EBADF closed, EBADFD not an iommufd), out_devid is the lowest free object id", () => {
  for (const kernel of KERNELS) {
    assert.equal(bind(cdevDevice(kernel).dev, kernel, { iommufd: FD.CLOSED }).errno, "EBADF");
    assert.equal(bind(cdevDevice(kernel).dev, kernel, { iommufd: FD.EVENTFD }).errno, "EBADFD");
    assert.equal(bind(cdevDevice(kernel).dev, kernel, { iommufd: -1 }).errno, "EINVAL");
    const { dev } = cdevDevice(kernel);
    const ok = bind(dev, kernel);
    assert.equal(ok.ret, 0);
    // out_devid is written in the guest's byte order, nothing else changes
    const v = lib.decode("vfio_device_bind_iommufd", ok.reply, PROF(kernel));
    assert.equal(v.out_devid, 3);
    assert.equal(bind(dev, kernel).rule, "BIND_TWICE");
  }
});

test("a cdev-opened device answers EINVAL to everything but BIND_IOMMUFD until it is bound (vfio_device_fops_unl_ioctl)", () => {
  const { dev } = cdevDevice("7.2");
  assert.equal(attach(dev, "7.2").rule, "CDEV_NOT_BOUND");
  assert.equal(detach(dev, "7.2").rule, "CDEV_NOT_BOUND");
  assert.equal(dev.gate(new Uint8Array(24)).errno, "EINVAL");
  bind(dev, "7.2");
  assert.equal(dev.gate(new Uint8Array(24)), null);
});

test("automatic domains (iommufd_device_auto_get_domain): shared per IOAS, replaced, destroyed with their last attachment", () => {
  const kernel = "6.12";
  const { ctx, dev } = cdevDevice(kernel);
  bind(dev, kernel); // devid 3
  const pt = (p) => lib.decode("vfio_device_attach_iommufd_pt", p.reply, PROF(kernel)).pt_id;
  assert.equal(pt(attach(dev, kernel)), 4);
  assert.equal(pt(attach(dev, kernel)), 4, "the same IOAS again: the same domain");
  assert.equal(pt(attach(dev, kernel, { pt_id: 2 })), 5, "replaced: a new domain, the old one destroyed");
  assert.equal(ctx.objects.has(4), false);
  assert.equal(pt(attach(dev, kernel)), 4, "the lowest free id again");
  assert.equal(attach(dev, kernel, { pt_id: 999 }).errno, "ENOENT");
  assert.equal(attach(dev, kernel, { pt_id: 3 }).errno, "EINVAL", "a device object is not a page table");
  assert.equal(detach(dev, kernel).ret, 0);
  assert.equal(ctx.objects.has(4), false);
  assert.equal(detach(dev, kernel).rule, "DETACH_NOT_ATTACHED");
});

test("CDEV_PASID (6.15, vfio_df_ioctl_attach_pt / detach_pt): the PASID flag, argsz up to pasid, an IOAS's automatic domain refused", () => {
  const ATTACH = lib.VFIO_DEVICE_ATTACH_PASID,
    DETACH = lib.VFIO_DEVICE_DETACH_PASID;
  const bound = (kernel) => {
    const { dev } = cdevDevice(kernel);
    bind(dev, kernel);
    return dev;
  };
  // before 6.15 the flag is unknown
  assert.equal(attach(bound("6.14"), "6.14", { flags: ATTACH, pasid: 5 }, 16).rule, "ATTACH_ARGSZ_OR_FLAGS");
  assert.equal(detach(bound("6.14"), "6.14", { flags: DETACH, pasid: 5 }, 12).rule, "DETACH_ARGSZ_OR_FLAGS");
  // from 6.15: argsz must reach pasid
  assert.equal(attach(bound("6.15"), "6.15", { flags: ATTACH }, 12).rule, "ATTACH_PASID_ARGSZ");
  assert.equal(detach(bound("6.15"), "6.15", { flags: DETACH }, 8).rule, "DETACH_PASID_ARGSZ");
  // the IOAS's automatic domain is not allocated with IOMMU_HWPT_ALLOC_PASID (iommufd_hwpt_pasid_compat)
  assert.equal(attach(bound("6.15"), "6.15", { flags: ATTACH, pasid: 5 }, 16).rule, "ATTACH_PASID_AUTO_DOMAIN");
  // ida_alloc_range: a PASID above INT_MAX is ENOSPC, before the page table is looked up
  assert.equal(attach(bound("7.2"), "7.2", { flags: ATTACH, pasid: 0x80000000, pt_id: 999 }, 16).errno, "ENOSPC");
  // a PASID that is not attached: ida_exists is false, the detach returns 0
  assert.equal(detach(bound("7.2"), "7.2", { flags: DETACH, pasid: 5 }, 12).rule, "DETACH_PASID_NOT_ATTACHED");
  // another flag bit is EINVAL in every kernel
  assert.equal(attach(bound("7.2"), "7.2", { flags: ATTACH << 1 }).errno, "EINVAL");
});

test("HOT_RESET_CDEV: a cdev-opened device passes no group fds (EINVAL with any), count 0 goes on to the reset probe", () => {
  const device = { name: "zpci", driver: "vfio-pci", kernel: "7.2", irqs: [], regions: [] };
  const m = new oracle.UapiModel(device, { bigEndian: true, cdevOpened: true });
  const reset = (fds) =>
    m.predict(
      "VFIO_DEVICE_PCI_HOT_RESET",
      enc(
        "vfio_pci_hot_reset",
        { argsz: 12 + 4 * fds.length, flags: 0, count: fds.length, group_fds: fds },
        12 + 4 * fds.length,
        "7.2",
      ),
    );
  assert.equal(reset([FD.EVENTFD]).rule, "HOT_RESET_GROUP_FDS_CDEV_OPENED");
  assert.equal(reset([]).rule, "HOT_RESET_NO_SLOT_OR_BUS_RESET");
});
