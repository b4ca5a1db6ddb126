// vfio-user framing: messages built with encodeMessage decode to what was put in and re-encode
// byte for byte; bad framing (truncated headers, msg_size lying either way, unknown commands, bad
// type bits, error replies, a wrong number of fds) gives typed errors that name the byte offset and
// the field. Field offsets come from the generated schema (checked against gcc on libvfio-user's
// include/vfio-user.h by the peer stage), never typed here.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import * as abi from "../../dist/bindings/index.js";

const S = abi.SCHEMA;
const off = (struct, field) => {
  const s = S.structs.find((x) => x.name === struct);
  return S.fields.slice(s.firstField, s.firstField + s.nfields).find((f) => f.path === field).offsets[0];
};
const MSG = "vfio_user_message";
const HDR = off(MSG, "body");
const bit = (set, name) => S.flagSets[set].bits.find((b) => b.name === name).value;
const typeValue = (name) => S.flagSets.vfio_user_header_flags.fields[0].values.find((v) => v.name === name).value;
const REPLY = typeValue("VFIO_USER_F_TYPE_REPLY");
const ERROR = bit("vfio_user_header_flags", "VFIO_USER_F_ERROR");
const NO_REPLY = bit("vfio_user_header_flags", "VFIO_USER_F_NO_REPLY");
const irq = (name) => bit("vfio_irq_set_flags", name);
const EVENTFD = irq("VFIO_IRQ_SET_DATA_EVENTFD"),
  BOOL = irq("VFIO_IRQ_SET_DATA_BOOL"),
  NONE = irq("VFIO_IRQ_SET_DATA_NONE");
const TRIGGER = irq("VFIO_IRQ_SET_ACTION_TRIGGER");
const MSIX = S.enums.vfio_pci_irq_index.values.find((v) => v.name === "VFIO_PCI_MSIX_IRQ_INDEX").value;
const EINVAL = 22;
const cmd = (name) => S.vfioUser.commands.find((c) => c.name === name).value;
const setU32 = (b, at, v) => new DataView(b.buffer, b.byteOffset).setUint32(at, v, true);
const setU16 = (b, at, v) => new DataView(b.buffer, b.byteOffset).setUint16(at, v, true);

function expectError(bytes, code, offset, field, opts = {}) {
  assert.throws(
    () => abi.decode(MSG, bytes, opts),
    (e) => {
      assert.ok(e instanceof abi.VfioAbiError, `typed error, got ${e}`);
      assert.equal(e.code, code, e.message);
      assert.equal(e.offset, offset, `offset (${e.message})`);
      assert.equal(e.field, field, `field (${e.message})`);
      assert.ok(e.partial && typeof e.partial === "object", "partial value attached");
      return true;
    },
  );
  const r = abi.inspect(MSG, bytes, opts);
  assert.equal(r.ok, false);
  assert.ok(r.diagnostics.some((d) => d.severity === "error" && d.code === code && d.offset === offset));
  return r;
}

