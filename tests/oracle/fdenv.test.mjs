// The explicit fd environment: which fds are open eventfds, open other files, and closed. The
// kernel's answers for each kind are pinned by the recorded reproducers (repro.test.mjs); here the
// environment's plumbing is checked by relations: renumbering the fds (request and environment
// together) never changes an answer, and moving an fd between kinds gives the answer that fd kind
// gives under the default environment.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync, mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { DeviceModel, predictSetIrqs, qemuDevice, encode, toHex } from "../../dist/bindings/index.js";
import {
  parseFdList,
  formatFdList,
  fdEnvOf,
  DEFAULT_FD_ENV,
  DEFAULT_KERNEL,
  KNOWN_KERNELS,
} from "../../dist/bindings/oracle/index.js";

const bin = fileURLToPath(new URL("../../bin/vfio-abi.js", import.meta.url));
const cli = (args, input) => spawnSync(process.execPath, [bin, ...args], { input, encoding: "utf8" });
const set = (o) => encode("vfio_irq_set", o);
const T = 0x20,
  EVENTFD = 4;
const enable = (fds) => set({ flags: EVENTFD | T, index: 2, count: fds.length, data: fds });
const answer = (p) => ({ ret: p.ret, errno: p.errno, rule: p.rule, element: p.element ?? null });

test("fd lists: ranges and numbers in, sorted ranges out; out-of-range and malformed lists are refused", () => {
  assert.deepEqual(parseFdList("3-5,100,7"), [3, 4, 5, 100, 7]);
  assert.deepEqual(parseFdList([9, 1]), [9, 1]);
  assert.deepEqual(parseFdList("-"), []);
  assert.equal(formatFdList(parseFdList("100-131,7,8,0-2")), "0-2,7-8,100-131");
  assert.equal(formatFdList([]), "-");
  for (const bad of ["1024", "5-3", "x", "1,,2", [-1], [1.5], "0-99999"])
    assert.throws(() => parseFdList(bad), TypeError, String(bad));
});

test("a description without fd fields assumes the default environment (eventfds 100-131, files 0-2)", () => {
  const env = fdEnvOf({ driver: "vfio-pci", irqs: [] });
  assert.equal(formatFdList(env.eventfds), DEFAULT_FD_ENV.eventfds);
  assert.equal(formatFdList(env.files), DEFAULT_FD_ENV.files);
  assert.equal(DEFAULT_KERNEL, KNOWN_KERNELS.at(-1));
  const closedWins = fdEnvOf({
    driver: "vfio-pci",
    irqs: [],
    fds: { eventfds: "10-12", files: "0-2,12", closed: "11,2" },
  });
  assert.deepEqual(closedWins, { eventfds: [10, 12], files: [0, 1], writable: [] });
  // writable files (what a libvfio-user trigger can write to) count as files; closed and eventfds win
  const writable = fdEnvOf({
    driver: "libvfio-user",
    irqs: [],
    fds: { eventfds: "10-12", files: "0-2", writable: "2,5,11,7", closed: "7" },
  });
  assert.deepEqual(writable, { eventfds: [10, 11, 12], files: [0, 1, 2, 5], writable: [2, 5] });
});

for (const kernel of KNOWN_KERNELS) {
  test(`${kernel}: renumbering fds with their environment changes no answer`, () => {
    const base = qemuDevice("e1000e", kernel);
    const qemuLike = { ...base, eventfds: undefined, openFds: undefined, fds: { eventfds: "20-51", files: "0-19" } };
    // default env: eventfd 100+i, file 1, closed 99; QEMU-like env: eventfd 20+i, file 3, closed 60
    const cases = [[100, 101], [100, 1], [100, 99], [99], [1], [-1, 100]];
    const map = (fd) => (fd >= 100 ? fd - 80 : fd === 1 ? 3 : fd === 99 ? 60 : fd);
    for (const fds of cases) {
      const a = answer(predictSetIrqs(base, enable(fds)));
      const b = answer(predictSetIrqs(qemuLike, enable(fds.map(map))));
      assert.deepEqual(b, a, `fds ${fds}`);
    }
  });
}

