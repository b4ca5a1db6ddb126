// Shared set-up for the browser tests: the project's own server (`vfio-abi inspect --port 0`)
// and Debian's chromium driven by playwright-core with a fresh temporary profile.
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { chromium } from "playwright-core";

export const root = fileURLToPath(new URL("../../", import.meta.url));
export const shotDir = join(root, "test-output", "inspector");

export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** Start `vfio-abi inspect --port 0 [...extra]`; resolves with the URL it prints. */
export function startServer(extra = []) {
  const child = spawn(process.execPath, [join(root, "bin", "vfio-abi.js"), "inspect", "--port", "0", ...extra], {
    cwd: root,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "",
    err = "";
  const url = new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`server did not print a URL: ${out}${err}`)), 15000);
    child.stdout.on("data", (d) => {
      out += d;
      const m = /(http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
      if (m) {
        clearTimeout(t);
        resolve(m[1]);
      }
    });
    child.stderr.on("data", (d) => {
      err += d;
    });
    child.on("exit", (code) => {
      clearTimeout(t);
      reject(new Error(`server exited ${code}: ${err}`));
    });
  });
  return {
    child,
    url,
    output: () => out,
    stop: () =>
      new Promise((r) => {
        if (child.exitCode !== null) return r();
        child.once("exit", r);
        child.kill("SIGTERM");
      }),
  };
}

/** A fresh chromium with its own temporary --user-data-dir. */
export async function launch() {
  const profile = mkdtempSync(join(tmpdir(), "vfio-inspector-chromium-"));
  const ctx = await chromium.launchPersistentContext(profile, {
    executablePath: "/usr/bin/chromium",
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1500, height: 1000 },
    ignoreDefaultArgs: ["--enable-automation"],
  });
  return {
    ctx,
    close: async () => {
      await ctx.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Open a page and wait for the codec to be ready; collects console errors and CSP violations. */
export async function openPage(ctx, url) {
  const page = await ctx.newPage();
  const problems = [];
  page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
  page.on("console", (m) => {
    if (m.type() === "error") problems.push(`console: ${m.text()}`);
  });
  await page.goto(url);
  await page.waitForFunction(() => document.body.dataset.ready, null, { timeout: 15000 });
  return { page, problems };
}

export async function shot(page, name) {
  mkdirSync(shotDir, { recursive: true });
  await page.screenshot({ path: join(shotDir, `${name}.png`), fullPage: true });
}

/** Rows of the tree as {path, kind, value, text}. */
export const treeRows = (page) =>
  page.$$eval("#tree .node", (ns) =>
    ns.map((n) => ({
      path: n.dataset.path,
      kind: n.dataset.kind,
      value: n.querySelector(".val")?.dataset.value ?? "",
      text: n.textContent,
      selected: n.getAttribute("aria-selected") === "true",
      bad: n.classList.contains("bad"),
      rejected: n.classList.contains("rejected"),
      colour: n.dataset.colour ?? null,
    })),
  );

/** Offsets of the highlighted (selected) bytes in the hex view. */
export const selectedBytes = (page) => page.$$eval("#hexview .b.sel", (bs) => bs.map((b) => Number(b.dataset.off)));

/** Current bytes as shown in the hex view. */
export const hexViewBytes = (page) => page.$$eval("#hexview .b", (bs) => bs.map((b) => b.textContent).join(""));

/** Choose a sample by its name (a golden vector's name, or "blank:<struct>"). */
export async function pickSample(page, name) {
  const have = await page.$$eval("#sample option", (os, n) => os.some((o) => o.value === n), name);
  if (!have) throw new Error(`no sample ${name}`);
  await page.selectOption("#sample", name);
}

/** The page's state (bytes as hex) and the URL fragment. */
export const pageState = (page) =>
  page.evaluate(() => ({ ...window.__inspector.state(), bytes: window.__inspector.hex(), fragment: location.hash }));

/** The assembled page as a file:// URL (opened from disk, no server). */
export const fileUrl = () => new URL("inspector/dist/index.html", pathToFileURL(root)).href;