/** One request and one reply of every command the codec models a body for. */
const samples = [
  {
    command: "VFIO_USER_VERSION",
    body: { major: 0, minor: 2, json: { capabilities: { max_msg_fds: 8, max_data_xfer_size: 1048576 } } },
  },
  {
    command: "VFIO_USER_VERSION",
    flags: REPLY,
    body: {
      major: 0,
      minor: 2,
      json: { capabilities: { max_msg_fds: 8, twin_socket: { supported: true, fd_index: 0 } } },
    },
  },
  { command: "VFIO_USER_DMA_MAP", body: { flags: 3, offset: 0n, addr: 0x100000n, size: 0x2000n } },
  { command: "VFIO_USER_DMA_MAP", flags: REPLY },
  { command: "VFIO_USER_DMA_UNMAP", body: { flags: 0, addr: 0x100000n, size: 0x2000n } },
  { command: "VFIO_USER_DMA_UNMAP", flags: REPLY, body: { flags: 0, addr: 0x100000n, size: 0x2000n } },
  { command: "VFIO_USER_DEVICE_GET_INFO", body: { argsz: 16 } },
  { command: "VFIO_USER_DEVICE_GET_INFO", flags: REPLY, body: { flags: 3, num_regions: 9, num_irqs: 5 } },
  { command: "VFIO_USER_DEVICE_GET_REGION_INFO", body: { argsz: 80, index: 2 } },
  {
    command: "VFIO_USER_DEVICE_GET_REGION_INFO",
    flags: REPLY,
    body: { argsz: 32, flags: 3, index: 2, size: 0x1000n, offset: 0n },
  },
  { command: "VFIO_USER_DEVICE_GET_IRQ_INFO", body: { index: MSIX } },
  { command: "VFIO_USER_DEVICE_GET_IRQ_INFO", flags: REPLY, body: { flags: 1, index: MSIX, count: 16 } },
  { command: "VFIO_USER_DEVICE_SET_IRQS", body: { flags: EVENTFD | TRIGGER, index: MSIX, start: 0, count: 4 }, fds: 4 },
  {
    command: "VFIO_USER_DEVICE_SET_IRQS",
    body: { flags: BOOL | TRIGGER, index: MSIX, start: 1, count: 3, data: [1, 0, 1] },
  },
  { command: "VFIO_USER_DEVICE_SET_IRQS", flags: REPLY },
  { command: "VFIO_USER_REGION_READ", body: { offset: 0x40n, region: 0, count: 4 } },
  {
    command: "VFIO_USER_REGION_READ",
    flags: REPLY,
    body: { offset: 0x40n, region: 0, data: Uint8Array.of(1, 2, 3, 4) },
  },
  { command: "VFIO_USER_REGION_WRITE", body: { offset: 0x40n, region: 0, data: Uint8Array.of(9, 8) } },
  { command: "VFIO_USER_REGION_WRITE", flags: REPLY, body: { offset: 0x40n, region: 0, count: 2 } },
  { command: "VFIO_USER_DEVICE_RESET" },
  { command: "VFIO_USER_DEVICE_RESET", flags: REPLY | NO_REPLY },
  { command: "VFIO_USER_DEVICE_GET_IRQ_INFO", flags: REPLY | ERROR, error_no: EINVAL },
];

for (const [i, m] of samples.entries()) {
  test(`round trip ${i}: ${m.command} ${m.flags & REPLY ? "reply" : "request"}`, () => {
    const bytes = abi.encodeMessage({ msg_id: 0x100 + i, ...m });
    const d = abi.decode(MSG, bytes, { fds: m.fds ?? 0 });
    assert.equal(d.msg_id, 0x100 + i);
    assert.equal(d.command, cmd(m.command));
    assert.equal(d.msg_size, bytes.length, "msg_size counts the header and the body");
    assert.equal(d.$.message.command, m.command);
    assert.equal(d.$.message.type, m.flags & REPLY ? "reply" : "command");
    for (const [k, v] of Object.entries(m.body ?? {})) if (k !== "json") assert.deepEqual(d.body[k], v, `body.${k}`);
    if (m.body?.json) assert.deepEqual(d.body.json, m.body.json);
    assert.deepEqual(abi.encode(MSG, d), bytes, "encode(decode(b)) == b");
    const j = JSON.parse(JSON.stringify(abi.toJSONValue(d)));
    assert.deepEqual(abi.encode(MSG, abi.fromJSONValue(MSG, j)), bytes, "JSON round trip");
  });
}

test("header fields sit at the schema's offsets; the body starts after the header", () => {
  const b = abi.encodeMessage({ msg_id: 0xbeef, command: "DEVICE_GET_IRQ_INFO", body: { index: MSIX } });
  const dv = new DataView(b.buffer);
  assert.equal(dv.getUint16(off(MSG, "msg_id"), true), 0xbeef);
  assert.equal(dv.getUint16(off(MSG, "command"), true), cmd("VFIO_USER_DEVICE_GET_IRQ_INFO"));
  assert.equal(dv.getUint32(off(MSG, "msg_size"), true), b.length);
  assert.equal(dv.getUint32(HDR + off("vfio_irq_info", "index"), true), MSIX);
  assert.equal(
    dv.getUint32(HDR + off("vfio_irq_info", "argsz"), true),
    S.structs.find((s) => s.name === "vfio_irq_info").size[0],
  );
  const big = abi.encodeMessage(
    { msg_id: 0xbeef, command: "DEVICE_GET_IRQ_INFO", body: { index: MSIX } },
    { endian: "big" },
  );
  assert.equal(
    new DataView(big.buffer).getUint16(off(MSG, "msg_id"), false),
    0xbeef,
    "host byte order: big-endian hosts",
  );
  assert.equal(abi.decode(MSG, big, { endian: "big" }).body.index, MSIX);
});