test("an environment change moves an fd to another kind; the failing payload element is named", () => {
  const m = new DeviceModel(qemuDevice("e1000e", "6.12"));
  const asEventfd = answer(predictSetIrqs(m, enable([100, 101])));
  const asFile = answer(predictSetIrqs(m, enable([100, 1])));
  const asClosed = answer(predictSetIrqs(m, enable([100, 99])));
  assert.equal(asFile.element, 1);
  assert.equal(asClosed.element, 1);
  assert.deepEqual(answer(predictSetIrqs(m, enable([100, 101]), { fds: { files: "101" } })), asFile);
  assert.deepEqual(answer(predictSetIrqs(m, enable([100, 101]), { fds: { closed: "101" } })), asClosed);
  assert.deepEqual(answer(predictSetIrqs(m, enable([100, 99]), { fds: { eventfds: "99" } })), asEventfd);
  // predictSetIrqs without commit leaves the model's environment as it was
  assert.deepEqual(m.fdEnv(), { eventfds: "100-131", files: "0-2" });
  m.setFds({ eventfds: "7", closed: "100-131" });
  assert.deepEqual(m.fdEnv(), { eventfds: "7", files: "0-2" });
  assert.equal(m.fdKind(7), "eventfd");
  assert.equal(m.fdKind(100), "closed");
  assert.deepEqual(answer(m.predict("VFIO_DEVICE_SET_IRQS", enable([7]))), asEventfd);
});

test('predict CLI: --kernel, --eventfds/--files defaults, per-request and standalone "fds" lines, "element" in answers', () => {
  const req = (fds) => JSON.stringify({ ioctl: "VFIO_DEVICE_SET_IRQS", hex: toHex(enable(fds)) });
  const input = [
    JSON.stringify({ device: "e1000e" }),
    req([20, 21]),
    req([20, 5]),
    JSON.stringify({ fds: { closed: "21" } }),
    req([20, 21]),
    JSON.stringify({ ioctl: "VFIO_DEVICE_SET_IRQS", hex: toHex(enable([20, 21])), fds: { eventfds: "21" } }),
  ].join("\n");
  const r = cli(["predict", "--kernel", "6.1", "--eventfds", "20-45", "--files", "0-19"], input);
  assert.equal(r.status, 0, r.stderr);
  const out = r.stdout
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l));
  // the same requests through the API, on the same device and environment
  const m = new DeviceModel({
    ...qemuDevice("e1000e", "6.1"),
    eventfds: undefined,
    openFds: undefined,
    fds: { eventfds: "20-45", files: "0-19" },
  });
  const want = [
    m.predict("VFIO_DEVICE_SET_IRQS", enable([20, 21])),
    m.predict("VFIO_DEVICE_SET_IRQS", enable([20, 5])),
  ];
  m.setFds({ closed: "21" });
  want.push(
    m.predict("VFIO_DEVICE_SET_IRQS", enable([20, 21])),
    m.predict("VFIO_DEVICE_SET_IRQS", enable([20, 21]), { fds: { eventfds: "21" } }),
  );
  assert.deepEqual(
    out.map((o) => [o.ret, o.errno, o.element ?? null]),
    want.map((p) => [p.ret, p.errno, p.element ?? null]),
  );
  assert.ok(
    out.some((o) => o.element === 1),
    "a failing fd is named",
  );
});

test("fuzz labels record the kernel and the fd environment they assume", () => {
  const dir = mkdtempSync(join(tmpdir(), "vfio-fz-"));
  const r = cli([
    "fuzz",
    "--struct",
    "vfio_irq_set",
    "--count",
    "2",
    "--seed",
    "3",
    "--out",
    dir,
    "--kernel",
    "6.1",
    "--eventfds",
    "20-45",
    "--files",
    "0-19",
  ]);
  assert.equal(r.status, 0, r.stderr);
  for (const f of readdirSync(dir).filter((x) => x.endsWith(".json"))) {
    const label = JSON.parse(readFileSync(join(dir, f), "utf8"));
    assert.equal(label.kernel, "6.1");
    assert.deepEqual(label.fds, { eventfds: "20-45", files: "0-19" });
    assert.match(label.reproduce, /--kernel 6\.1 --eventfds 20-45 --files 0-19/);
  }
});
