// How the inspector looks and answers: colours (neighbours differ, a legend, contrast in both
// themes), dark mode, labels that fit, the capability-chain diagram, copying, the keys list and
// opening the page from disk. Every check reads the DOM, the bytes or the URL; the screenshots
// are for people to look at.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import * as lib from "../../dist/bindings/index.js";
import { badVectors, vectors } from "../vectors/golden.mjs";
import { fileUrl, launch, openPage, pageState, pickSample, shot, startServer, treeRows } from "./helpers.mjs";

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

/** Colour clashes on the page: adjacent bytes of different fields, consecutive tree rows. */
const clashes = (page) =>
  page.evaluate(() => {
    const out = [];
    const bs = [...document.querySelectorAll("#hexview .b")];
    for (let i = 1; i < bs.length; i++) {
      const [a, b] = [bs[i - 1], bs[i]];
      if (a.dataset.path !== b.dataset.path && a.dataset.colour && a.dataset.colour === b.dataset.colour)
        out.push(`bytes ${i - 1}/${i}: ${a.dataset.path} and ${b.dataset.path}`);
    }
    const ns = [...document.querySelectorAll("#tree .node")];
    for (let i = 1; i < ns.length; i++) {
      const [a, b] = [ns[i - 1], ns[i]];
      if (a.dataset.colour && a.dataset.colour === b.dataset.colour)
        out.push(`rows ${a.dataset.path} and ${b.dataset.path}`);
    }
    return out;
  });

test("neighbouring fields never share a colour (hex view and tree); the legend names every field in its colour", async () => {
  const { page } = await openPage(browser.ctx, url);
  const names = [...vectors, ...badVectors].map((v) => v.name);
  for (const n of [...names, "blank:vfio_user_message", "blank:vfio_region_info_cap_sparse_mmap"]) {
    await pickSample(page, n);
    assert.deepEqual(await clashes(page), [], n);
    const rows = (await treeRows(page)).filter((r) => (r.kind === "field" || r.kind === "elem") && r.colour !== null);
    const chips = await page.$$eval("#legend .chip", (cs) =>
      cs.map((c) => ({ path: c.dataset.path, colour: c.dataset.colour })),
    );
    assert.equal(chips.length, Math.min(rows.length, 64), n);
    for (const c of chips) assert.equal(c.colour, rows.find((r) => r.path === c.path)?.colour, `${n}: chip ${c.path}`);
  }
  // a chip selects its field
  await pickSample(page, "region_info_sparse_mmap");
  await page.click('#legend .chip[data-path="caps[0].nr_areas"]');
  assert.equal((await treeRows(page)).find((r) => r.selected)?.path, "caps[0].nr_areas");
  assert.match(await page.textContent("#legend"), /hatched: padding, slack or unknown bytes/);
  await page.close();
});

