// The kernel verdict in the page: an explicit fd environment, a kernel selector that also picks
// the layout, the failing element and field marked in the tree and the hex view, and the verdict
// among the problems. What the page must say is what the oracle says (node, same inputs); the
// oracle itself is checked against real kernels by the kernel stage.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import * as lib from "../../dist/bindings/index.js";
import * as oracle from "../../dist/bindings/oracle/index.js";
import { vectors } from "../vectors/golden.mjs";
import { launch, openPage, pageState, pickSample, shot, startServer, treeRows } from "./helpers.mjs";

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

const KERNELS = ["6.1", "6.12", "7.2", "7.3"];
const vec = (n) => vectors.find((v) => v.name === n);
const bytesOf = (hex) => Uint8Array.from(Buffer.from(hex.replace(/\s+/g, ""), "hex"));
const { VFIO_IRQ_SET_ACTION_TRIGGER, VFIO_IRQ_SET_DATA_EVENTFD, VFIO_PCI_ERR_IRQ_INDEX } = lib;

/**
 * The device the page describes for vfio-pci with these vectors per index (what the panel says it
 * uses): vfio-pci's GET_IRQ_INFO flags, the helper the shipped QEMU descriptions are built with
 * (the kernel stage checks those against real kernels' replies).
 */
function pciDevice(counts, kernel, fds) {
  return { driver: "vfio-pci", kernel, irqs: oracle.vfioPciIrqs(counts, kernel), fds };
}

test("vfio-pci's GET_IRQ_INFO flags in the described device are the ones real 6.1 and 6.12 kernels replied", () => {
  const flagsOf = (name) => lib.decode("vfio_irq_info", bytesOf(vec(name).hex));
  const cases = [
    ["kernel_irq_info_edu_intx", "6.1", [1, 1, 0, 0, 1]],
    ["kernel_irq_info_xhci_msi16", "6.1", [1, 16, 16, 1, 1]],
    ["kernel_irq_info_e1000e_msix_6.1", "6.1", [1, 1, 5, 1, 1]],
    ["kernel_irq_info_e1000e_msix_6.12", "6.12", [1, 1, 5, 1, 1]],
  ];
  for (const [name, kernel, counts] of cases) {
    const reply = flagsOf(name);
    const irq = pciDevice(counts, kernel).irqs[reply.index];
    assert.deepEqual([irq.count, irq.flags], [reply.count, reply.flags], name);
  }
});

const verdictOf = (page) =>
  page.evaluate(() => {
    const p = document.getElementById("v-result");
    return { state: p.dataset.state, text: p.textContent };
  });

async function setInput(page, id, value) {
  await page.fill(id, value);
  await page.press(id, "Tab");
}

test("the verdict runs in an explicit fd environment and marks the failing element in the tree, the hex view and the problems", async () => {
  const { page } = await openPage(browser.ctx, url);
  const v = vec("irq_set_msix_eventfd_3"); // data = [10, -1, 12]
  await pickSample(page, v.name);
  // the default environment: every fd from 3 on is an open eventfd
  let want = lib.predictSetIrqs(
    pciDevice([1, 1, 5, 1, 1], "7.3", { eventfds: "3-1023", files: "0-2" }),
    bytesOf(v.hex),
  );
  assert.equal(want.errno, null);
  assert.equal((await verdictOf(page)).state, "pass");
  assert.match(await page.textContent("#diagnostics"), /No problems.*The kernel would accept it/);
  await shot(page, "07-kernel-verdict-accepted");

  // fd 12 is an open file but not an eventfd: the kernel refuses data[2]
  await setInput(page, "#v-eventfds", "10");
  await setInput(page, "#v-files", "0-2,12");
  want = lib.predictSetIrqs(pciDevice([1, 1, 5, 1, 1], "7.3", { eventfds: "10", files: "0-2,12" }), bytesOf(v.hex));
  assert.equal(want.rule, "FD_NOT_EVENTFD");
  assert.equal(want.element, 2);
  const got = await verdictOf(page);
  assert.equal(got.state, "fail");
  assert.match(
    got.text,
    new RegExp(`errno ${want.errno} .*Rule that fails: ${want.rule} at payload element data\\[2\\]`),
  );
  const rows = await treeRows(page);
  assert.deepEqual(
    rows.filter((r) => r.rejected).map((r) => r.path),
    ["data[2]"],
  );
  const marked = await page.$$eval("#hexview .b.rejected", (bs) => bs.map((b) => Number(b.dataset.off)));
  const at = lib.O_VFIO_IRQ_SET__DATA + 2 * 4;
  assert.deepEqual(marked, [at, at + 1, at + 2, at + 3]);
  const problems = await page.$$eval("#diagnostics li", (ls) =>
    ls.map((l) => ({ cls: l.className, text: l.textContent })),
  );
  assert.ok(
    problems.some((p) => /verdict-problem/.test(p.cls) && p.text.includes(`${want.rule} at payload element data[2]`)),
    JSON.stringify(problems),
  );
  assert.ok(!problems.some((p) => /No problems/.test(p.text)), "no 'No problems' next to a rejection");
  assert.match(await page.textContent("#legend"), /red frame: what the kernel would reject/);
  // clicking the verdict among the problems selects the element it names
  await page.click("#diagnostics li.verdict-problem");
  assert.equal((await treeRows(page)).find((r) => r.selected)?.path, "data[2]");
  await shot(page, "06-kernel-verdict-rejected");

  // the environment is part of the link
  const st = await pageState(page);
  assert.match(st.fragment, /ve=10/);
  assert.match(st.fragment, /vf=0-2%2C12/);
  const { page: p2 } = await openPage(browser.ctx, page.url());
  assert.equal(await p2.inputValue("#v-eventfds"), "10");
  assert.equal((await verdictOf(p2)).state, "fail");
  await p2.close();

  // nothing open: the first eventfd is a closed fd (EBADF at data[0])
  await setInput(page, "#v-eventfds", "-");
  await setInput(page, "#v-files", "-");
  want = lib.predictSetIrqs(pciDevice([1, 1, 5, 1, 1], "7.3", { eventfds: "-", files: "-" }), bytesOf(v.hex));
  assert.match(
    (await verdictOf(page)).text,
    new RegExp(`errno ${want.errno} .*${want.rule} at payload element data\\[${want.element}\\]`),
  );
  assert.deepEqual(
    (await treeRows(page)).filter((r) => r.rejected).map((r) => r.path),
    [`data[${want.element}]`],
  );
  // a list that is not a list says so instead of judging
  await setInput(page, "#v-eventfds", "ten");
  const bad = await verdictOf(page);
  assert.equal(bad.state, "unavailable");
  assert.match(await page.textContent("#diagnostics"), /No kernel verdict: .*fd list/);
  await shot(page, "20-verdict-unavailable");
  assert.match(bad.text, /No verdict: .*fd list/);
  await page.close();
});

