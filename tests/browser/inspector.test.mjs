// End-to-end: the inspector page served by `vfio-abi inspect`, driven in Debian's chromium.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as lib from "../../dist/bindings/index.js";
import { vectors, badVectors } from "../vectors/golden.mjs";
import {
  startServer,
  launch,
  openPage,
  shot,
  treeRows,
  selectedBytes,
  hexViewBytes,
  pickSample,
  pageState,
} from "./helpers.mjs";

let server, browser, url;
before(async () => {
  server = startServer();
  url = await server.url;
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

const vec = (n) => vectors.find((v) => v.name === n) ?? badVectors.find((v) => v.name === n);
const plain = (h) => h.replace(/\s+/g, "");
const row = (rows, path) => {
  const r = rows.find((x) => x.path === path);
  assert.ok(r, `tree has ${path}`);
  return r;
};

async function pasteHex(
  page,
  text,
  expect = plain(text)
    .replace(/0x|[:,]/g, "")
    .toLowerCase(),
) {
  await page.fill("#hex", text);
  await page.waitForFunction((h) => window.__inspector.hex() === h, expect);
}

test("pasting a SET_IRQS request (0x, colons, newlines) decodes it: values, flag names, per-field colours", async () => {
  const { page, problems } = await openPage(browser.ctx, url);
  assert.match(await page.textContent("#backend"), /WebAssembly/);
  await page.selectOption("#struct", "vfio_irq_set");
  // the golden bytes as a person might paste them
  await pasteHex(
    page,
    "0x20,0x00,0x00,0x00, 0x24,0x00,0x00,0x00\n02:00:00:00 00:00:00:00\n03000000 0a000000 ffffffff 0c000000",
  );
  assert.equal(await page.evaluate(() => window.__inspector.hex()), plain(vec("irq_set_msix_eventfd_3").hex));
  const rows = await treeRows(page);
  assert.equal(row(rows, "argsz").value, "32");
  assert.equal(row(rows, "flags").value, "36");
  assert.match(row(rows, "flags").text, /VFIO_IRQ_SET_DATA_EVENTFD \| VFIO_IRQ_SET_ACTION_TRIGGER/);
  assert.match(row(rows, "index").text, /VFIO_PCI_MSIX_IRQ_INDEX/);
  assert.equal(row(rows, "count").value, "3");
  assert.deepEqual(
    ["data[0]", "data[1]", "data[2]"].map((p) => row(rows, p).value),
    ["10", "-1", "12"],
  );
  assert.match(row(rows, "data[1]").text, /no eventfd/);
  // every byte belongs to a field and carries that field's colour
  const bytes = await page.$$eval("#hexview .b", (bs) =>
    bs.map((b) => ({ path: b.dataset.path, c: b.dataset.colour })),
  );
  assert.equal(bytes.length, 32);
  assert.deepEqual(
    bytes.slice(0, 4).map((b) => b.path),
    ["argsz", "argsz", "argsz", "argsz"],
  );
  assert.deepEqual(
    bytes.slice(20, 24).map((b) => b.path),
    Array(4).fill("data[0]"),
  );
  for (const b of bytes) assert.ok(b.c, `byte of ${b.path} is coloured`);
  assert.equal(bytes[0].c, row(rows, "argsz").colour, "hex byte and tree row share the colour");
  assert.notEqual(bytes[0].c, bytes[4].c, "argsz and flags differ");
  assert.match(await page.textContent("#diagnostics"), /No problems/);
  assert.match(await page.textContent("#guess"), /agrees: vfio_irq_set/);
  await shot(page, "01-irq-set-request");
  assert.deepEqual(
    problems.filter((p) => !/404/.test(p)),
    [],
  );
  await page.close();
});

test("clicking a node highlights its bytes; clicking a byte selects its node; arrow keys move", async () => {
  const { page } = await openPage(browser.ctx, url);
  await pickSample(page, "region_info_sparse_mmap");
  await page.click('#tree .node[data-path="caps[0].nr_areas"]');
  assert.deepEqual(await selectedBytes(page), [40, 41, 42, 43]);
  await page.click('#tree .node[data-path="caps[0]"]');
  assert.deepEqual(
    await selectedBytes(page),
    Array.from({ length: 48 }, (_, i) => 32 + i),
  );
  // a byte inside the second sparse area's size (0x48..0x4f)
  await page.click('#hexview .b[data-off="74"]');
  let rows = await treeRows(page);
  assert.equal(rows.find((r) => r.selected)?.path, "caps[0].areas[1].size");
  assert.deepEqual(await selectedBytes(page), [72, 73, 74, 75, 76, 77, 78, 79]);
  assert.match(await page.textContent("#details"), /caps\[0\]\.areas\[1\]\.size/);
  // keyboard: tree up/down, hex arrows
  await page.focus("#tree");
  await page.keyboard.press("ArrowUp");
  rows = await treeRows(page);
  assert.equal(rows.find((r) => r.selected)?.path, "caps[0].areas[1].offset");
  await page.keyboard.press("Home");
  assert.equal((await treeRows(page)).find((r) => r.selected)?.path, "");
  await page.keyboard.press("ArrowDown");
  assert.equal((await treeRows(page)).find((r) => r.selected)?.path, "argsz");
  await page.focus("#hexview");
  await page.keyboard.press("ArrowDown"); // byte 0 -> byte 16: size
  assert.equal((await treeRows(page)).find((r) => r.selected)?.path, "size");
  assert.deepEqual(await selectedBytes(page), [16, 17, 18, 19, 20, 21, 22, 23]);
  // the reply reads in plain words: capability name, areas, flag names
  const text = await page.textContent("#tree");
  assert.match(text, /capability #1: VFIO_REGION_INFO_CAP_SPARSE_MMAP/);
  assert.match(text, /VFIO_REGION_INFO_FLAG_CAPS/);
  assert.equal(row(rows, "caps[0].areas[0].offset").value, "8192");
  await page.click('#tree .node[data-path="caps[0]"]');
  await shot(page, "02-region-info-capability-chain");
  await page.close();
});

test("editing a field re-encodes the bytes at once; argsz follows the payload; copy as hex, C and JSON", async () => {
  const { page } = await openPage(browser.ctx, url);
  await pickSample(page, "irq_set_msix_eventfd_3");
  await page.dblclick('#tree .node[data-path="count"]');
  await page.fill("#tree input.edit", "2");
  await page.keyboard.press("Enter");
  await page.waitForFunction(() => window.__inspector.hex().startsWith("1c"));
  // argsz 32 -> 28, count 3 -> 2, the third eventfd dropped
  assert.equal(
    await page.evaluate(() => window.__inspector.hex()),
    plain("1c000000 24000000 02000000 00000000 02000000 0a000000 ffffffff"),
  );
  assert.equal(await hexViewBytes(page), plain("1c000000 24000000 02000000 00000000 02000000 0a000000 ffffffff"));
  // an eventfd, via keyboard: select data[1], Enter, type, Enter
  await page.click('#tree .node[data-path="data[1]"]');
  await page.keyboard.press("Enter");
  await page.fill("#tree input.edit", "0x2a");
  await page.keyboard.press("Enter");
  await page.waitForFunction(() => window.__inspector.hex().endsWith("2a000000"));
  assert.equal(row(await treeRows(page), "data[1]").value, "42");
  // a flag bit, via the bit toggles: ACTION_TRIGGER -> also MASK (two actions)
  await page.click('#tree .node[data-path="flags"]');
  await page.check('#details input[data-bit="8"]');
  await page.waitForFunction(() => window.__inspector.hex().slice(8, 16) === "2c000000");
  // argsz edited by hand is kept even when inconsistent; the problem is reported
  await page.dblclick('#tree .node[data-path="argsz"]');
  await page.fill("#tree input.edit", "16");
  await page.keyboard.press("Enter");
  await page.waitForFunction(() => window.__inspector.hex().startsWith("10000000"));
  assert.match(await page.textContent("#diagnostics"), /argsz 16 below minsz 20/);
  // a value that does not fit is refused with a message, bytes unchanged
  const before = await page.evaluate(() => window.__inspector.hex());
  await page.dblclick('#tree .node[data-path="index"]');
  await page.fill("#tree input.edit", "0x1ffffffff");
  await page.keyboard.press("Enter");
  assert.match(await page.textContent("#edit-error"), /does not fit|is outside/);
  assert.equal(await page.evaluate(() => window.__inspector.hex()), before);
  await shot(page, "14-edit-refused");

  await pickSample(page, "kernel_set_irqs_msix_enable_3");
  assert.equal(await page.isVisible("#export"), false, "no export box before the first export");
  await page.click("#copy-hex");
  assert.equal(plain(await page.inputValue("#export")), plain(vec("kernel_set_irqs_msix_enable_3").hex));
  await page.click("#copy-c");
  const c = await page.inputValue("#export");
  assert.match(c, /unsigned char buf\[32\]/);
  assert.match(c, /0x20, 0x00, 0x00, 0x00,\s+\/\* 0x00 argsz = 32 \*\//);
  assert.match(c, /0x68, 0x00, 0x00, 0x00,\s+\/\* 0x14 data\[0\] = 104 \*\//);
  const cBytes = [...c.matchAll(/0x([0-9a-f]{2})(?=,)/g)].map((m) => m[1]).join("");
  assert.equal(cBytes, plain(vec("kernel_set_irqs_msix_enable_3").hex));
  await page.click("#copy-json");
  const j = JSON.parse(await page.inputValue("#export"));
  assert.equal(j.argsz, 32);
  assert.equal(j.flags, 0x24);
  assert.deepEqual(j.data, [104, 105, 106]);
  await shot(page, "03-edited-and-exported");
  await page.close();
});

const noteSays = (page, text) =>
  page.waitForFunction((t) => document.getElementById("input-note").textContent.includes(t), text);

test("the hex box reads the page's own exports (C initialiser, JSON) and tool dumps, and says which format it read", async () => {
  const { page } = await openPage(browser.ctx, url);
  await pickSample(page, "region_info_sparse_mmap");
  const want = plain(vec("region_info_sparse_mmap").hex);
  for (const button of ["#copy-c", "#copy-json"]) {
    await page.click(button);
    const text = await page.inputValue("#export");
    await page.fill("#hex", "");
    await pasteHex(page, text, want);
    await noteSays(page, button === "#copy-c" ? "a C initialiser: 80 bytes" : "JSON, encoded as the struct: 80 bytes");
  }
  // hexdump -C output of the same bytes, with its final offset line: 80 bytes, not 84
  const hd = spawnSync("hexdump", ["-C"], { input: Buffer.from(want, "hex"), encoding: "utf8" }).stdout;
  assert.match(hd, /\n00000050\n$/);
  await page.fill("#hex", "");
  await pasteHex(page, hd, want);
  await noteSays(page, "hexdump -C output: 80 bytes");
  await shot(page, "17-dump-format-read");
  // an unreadable paste keeps the bytes and says why
  await page.fill("#hex", "0x20000000");
  await page.waitForSelector("#input-error:not([hidden])");
  assert.match(await page.textContent("#input-error"), /is a number, not bytes/);
  assert.equal(await page.evaluate(() => window.__inspector.hex()), want);
  await shot(page, "18-unreadable-paste");
  await page.close();
});

test("a broken capability chain shows its diagnostic with a byte range, the partial tree and the failing span", async () => {
  const { page } = await openPage(browser.ctx, url);
  await pickSample(page, "cap_backwards");
  const diags = await page.$$eval("#diagnostics li", (ls) =>
    ls.map((l) => ({ cls: l.className, text: l.textContent, off: l.dataset.offset, size: l.dataset.size })),
  );
  const d = diags.find((x) => x.cls === "error");
  assert.ok(d, "an error diagnostic");
  assert.match(d.text, /next at 0x34 points backwards to 0x24/);
  assert.match(d.text, /bytes 0x34–0x37/);
  const rows = await treeRows(page);
  // everything that decoded is there: header fields, the padding, both capabilities
  for (const p of [
    "argsz",
    "flags",
    "cap_offset",
    "offset",
    "caps[0]",
    "caps[0].header.next",
    "caps[1]",
    "caps[1].header.next",
  ])
    row(rows, p);
  assert.equal(row(rows, "caps[0].header.next").value, "48");
  assert.ok(row(rows, "caps[1].header.next").bad, "the failing field is marked");
  assert.ok(rows.some((r) => r.kind === "error" && /points backwards/.test(r.text)));
  assert.ok(rows.some((r) => r.kind === "gap"));
  const err = await page.$$eval("#hexview .b.err", (bs) => bs.map((b) => Number(b.dataset.off)));
  assert.deepEqual(err, [52, 53, 54, 55]);
  // clicking the diagnostic selects the failing field
  await page.click("#diagnostics li.error");
  assert.equal((await treeRows(page)).find((r) => r.selected)?.path, "caps[1].header.next");
  await shot(page, "04-broken-chain");
  // repair the chain in the tree: next = 0 ends it
  await page.dblclick('#tree .node[data-path="caps[1].header.next"]');
  await page.fill("#tree input.edit", "0");
  await page.keyboard.press("Enter");
  await page.waitForFunction(() => document.querySelector("#diagnostics li.ok"));
  assert.match(await page.evaluate(() => window.__inspector.hex()), /00000000$/);

  // another broken input from the samples: argsz below minsz
  await pickSample(page, "argsz_below_minsz");
  assert.match(await page.textContent("#diagnostics"), /argsz 16 below minsz 20/);
  await page.close();
});

test("the URL fragment holds bytes, struct, profile and selection; opening the link restores them", async () => {
  const { page } = await openPage(browser.ctx, url);
  await pickSample(page, "type1_info_packed_6.1");
  assert.equal(await page.inputValue("#kernel"), "6.1");
  await page.click('#tree .node[data-path="caps[1].avail"]');
  const link = page.url();
  assert.match(link, /#.*k=6\.1/);
  assert.match(link, /f=caps%5B1%5D\.avail/);
  await page.close();
  const { page: p2 } = await openPage(browser.ctx, link);
  assert.equal(await p2.evaluate(() => window.__inspector.hex()), plain(vec("type1_info_packed_6.1").hex));
  assert.equal(await p2.inputValue("#struct"), "vfio_iommu_type1_info");
  assert.equal(await p2.inputValue("#kernel"), "6.1");
  const rows = await treeRows(p2);
  assert.equal(rows.find((r) => r.selected)?.path, "caps[1].avail");
  assert.equal(row(rows, "caps[1].avail").value, "65535");
  assert.deepEqual(await selectedBytes(p2), [64, 65, 66, 67]);
  // a big-endian link (s390x) restores the byte order too; "k=6.6" of older links is the 6.6+ layout
  const s390 = vec("gcc_ref_irq_set_2fd_s390x");
  await p2.goto(`${url}#s=vfio_irq_set&b=${plain(s390.hex)}&a=s390x&e=big&m=lp64&k=6.6`);
  await p2.waitForFunction(() => document.querySelector('#tree .node[data-path="data[0]"]'));
  assert.equal(row(await treeRows(p2), "data[0]").value, String(0x11223344));
  assert.equal(await p2.inputValue("#endian"), "big");
  assert.equal(await p2.inputValue("#kernel"), "6.12");
  assert.match(await p2.textContent("#layout-note"), /6\.6 and later/);
  await shot(p2, "19-s390x-big-endian");
  await p2.close();
});

test("struct by ioctl name or number, a guess from argsz and size, and opening a binary file", async () => {
  const { page } = await openPage(browser.ctx, url);
  await page.fill("#ioctl", "0x3b6c");
  await page.press("#ioctl", "Enter");
  assert.equal(await page.inputValue("#struct"), "vfio_region_info");
  assert.match(await page.textContent("#ioctl-info"), /VFIO_DEVICE_GET_REGION_INFO = 0x3b6c/);
  await page.fill("#ioctl", "DEVICE_GET_IRQ_INFO");
  await page.press("#ioctl", "Enter");
  assert.equal(await page.inputValue("#struct"), "vfio_irq_info");
  // bytes of a region-info reply while the struct says irq_info: the guess names the right one
  const v = vec("kernel_region3_argsz40");
  await pasteHex(page, v.hex);
  assert.match(await page.textContent("#guess"), /vfio_region_info/);
  await page.click("#use-guess");
  assert.equal(await page.inputValue("#struct"), "vfio_region_info");
  assert.match(await page.textContent("#tree"), /VFIO_REGION_INFO_CAP_MSIX_MAPPABLE/);
  // needs argsz reply explained
  await pickSample(page, "kernel_region3_argsz32");
  assert.match(await page.textContent("#diagnostics"), /call again with argsz 40/);
  // open a file (xxd-less binary)
  const bin = Buffer.from(plain(vec("kernel_irq_info_xhci_msi16").hex), "hex");
  await page.setInputFiles("#file", { name: "reply.bin", mimeType: "application/octet-stream", buffer: bin });
  await page.waitForFunction((h) => window.__inspector.hex() === h, bin.toString("hex"));
  assert.equal(await page.inputValue("#struct"), "vfio_irq_info");
  assert.equal(row(await treeRows(page), "count").value, "16");
  // xxd-style paste
  await pasteHex(
    page,
    "00000000: 1000 0000 0900 0000 0100 0000 1000 0000  ................",
    "10000000090000000100000010000000",
  );
  assert.equal(row(await treeRows(page), "index").value, "1");
  await page.close();
});

test("every bundled sample decodes in the page the way the codec says (status and error code)", async () => {
  const { page } = await openPage(browser.ctx, url);
  const values = await page.$$eval("#sample option", (os) => os.map((o) => o.value).filter(Boolean));
  const names = values.filter((v) => !v.startsWith("blank:"));
  assert.deepEqual(names.sort(), [...vectors, ...badVectors].map((v) => v.name).sort());
  for (const b of badVectors) {
    await pickSample(page, b.name);
    const codes = await page.$$eval("#diagnostics li.error:not(.verdict-problem)", (ls) =>
      ls.map((l) => l.dataset.code),
    );
    assert.deepEqual(codes, [b.code], b.name);
  }
  for (const v of vectors) {
    await pickSample(page, v.name);
    assert.equal(await page.$$eval("#diagnostics li.error:not(.verdict-problem)", (ls) => ls.length), 0, v.name);
    assert.equal(await page.evaluate(() => window.__inspector.hex()), plain(v.hex), v.name);
  }
  await page.close();
});

test("the struct list, the samples and the ioctl list come from the schema: every struct, a blank of each, every ioctl", async () => {
  const { page } = await openPage(browser.ctx, url);
  const structs = await page.$$eval("#struct option", (os) => os.map((o) => o.value));
  assert.deepEqual(structs.sort(), lib.SCHEMA.structs.map((s) => s.name).sort());
  const groups = await page.$$eval("#struct optgroup", (gs) => gs.map((g) => g.label));
  assert.ok(groups.includes("vfio-user messages"), groups.join());
  const blanks = await page.$$eval("#sample option", (os) =>
    os.map((o) => o.value).filter((v) => v.startsWith("blank:")),
  );
  assert.deepEqual(blanks.sort(), lib.SCHEMA.structs.map((s) => `blank:${s.name}`).sort());
  const ioctls = await page.$$eval("#ioctl-list option", (os) => os.map((o) => o.value));
  assert.deepEqual(ioctls.sort(), lib.SCHEMA.ioctls.map((i) => i.name).sort());
  // every blank buffer decodes cleanly as its struct (and a vfio-user message as a message)
  for (const s of lib.SCHEMA.structs) {
    await pickSample(page, `blank:${s.name}`);
    const st = await pageState(page);
    assert.equal(st.struct, s.name);
    assert.equal(await page.$$eval("#diagnostics li.error:not(.verdict-problem)", (ls) => ls.length), 0, s.name);
    assert.ok(st.bytes.length > 0, s.name);
  }
  await pickSample(page, "blank:vfio_user_message");
  assert.ok(
    (await treeRows(page)).some((r) => r.path.startsWith("body.")),
    "the message body is decoded",
  );
  await shot(page, "15-vfio-user-message-blank");
  await page.close();
});