/** WCAG contrast of text against its own (or its nearest painted ancestor's) background, for every match. */
const contrasts = (page, selector) =>
  page.$$eval(selector, (els) => {
    const rgb = (c) => (c.match(/[\d.]+/g) ?? []).map(Number);
    const lum = ([r, g, b]) => {
      const f = (v) => ((v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
      return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
    };
    const bg = (e) => {
      for (let x = e; x; x = x.parentElement) {
        const c = getComputedStyle(x).backgroundColor;
        const v = rgb(c);
        if (v.length && (v.length < 4 || v[3] > 0)) return v;
      }
      return [255, 255, 255];
    };
    return els
      .filter((e) => e.textContent.trim() && e.getClientRects().length)
      .map((e) => {
        const [a, b] = [lum(rgb(getComputedStyle(e).color)), lum(bg(e))];
        return { text: e.textContent.trim().slice(0, 40), ratio: (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05) };
      });
  });

const READABLE = [
  "#hexview .b",
  "#tree .node .name",
  "#tree .node .names",
  "#diagnostics li",
  "#legend .chip",
  ".hint",
  "h1",
  "label",
  ".verdict",
  "button",
];

async function assertReadable(page, what) {
  for (const sel of READABLE)
    for (const c of await contrasts(page, sel))
      assert.ok(c.ratio >= 4.5, `${what}: ${sel} "${c.text}" contrast ${c.ratio.toFixed(2)} < 4.5`);
}

const background = (page) =>
  page.evaluate(() => {
    const v = getComputedStyle(document.documentElement).backgroundColor.match(/\d+/g).map(Number);
    return (v[0] + v[1] + v[2]) / 3;
  });

test("dark mode follows the system; the toggle overrides it and the link keeps it; text stays readable", async () => {
  const { page } = await openPage(browser.ctx, url);
  await pickSample(page, "cap_cycle_2");
  await page.emulateMedia({ colorScheme: "dark" });
  assert.ok((await background(page)) < 40, "dark background under a dark system");
  assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), undefined);
  assert.doesNotMatch(page.url(), /[#&]t=/);
  await assertReadable(page, "system dark");
  await shot(page, "10-dark-mode-system");
  await page.click("#theme"); // system -> dark
  assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), "dark");
  assert.match(page.url(), /[#&]t=dark/);
  await page.click("#theme"); // dark -> light, though the system is dark
  assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), "light");
  assert.ok((await background(page)) > 220, "light background when chosen");
  await assertReadable(page, "light on a dark system");
  await shot(page, "11-light-chosen-on-dark-system");
  const link = page.url();
  await page.close();
  const again = await openPage(browser.ctx, link);
  await again.page.emulateMedia({ colorScheme: "dark" });
  assert.equal(await again.page.evaluate(() => document.documentElement.dataset.theme), "light");
  assert.match(await again.page.textContent("#theme"), /light/);
  // "d" cycles too: light -> system
  await again.page.locator("body").press("d");
  assert.equal(await again.page.evaluate(() => document.documentElement.dataset.theme), undefined);
  await again.page.emulateMedia({ colorScheme: "light" });
  await pickSample(again.page, "kernel_set_irqs_msix_enable_3");
  await assertReadable(again.page, "system light");
  await again.page.close();
});

/** Options and buttons whose text is wider than the room they have. */
const clipped = (page) =>
  page.evaluate(() => {
    const out = [];
    const ctx = document.createElement("canvas").getContext("2d");
    for (const s of document.querySelectorAll("select")) {
      if (!s.getClientRects().length) continue;
      const cs = getComputedStyle(s);
      ctx.font = `${cs.fontWeight} ${cs.fontSize} ${cs.fontFamily}`;
      // the drop-down arrow takes about 20px of the inner width
      const room = s.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight) - 20;
      for (const o of s.options) {
        const w = ctx.measureText(o.textContent).width;
        if (w > room) out.push(`#${s.id}: "${o.textContent}" needs ${Math.ceil(w)}px, has ${Math.floor(room)}px`);
      }
    }
    for (const b of document.querySelectorAll("button, .chip, label.file"))
      if (b.getClientRects().length && b.scrollWidth > b.clientWidth + 1) out.push(`button "${b.textContent}" clipped`);
    for (const w of document.querySelectorAll("#tree .where"))
      if (w.getClientRects().length > 1) out.push(`byte range "${w.textContent}" split over two lines`);
    for (const g of document.querySelectorAll("#chain g.item")) {
      const rect = g.querySelector("rect");
      for (const t of g.querySelectorAll("text"))
        if (t.getComputedTextLength() + 8 > rect.width.baseVal.value)
          out.push(`chain box text "${t.textContent}" clipped`);
    }
    const svg = document.querySelector("#chain svg");
    if (svg)
      for (const t of svg.querySelectorAll("text")) {
        const box = t.getBBox();
        if (box.x + box.width > svg.viewBox.baseVal.width + 1)
          out.push(`chain text "${t.textContent}" past the diagram`);
      }
    return out;
  });

test("no label is cut short: every option fits its select, buttons and chain boxes fit their text, at two widths", async () => {
  for (const width of [1500, 1180]) {
    const { page } = await openPage(browser.ctx, url);
    await page.setViewportSize({ width, height: 1000 });
    for (const n of [
      "kernel_set_irqs_msix_enable_3",
      "type1_info_aligned_6.6",
      "type1_info_packed_6.1",
      "cap_backwards",
      "cap_cycle_2",
    ]) {
      await pickSample(page, n);
      assert.deepEqual(await clipped(page), [], `${n} at ${width}px`);
    }
    if (width === 1180) await shot(page, "16-narrow-window");
    await page.close();
  }
});