test("truncated header: every length below 16 names the field it ends in", () => {
  const full = abi.encodeMessage({ command: "DEVICE_RESET" });
  const fields = S.fields.filter((f) => f.struct === MSG && f.scalar);
  for (let n = 0; n < HDR; n++) {
    const cut = fields.find((f) => f.offsets[0] + f.size > n);
    const r = expectError(full.slice(0, n), "E_SHORT", cut.offsets[0], cut.path);
    assert.ok(r.error instanceof abi.TruncatedError);
  }
});

test("msg_size lying: below the header, beyond the bytes, and short of them", () => {
  const at = off(MSG, "msg_size");
  const b = abi.encodeMessage({ command: "DEVICE_GET_IRQ_INFO", body: { index: 0 } });
  for (const lie of [0, 1, HDR - 1]) {
    const x = b.slice();
    setU32(x, at, lie);
    const r = expectError(x, "E_MSG_SIZE_MIN", at, "msg_size");
    assert.ok(r.error instanceof abi.FramingError);
  }
  for (const lie of [b.length + 1, b.length + 4096, 0xffffffff]) {
    const x = b.slice();
    setU32(x, at, lie);
    expectError(x, "E_MSG_SIZE_OVER", at, "msg_size");
  }
  // shorter than the bytes: the message ends early, the rest is kept as a tail (maybe another message)
  const x = b.slice();
  setU32(x, at, HDR + 8);
  const r = expectError(x, "E_MSG_TRAILING", HDR + 8, "msg_size");
  const short = r.diagnostics.find((d) => d.code === "E_SHORT");
  assert.ok(short, "and the 8-byte body is too short for vfio_irq_info");
  assert.equal(short.field, "body.index");
  assert.equal(short.offset, HDR + off("vfio_irq_info", "index"));
  const two = new Uint8Array([...b, ...abi.encodeMessage({ msg_id: 2, command: "DEVICE_RESET" })]);
  const t = expectError(two, "E_MSG_TRAILING", b.length, "msg_size");
  assert.equal(t.value.body.index, 0, "the message itself still decodes");
  assert.equal(t.value.$.tail.length, HDR);
  const split = abi.splitMessages(two);
  assert.equal(split.messages.length, 2);
  assert.equal(split.rest.length, 0);
  assert.equal(abi.decode(MSG, split.messages[1]).msg_id, 2);
  assert.equal(
    abi.splitMessages(two.subarray(0, two.length - 3)).rest.length,
    HDR - 3,
    "an incomplete last message stays in rest",
  );
});

test("unknown commands and type bits", () => {
  const b = abi.encodeMessage({ command: "DEVICE_RESET" });
  const known = new Set(S.vfioUser.commands.map((c) => c.value));
  const unknown = [0, 14, 19, 0x100, 0xffff];
  for (const c of unknown) {
    assert.ok(!known.has(c));
    const x = b.slice();
    setU16(x, off(MSG, "command"), c);
    expectError(x, "E_MSG_COMMAND", off(MSG, "command"), "command");
  }
  for (const t of [2, 7, 0xf]) {
    const x = b.slice();
    setU32(x, off(MSG, "flags"), t);
    expectError(x, "E_MSG_TYPE", off(MSG, "flags"), "flags");
  }
  assert.throws(() => abi.encodeMessage({ command: "NO_SUCH_COMMAND" }), abi.UsageError);
});

test("error replies: errno named, no body expected; a body is reported", () => {
  const b = abi.encodeMessage({ msg_id: 9, command: "DEVICE_SET_IRQS", flags: REPLY | ERROR, error_no: EINVAL });
  assert.equal(b.length, HDR);
  const d = abi.decode(MSG, b);
  assert.equal(d.$.message.error, true);
  assert.equal(d.$.message.errno, "EINVAL");
  assert.equal(d.$.message.body, null);
  assert.equal(d.body, undefined);
  assert.equal(d.$.message.fds.expected, 0);
  // error bit with error_no 0 is allowed by the protocol
  assert.equal(abi.decode(MSG, abi.encodeMessage({ command: 8, flags: REPLY | ERROR })).$.message.errno, null);
  const withBody = abi.encodeMessage({
    command: "DEVICE_GET_IRQ_INFO",
    flags: REPLY | ERROR,
    error_no: EINVAL,
    body: new Uint8Array(16),
  });
  const r = abi.inspect(MSG, withBody);
  assert.equal(r.ok, true);
  assert.ok(r.diagnostics.some((x) => x.code === "ERROR_REPLY_BODY" && x.offset === HDR));
  assert.deepEqual(abi.encode(MSG, r.value), withBody);
  // the bits that only mean something in the other direction
  const odd = abi.inspect(MSG, abi.encodeMessage({ command: "DEVICE_RESET", flags: ERROR, error_no: 5 }));
  assert.ok(odd.diagnostics.some((x) => x.code === "ERROR_IN_COMMAND"));
  assert.ok(odd.diagnostics.some((x) => x.code === "ERROR_NO_IN_COMMAND"));
  const nobody = abi.inspect(MSG, abi.encodeMessage({ command: "DEVICE_RESET", body: new Uint8Array(4) }));
  assert.ok(nobody.diagnostics.some((x) => x.code === "UNEXPECTED_BODY"));
});

