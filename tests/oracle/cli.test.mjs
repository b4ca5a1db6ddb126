// `vfio-abi predict` and `vfio-abi topology`.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const bin = fileURLToPath(new URL("../../bin/vfio-abi.js", import.meta.url));
const cli = (args, input) => spawnSync(process.execPath, [bin, ...args], { input, encoding: "utf8" });

test("predict: device lines, SET_IRQS sequence, INFO replies, new device resets state", () => {
  const lines = [
    {
      device: {
        driver: "vfio-pci",
        kernel: "6.1",
        irqs: [
          { index: 0, count: 1, flags: 7 },
          { index: 1, count: 1, flags: 9 },
          { index: 2, count: 5, flags: 9 },
          { index: 3, count: 1, flags: 9 },
          { index: 4, count: 1, flags: 9 },
        ],
        eventfds: [100, 101, 102],
        openFds: [0, 1, 2],
      },
    },
    { ioctl: "VFIO_DEVICE_SET_IRQS", hex: "2000000024000000020000000000000003000000640000006500000066000000" },
    { ioctl: "VFIO_DEVICE_SET_IRQS", hex: "1c00000024000000020000000000000002000000640000006500000066000000" },
    { ioctl: "VFIO_DEVICE_SET_IRQS", hex: "180000002400000002000000000000000100000067000000" },
    { ioctl: "VFIO_DEVICE_SET_IRQS", hex: "1400000021000000020000000000000000000000" },
    { ioctl: "VFIO_DEVICE_SET_IRQS", hex: "1400000021000000020000000000000000000000" },
    { device: "e1000e@6.12" },
    { ioctl: "VFIO_DEVICE_GET_IRQ_INFO", hex: "10000000000000000200000000000000" },
    { ioctl: "VFIO_DEVICE_GET_REGION_INFO", hex: "2000000000000000030000000000000000000000000000000000000000000000" },
    { ioctl: "VFIO_DEVICE_RESET" },
    { ioctl: "VFIO_DEVICE_SET_IRQS", hex: "14000000090000000100000000000000" + "01000000" },
  ];
  const r = cli(["predict"], `${lines.map((l) => JSON.stringify(l)).join("\n")}\n`);
  assert.equal(r.status, 0, r.stderr);
  const out = r.stdout
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l));
  assert.equal(out.length, 9);
  assert.deepEqual(out[0], { ret: 0, errno: null });
  assert.deepEqual(out[1], { ret: 0, errno: null }); // shrink within the enabled set
  assert.equal(out[2].errno, "EBADF"); // fd 103 is not in eventfds/openFds
  assert.deepEqual(out[3], { ret: 0, errno: null });
  assert.equal(out[4].errno, "EINVAL");
  assert.match(out[4].reason, /enabled/);
  assert.equal(out[5].reply, "10000000010000000200000005000000");
  assert.equal(out[6].reply.slice(0, 16), "280000000f000000");
  assert.deepEqual(out[7], { ret: 0, errno: null });
  assert.equal(out[8].errno, "ENOTTY");
});

test("predict --describe prints a shipped description that predict accepts back", () => {
  const d = cli(["predict", "--describe", "xhci@6.12"]);
  assert.equal(d.status, 0, d.stderr);
  const dev = JSON.parse(d.stdout).device;
  assert.deepEqual(
    dev.irqs.map((q) => [q.count, q.flags]),
    [
      [1, 7],
      [16, 9],
      [16, 1],
      [1, 9],
      [1, 9],
    ],
  );
  const r = cli(
    ["predict"],
    `${d.stdout + JSON.stringify({ ioctl: "VFIO_DEVICE_GET_INFO", hex: `18${"00".repeat(23)}` })}\n`,
  );
  assert.equal(JSON.parse(r.stdout).reply, "180000000200000009000000050000000000000000000000");
});

test("predict: bad lines give an error line and exit 1", () => {
  const r = cli(["predict"], '{"ioctl":"VFIO_DEVICE_SET_IRQS","hex":"00"}\nnot json\n');
  assert.equal(r.status, 1);
  assert.equal(r.stdout.trim().split("\n").length, 2);
  assert.ok(JSON.parse(r.stdout.split("\n")[0]).error);
});

test("topology: preset table, --json, device lines on stdin", () => {
  const t = cli(["topology", "virtio-rng@6.12"]);
  assert.equal(t.status, 0, t.stderr);
  assert.match(t.stdout, /MSIX\s+2\s+0x1/);
  const j = JSON.parse(cli(["topology", "e1000e", "--kernel", "6.1", "--json"]).stdout);
  assert.deepEqual(
    j.rows.map((r) => r.label),
    ["INTX", "MSI", "MSIX", "ERR", "REQ"],
  );
  const s = cli(
    ["topology", "--json", "--proposal", "platform-msi-v2"],
    `${JSON.stringify({
      device: {
        driver: "vfio-platform",
        irqs: [
          { index: 0, count: 1, flags: 1 },
          { index: 1, count: 4, flags: 9 },
        ],
      },
    })}\n`,
  );
  const tj = JSON.parse(s.stdout);
  assert.equal(tj.ambiguous, true);
  assert.equal(tj.rows[1].label, "MSI?");
});