const chainInfo = (page) =>
  page.evaluate(() => {
    const c = document.getElementById("chain");
    return {
      visible: !document.getElementById("chain-box").hidden,
      end: c.dataset.end,
      boxes: [...c.querySelectorAll("g.item")].map((g) => ({
        path: g.getAttribute("data-path"),
        colour: g.getAttribute("data-colour"),
        text: [...g.querySelectorAll("text")].map((t) => t.textContent).join(" / "),
      })),
      labels: [...c.querySelectorAll("text.label")].map((t) => t.textContent),
      loops: c.querySelectorAll("path.loop").length,
      arrows: c.querySelectorAll("line.link").length,
    };
  });

test("the capability chain diagram: offsets, labelled arrows, a loop drawn as a loop, a bad pointer in red", async () => {
  const { page } = await openPage(browser.ctx, url);
  await pickSample(page, "type1_info_aligned_6.6");
  let c = await chainInfo(page);
  assert.equal(c.visible, true);
  assert.equal(c.end, "end");
  assert.deepEqual(
    c.boxes.map((b) => b.path),
    ["", "caps[0]", "caps[1]", "caps[2]"],
  );
  // offsets and pointers as the golden vector has them (caps at 0x18, 0x38, 0x48)
  assert.match(c.boxes[1].text, /VFIO_IOMMU_TYPE1_INFO_CAP_MIGRATION \/ at 0x18/);
  assert.match(c.boxes[2].text, /VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL \/ at 0x38/);
  assert.match(c.boxes[3].text, /VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE \/ at 0x48/);
  assert.deepEqual(c.labels, ["cap_offset = 0x18", "next = 0x38", "next = 0x48", "next = 0: end of the chain"]);
  assert.equal(c.arrows, 3);
  const rows = await treeRows(page);
  for (const b of c.boxes.slice(1))
    assert.equal(b.colour, rows.find((r) => r.path === b.path).colour, `${b.path} has its tree colour`);
  assert.doesNotMatch(await page.textContent("#legend"), /not decoded/, "every byte of a good chain decodes");
  await page.click('#chain g.item[data-path="caps[1]"]');
  assert.equal((await treeRows(page)).find((r) => r.selected)?.path, "caps[1]");

  await pickSample(page, "cap_cycle_2");
  c = await chainInfo(page);
  assert.equal(c.end, "loop");
  assert.equal(c.loops, 1);
  assert.match(c.labels.at(-1), /next = 0x20: back to #1, the chain loops/);
  await shot(page, "08-chain-loop");
  await pickSample(page, "cap_self_loop");
  c = await chainInfo(page);
  assert.equal(c.end, "loop");
  assert.equal(c.loops, 1);
  assert.match(c.labels.at(-1), /back to #1/);
  // the bytes after the loop were never reached: faint, uncoloured, and the legend says why
  const undecoded = await page.$$eval("#hexview .b.none", (bs) => bs.map((b) => Number(b.dataset.off)));
  assert.ok(undecoded.length > 0);
  assert.match(await page.textContent("#legend"), /not decoded \(decoding stopped before these bytes\)/);
  await shot(page, "09-chain-self-loop");
  await pickSample(page, "cap_backwards");
  c = await chainInfo(page);
  assert.equal(c.end, "broken");
  assert.match(c.boxes.at(-1).text, /next = 0x24: next at 0x34 points backwards to 0x24/);
  await pickSample(page, "cap_into_header");
  c = await chainInfo(page);
  assert.equal(c.end, "broken");
  assert.match(c.boxes.at(-1).text, /cap_offset = 0x10/);
  await pickSample(page, "kernel_region3_argsz32");
  c = await chainInfo(page);
  assert.equal(c.end, "none");
  assert.match(c.labels.at(-1), /did not fit; call again with argsz 40/);
  await pickSample(page, "irq_set_msix_eventfd_3");
  assert.equal((await chainInfo(page)).visible, false, "vfio_irq_set has no chain");
  await page.close();
});

test("copy: the clipboard gets the text and the page says so; the export box follows every edit", async () => {
  await browser.ctx.grantPermissions(["clipboard-read", "clipboard-write"], { origin: new URL(url).origin });
  const { page } = await openPage(browser.ctx, url);
  await pickSample(page, "irq_set_msix_eventfd_3");
  await page.click("#copy-c");
  await page.waitForSelector("#copy-status:not([hidden])");
  assert.match(await page.textContent("#copy-status"), /Copied the C initialiser to the clipboard/);
  assert.equal(await page.$eval("#copy-c", (b) => b.classList.contains("copied")), true);
  const box = await page.inputValue("#export");
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), box);
  await shot(page, "03b-copy-confirmation");
  // an edit: the box shows the C initialiser of the new bytes at once
  await page.dblclick('#tree .node[data-path="count"]');
  await page.fill("#tree input.edit", "1");
  await page.keyboard.press("Enter");
  const st = await pageState(page);
  assert.equal(st.bytes, plain("18000000 24000000 02000000 00000000 01000000 0a000000"));
  const want = lib.formatC("vfio_irq_set", Buffer.from(st.bytes, "hex"));
  assert.equal(await page.inputValue("#export"), want);
  // the export kind is part of the link
  assert.match(page.url(), /[#&]x=c/);
  const { page: p2 } = await openPage(browser.ctx, page.url());
  assert.equal(await p2.inputValue("#export"), want);
  await p2.close();
  // the link export follows the selection
  await page.click("#copy-link");
  await page.click('#tree .node[data-path="index"]');
  assert.equal(await page.inputValue("#export"), page.url());
  assert.match(await page.inputValue("#export"), /f=index/);
  // without a clipboard the page says how to copy by hand, and the text is selected
  await page.evaluate(() => {
    navigator.clipboard.writeText = () => Promise.reject(new Error("denied"));
  });
  await page.click("#copy-hex");
  assert.match(await page.textContent("#copy-status"), /clipboard is not available here.*press Ctrl\+C/);
  const selected = await page.evaluate(() => {
    const t = document.getElementById("export");
    return t.value.slice(t.selectionStart, t.selectionEnd);
  });
  assert.equal(selected, await page.inputValue("#export"));
  await page.close();
});

test('"?" lists the keys; Escape closes the list; "/" goes to the hex box', async () => {
  const { page } = await openPage(browser.ctx, url);
  await page.locator("body").press("?");
  assert.equal(await page.$eval("#keys", (d) => d.open), true);
  const keys = await page.$$eval("#keys-list dt", (ds) => ds.map((d) => d.textContent));
  for (const k of ["?", "/", "d", "Enter, F2, double-click", "← → ↑ ↓"]) assert.ok(keys.includes(k), k);
  await shot(page, "12-keys-help");
  await page.keyboard.press("Escape");
  assert.equal(await page.$eval("#keys", (d) => d.open), false);
  await page.locator("body").press("/");
  assert.equal(await page.evaluate(() => document.activeElement.id), "hex");
  // typing "?" into the hex box types it
  await page.keyboard.type("?");
  assert.equal(await page.$eval("#keys", (d) => d.open), false);
  await page.click("#show-keys");
  assert.equal(await page.$eval("#keys", (d) => d.open), true);
  await page.click("#keys-close");
  await page.close();
});

test("opened from disk (file://, no server) the page runs the codec and restores a link", async () => {
  const v = vec("region_info_sparse_mmap");
  const { page, problems } = await openPage(browser.ctx, `${fileUrl()}#s=${v.struct}&b=${plain(v.hex)}&f=caps%5B0%5D`);
  assert.equal(await page.evaluate(() => document.body.dataset.ready), "wasm");
  assert.match(await page.textContent("#backend"), /WebAssembly/);
  const rows = await treeRows(page);
  assert.equal(rows.find((r) => r.selected)?.path, "caps[0]");
  assert.match(await page.textContent("#tree"), /VFIO_REGION_INFO_CAP_SPARSE_MMAP/);
  await pickSample(page, "cap_cycle_2");
  assert.equal((await chainInfo(page)).end, "loop");
  await shot(page, "13-opened-from-file");
  assert.deepEqual(problems, []);
  await page.close();
});