test("fds: what each message expects, and a wrong number is an error", () => {
  const setIrqs = (flags, count, extra = {}) =>
    abi.encodeMessage({ command: "DEVICE_SET_IRQS", body: { flags, index: MSIX, start: 0, count, ...extra } });
  const ev = setIrqs(EVENTFD | TRIGGER, 2);
  const e = abi.decode(MSG, ev).$.message.fds;
  assert.deepEqual([e.expected, e.orNone, e.upTo, e.any], [2, true, false, false]);
  for (const n of [0, 2]) assert.equal(abi.decode(MSG, ev, { fds: n }).$.message.fds.ok, true);
  for (const n of [1, 3, 253]) {
    const r = expectError(ev, "E_MSG_FDS", 0, "$fds", { fds: n });
    assert.ok(r.error instanceof abi.FramingError);
  }
  // DATA_NONE / DATA_BOOL take no fds
  expectError(setIrqs(NONE | TRIGGER, 1), "E_MSG_FDS", 0, "$fds", { fds: 1 });
  expectError(setIrqs(BOOL | TRIGGER, 1, { data: [1] }), "E_MSG_FDS", 0, "$fds", { fds: 1 });
  // DMA_MAP: an fd only for a mappable region; libvfio-user's MMAP / FILE_IO flags require it
  const map = (flags) => abi.encodeMessage({ command: "DMA_MAP", body: { flags, addr: 0n, size: 4096n } });
  assert.equal(abi.decode(MSG, map(3), { fds: 0 }).$.message.fds.ok, true);
  assert.equal(abi.decode(MSG, map(3), { fds: 1 }).$.message.fds.ok, true);
  expectError(map(3), "E_MSG_FDS", 0, "$fds", { fds: 2 });
  const mmap = bit("vfio_user_dma_map_flags", "VFIO_USER_F_DMA_REGION_MMAP");
  expectError(map(3 | mmap), "E_MSG_FDS", 0, "$fds", { fds: 0 });
  // VERSION requests carry none; the reply may carry the twin socket
  expectError(abi.encodeMessage({ command: "VERSION", body: { major: 0, minor: 0 } }), "E_MSG_FDS", 0, "$fds", {
    fds: 1,
  });
  assert.equal(
    abi.decode(MSG, abi.encodeMessage({ command: "VERSION", flags: REPLY, body: { major: 0, minor: 0 } }), { fds: 1 }).$
      .message.fds.ok,
    true,
  );
  // an error reply never carries fds
  expectError(
    abi.encodeMessage({ command: "DEVICE_GET_REGION_INFO", flags: REPLY | ERROR, error_no: EINVAL }),
    "E_MSG_FDS",
    0,
    "$fds",
    { fds: 1 },
  );
  assert.throws(
    () =>
      abi.encodeMessage({
        command: "DEVICE_SET_IRQS",
        body: { flags: EVENTFD | TRIGGER, index: MSIX, count: 1, data: [5] },
      }),
    /out of band/,
  );
});

test("body errors are named inside the message: offsets from the message start, fields under body.", () => {
  const set = abi.encodeMessage({
    command: "DEVICE_SET_IRQS",
    body: { argsz: 8, flags: NONE | TRIGGER, index: 0, count: 1 },
  });
  const r = expectError(set, "E_ARGSZ_MIN", HDR + off("vfio_irq_set", "argsz"), "body.argsz");
  assert.ok(r.error instanceof abi.ArgszError);
  // DATA_BOOL carries count bytes in band: fewer is an error
  const bool = abi.encodeMessage({
    command: "DEVICE_SET_IRQS",
    body: { flags: BOOL | TRIGGER, index: MSIX, count: 3, data: [1] },
  });
  expectError(bool, "E_PAYLOAD_SHORT", HDR + off("vfio_irq_set", "data"), "body.data");
  // a body shorter than its struct
  const short = abi.encodeMessage({ command: "DEVICE_GET_IRQ_INFO", body: new Uint8Array(8) });
  expectError(short, "E_SHORT", HDR + off("vfio_irq_info", "index"), "body.index");
  // region data: count says more than the message holds
  const rd = abi.encodeMessage({
    command: "REGION_READ",
    flags: REPLY,
    body: { offset: 0n, region: 0, count: 8, data: Uint8Array.of(1, 2) },
  });
  expectError(rd, "E_PAYLOAD_SHORT", HDR + off("vfio_user_region_access_data", "data"), "body.data");
  // request argsz is the reply size asked for: larger than the body is fine
  assert.equal(
    abi.decode(MSG, abi.encodeMessage({ command: "DEVICE_GET_REGION_INFO", body: { argsz: 4096, index: 0 } })).body
      .argsz,
    4096,
  );
});

