// The same seed gives byte-identical corpora in Node and in Chromium (playwright-core): the page
// loads build/fuzz.wasm (the fuzzing module) from a 127.0.0.1 server and runs the same corpus hash as Node.

import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const root = new URL("../../", import.meta.url);
const wasmBytes = readFileSync(fileURLToPath(new URL("build/fuzz.wasm", root)));
const { deviceBlock } = await import(new URL("dist/bindings/oracle/model/device.js", root).href);
const { campaignDevices } = await import(new URL("dist/bindings/fuzz/index.js", root).href);

// Runs in both hosts (serialised into the page): raw exports only.
function corpusHash(ex, devBlock, n) {
  const WS = ex.fuzz_work_size();
  ex.arena_reserve(0x4400 + WS + 4096);
  const work = ex.arena_ptr() + 0x4400,
    dev = work + WS;
  new Uint32Array(ex.memory.buffer, dev, devBlock.length).set(devBlock);
  let h = 0x811c9dc5 | 0,
    total = 0;
  const sids = [-1, 4, 3, 2, 1, 5];
  for (let i = 0; i < n; i++) {
    const prof = [0, 4, 1, 5][i & 3];
    const len = ex.fuzz_gen(sids[i % 6], 12345, i, prof, dev, work, -1);
    const b = new Uint8Array(ex.memory.buffer, work, len);
    for (let j = 0; j < len; j++) h = Math.imul(h ^ b[j], 0x01000193);
    for (const v of [len, ex.fuzz_label_class(), ex.fuzz_label_ret(), ex.fuzz_label_rule(), ex.fuzz_label_status()])
      h = Math.imul(h ^ v, 0x01000193);
    total += len;
  }
  const out = work + 8192;
  const acc = ex.fuzz_gen_batch(-1, 777, 0, n, 4, dev, work, out);
  const batch = new BigUint64Array(ex.memory.buffer, out, 1)[0].toString(16);
  return { hash: (h >>> 0).toString(16), total, acc, batch };
}

const chromium = "/usr/bin/chromium";
test("same seed -> byte-identical corpus in Node and Chromium", {
  skip: !existsSync(chromium) && "no /usr/bin/chromium",
  timeout: 90_000,
}, async () => {
  const devBlock = Array.from(deviceBlock(campaignDevices()[3]));
  const N = 20000;
  const ex = new WebAssembly.Instance(new WebAssembly.Module(wasmBytes), {}).exports;
  const node = corpusHash(ex, devBlock, N);
  const page = `<!doctype html><script>
    ${corpusHash.toString()}
    window.result = (async () => {
      const { instance } = await WebAssembly.instantiate(await (await fetch("/fuzz.wasm")).arrayBuffer(), {});
      return corpusHash(instance.exports, ${JSON.stringify(devBlock)}, ${N});
    })();</script>`;
  const server = createServer((req, res) => {
    if (req.url === "/fuzz.wasm") {
      res.writeHead(200, { "content-type": "application/wasm" });
      res.end(wasmBytes);
    } else {
      res.writeHead(200, { "content-type": "text/html" });
      res.end(page);
    }
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  const profile = mkdtempSync(join(tmpdir(), "vfio-fz-chromium-"));
  const { chromium: pw } = await import("playwright-core");
  let browser;
  try {
    // fresh --user-data-dir: playwright takes it as launchPersistentContext's first argument
    browser = await pw.launchPersistentContext(profile, {
      executablePath: chromium,
      headless: true,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
    const p = await browser.newPage();
    await p.goto(`http://127.0.0.1:${server.address().port}/`);
    const web = await p.evaluate(() => window.result);
    console.log(`# node ${JSON.stringify(node)} chromium ${JSON.stringify(web)}`);
    assert.deepEqual(web, node);
    assert.ok(node.total > N * 16);
  } finally {
    await browser?.close();
    server.close();
    rmSync(profile, { recursive: true, force: true });
  }
});