test("a kernel selector (6.1, 6.12, 7.2, 7.3, the newest by default) drives both the verdict and the layout", async () => {
  const { page } = await openPage(browser.ctx, url);
  for (const id of ["#kernel", "#v-kernel"]) {
    const opts = await page.$$eval(`${id} option`, (os) => os.map((o) => o.value));
    assert.deepEqual([...opts].sort(), [...KERNELS].sort(), id);
    assert.equal(await page.inputValue(id), "7.3", `${id} defaults to the newest`);
  }
  assert.equal(oracle.DEFAULT_KERNEL, "7.3");
  // the page's default kernel picks the layout the CLI decodes with when given no --epoch
  assert.equal(lib.resolveProfile({ epoch: oracle.DEFAULT_KERNEL }).word, lib.resolveProfile({}).word);
  // an ERR trigger with eventfd -2: 6.1 ignored it, the 6.5+ rules refuse it (FD_BELOW)
  const req = lib.encode("vfio_irq_set", {
    flags: VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER,
    index: VFIO_PCI_ERR_IRQ_INDEX,
    start: 0,
    count: 1,
    data: [-2],
  });
  await page.goto(`${url}#s=vfio_irq_set&b=${lib.toHex(req)}`);
  await page.waitForFunction(() => document.querySelector("#v-result").dataset.state);
  const answers = {};
  for (const k of KERNELS) {
    await page.selectOption("#v-kernel", k);
    assert.equal(await page.inputValue("#kernel"), k, "one kernel for the page");
    const want = lib.predictSetIrqs(pciDevice([1, 1, 5, 1, 1], k, { eventfds: "3-1023", files: "0-2" }), req);
    const got = await verdictOf(page);
    answers[k] = want.errno ?? "ok";
    assert.equal(got.state, want.errno ? "fail" : "pass", `${k}: ${got.text}`);
    assert.match(got.text, new RegExp(`Linux ${k.replace(".", "\\.")}`));
    if (want.errno) assert.match(got.text, new RegExp(`errno ${want.errno} .*${want.rule}`));
    const layout = await page.textContent("#layout-note");
    assert.match(
      layout,
      k === "6.1" ? /6\.1–6\.5: capabilities packed/ : /6\.6 and later: capabilities 8-byte aligned/,
    );
  }
  assert.notEqual(answers["6.1"], answers["7.3"], JSON.stringify(answers));
  assert.match(page.url(), /k=7\.3/);
  // a sample recorded on 6.1 selects that kernel
  await pickSample(page, "type1_info_packed_6.1");
  assert.equal(await page.inputValue("#kernel"), "6.1");
  await shot(page, "21-kernel-6.1-packed-layout");
  await page.close();
});

test("a QEMU device preset replaces the described device and keeps the fd environment", async () => {
  const { page } = await openPage(browser.ctx, url);
  await pickSample(page, "kernel_set_irqs_msix_enable_3");
  await page.selectOption("#v-device", "edu");
  assert.equal(await page.isDisabled("#v-counts"), true);
  assert.equal(await page.isDisabled("#v-driver"), true);
  const dev = { ...lib.qemuDevice("edu", "7.3"), fds: { eventfds: "3-1023", files: "0-2" } };
  // the disabled inputs show the preset's driver and vectors, not the described device's
  assert.equal(await page.inputValue("#v-counts"), dev.irqs.map((i) => i.count).join(","));
  assert.equal(await page.inputValue("#v-driver"), dev.driver);
  const want = lib.predictSetIrqs(dev, bytesOf(vec("kernel_set_irqs_msix_enable_3").hex));
  const got = await verdictOf(page);
  assert.equal(got.state, want.errno ? "fail" : "pass");
  assert.match(got.text, /edu \(QEMU\)/);
  if (want.errno) assert.match(got.text, new RegExp(`errno ${want.errno} .*${want.rule}`));
  assert.match(page.url(), /vd=edu/);
  await page.emulateMedia({ colorScheme: "dark" });
  await shot(page, "06b-kernel-verdict-preset-dark");
  await page.emulateMedia({ colorScheme: "light" });
  // other structs have no verdict
  await pickSample(page, "kernel_irq_info_edu_intx");
  assert.equal(await page.isVisible("#verdict"), false);
  await page.close();
});
