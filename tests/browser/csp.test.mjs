// Hostile pages: under a CSP without 'wasm-unsafe-eval' the page must fall back to the wasm2js
// build, say so, and decode exactly like the WebAssembly page.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { launch, openPage, pickSample, shot, startServer, treeRows } from "./helpers.mjs";

let normal, strict, browser;
before(async () => {
  normal = startServer();
  strict = startServer(["--csp", "strict"]);
  await Promise.all([normal.url, strict.url]);
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await normal?.stop();
  await strict?.stop();
});

const snapshot = async (page) => ({
  rows: await treeRows(page).then((rs) =>
    rs.map(({ path, kind, value, text, bad }) => ({ path, kind, value, text, bad })),
  ),
  hex: await page.$$eval("#hexview .b", (bs) =>
    bs.map((b) => `${b.textContent}:${b.dataset.path ?? ""}:${b.className}`),
  ),
  diags: await page.$$eval("#diagnostics li", (ls) => ls.map((l) => l.textContent)),
});

test("strict CSP blocks WebAssembly: the page says so and uses the pure-JS build", async () => {
  const { page, problems } = await openPage(browser.ctx, await strict.url);
  assert.equal(await page.evaluate(() => document.body.dataset.ready), "js");
  assert.match(await page.textContent("#backend"), /pure-JS fallback \(WebAssembly is blocked here\)/);
  // the CSP really blocks wasm in this page
  const blocked = await page.evaluate(async () => {
    try {
      await WebAssembly.compile(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]));
      return false;
    } catch {
      return true;
    }
  });
  assert.equal(blocked, true);
  await pickSample(page, "region_info_sparse_mmap");
  await shot(page, "05-csp-fallback");
  assert.deepEqual(
    problems.filter((p) => !/404|wasm-eval|WebAssembly/i.test(p)),
    [],
  );
  await page.close();
});

test("the default CSP (with 'wasm-unsafe-eval') runs the WebAssembly module", async () => {
  const { page } = await openPage(browser.ctx, await normal.url);
  assert.equal(await page.evaluate(() => document.body.dataset.ready), "wasm");
  await page.close();
});

for (const sample of [
  "kernel_set_irqs_msix_enable_3",
  "region_info_sparse_mmap",
  "type1_info_aligned_6.6",
  "cap_backwards",
  "eventfd_count2_one_fd",
  "kernel_region3_argsz32",
]) {
  test(`fallback decodes ${sample} identically to WebAssembly (tree, byte owners, diagnostics)`, async () => {
    const a = await openPage(browser.ctx, await normal.url),
      b = await openPage(browser.ctx, await strict.url);
    await pickSample(a.page, sample);
    await pickSample(b.page, sample);
    const sa = await snapshot(a.page),
      sb = await snapshot(b.page);
    assert.ok(sa.rows.length > 3);
    assert.deepEqual(sb, sa);
    await a.page.close();
    await b.page.close();
  });
}

test("an edit re-encodes identically under the fallback", async () => {
  const out = [];
  for (const srv of [normal, strict]) {
    const { page } = await openPage(browser.ctx, await srv.url);
    await pickSample(page, "region_info_sparse_mmap");
    await page.dblclick('#tree .node[data-path="caps[0].areas[1].size"]');
    await page.fill("#tree input.edit", "0x3000");
    await page.keyboard.press("Enter");
    await page.waitForFunction(() => window.__inspector.hex().includes("0030000000000000"));
    out.push(await page.evaluate(() => window.__inspector.hex()));
    await page.close();
  }
  assert.equal(out[1], out[0]);
});