test("a reply whose argsz is larger than its body asks to be called again", () => {
  const b = abi.encodeMessage({
    command: "DEVICE_GET_REGION_INFO",
    flags: REPLY,
    body: { argsz: 80, flags: 7, index: 1, size: 0x8000n, offset: 0n },
  });
  const r = abi.inspect(MSG, b);
  assert.equal(r.ok, true);
  assert.equal(r.status, abi.Status.NEEDS_ARGSZ);
  assert.equal(r.value.body.$.needsArgsz, 80);
  assert.ok(r.diagnostics.some((d) => d.code === "NEEDS_ARGSZ" && d.field === "body.argsz"));
});

test("VERSION data: NUL-terminated JSON, reported when it is not", () => {
  const raw = (s) =>
    abi.encodeMessage({ command: "VERSION", body: { major: 0, minor: 1, data: new TextEncoder().encode(s) } });
  assert.deepEqual(abi.decode(MSG, raw('{"capabilities":{}}\0')).body.json, { capabilities: {} });
  for (const bad of ['{"capabilities":{}}', "{nope\0"]) {
    const r = abi.inspect(MSG, raw(bad));
    assert.equal(r.ok, true);
    assert.ok(r.diagnostics.some((d) => d.code === "VERSION_JSON"));
    assert.equal(r.value.body.json, undefined);
  }
});

test("spans: header fields and body fields in message coordinates (for inspectors)", () => {
  const b = abi.encodeMessage({
    command: "DEVICE_SET_IRQS",
    body: { flags: BOOL | TRIGGER, index: MSIX, start: 0, count: 2, data: [1, 1] },
  });
  const r = abi.inspect(MSG, b);
  const node = (p) => r.nodes.find((n) => n.path === p);
  assert.equal(node("msg_size").offset, off(MSG, "msg_size"));
  assert.equal(node("body.count").offset, HDR + off("vfio_irq_set", "count"));
  assert.equal(node("body.data[1]").offset, HDR + off("vfio_irq_set", "data") + 1);
  assert.deepEqual(node("flags").names, ["VFIO_USER_F_TYPE_COMMAND"]);
  assert.deepEqual(node("command").names, ["VFIO_USER_DEVICE_SET_IRQS"]);
});

test("CLI: decode with --fds, encode from JSON, inspect-spans", () => {
  const bin = fileURLToPath(new URL("../../bin/vfio-abi.js", import.meta.url));
  const cli = (args, input) => spawnSync(process.execPath, [bin, ...args], { input, encoding: "utf8" });
  const hex = abi.toHex(
    abi.encodeMessage({
      msg_id: 3,
      command: "DEVICE_SET_IRQS",
      body: { flags: EVENTFD | TRIGGER, index: MSIX, count: 2 },
    }),
  );
  const ok = cli(["decode", "user_message", "--fds", "2", hex]);
  assert.equal(ok.status, 0, ok.stderr);
  const j = JSON.parse(ok.stdout);
  assert.equal(j.$.message.fds.expected, 2);
  assert.equal(j.body.count, 2);
  const bad = cli(["decode", "vfio_user_message", "--fds", "1", hex]);
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /E_MSG_FDS/);
  const enc = cli([
    "encode",
    "vfio_user_message",
    JSON.stringify({ msg_id: 3, command: 8, body: { flags: EVENTFD | TRIGGER, index: MSIX, count: 2 } }),
  ]);
  assert.equal(enc.status, 0, enc.stderr);
  assert.equal(enc.stdout.trim(), hex);
  const spans = cli(["inspect-spans", "vfio_user_message", hex.slice(0, 20)]);
  assert.equal(spans.status, 1);
  assert.ok(JSON.parse(spans.stdout).diagnostics.some((d) => d.code === "E_SHORT"));
});
