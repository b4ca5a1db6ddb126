// The inspector page: start the codec, read the state from the URL fragment (or load a sample),
// and keep the views in step with the state. A state change rebuilds the view model and redraws
// every view; a change of selection only moves the highlight.
import { startCodec } from "./codec.js";
import { $ } from "./dom.js";
import * as lib from "./lib.js";
import { buildModel } from "./model.js";
import { allSamples } from "./samples.js";
import { createStore, defaults, fromFragment, profileOf, toFragment } from "./state.js";
import { judge } from "./verdict.js";
import * as chain from "./views/chain.js";
import * as controls from "./views/controls.js";
import * as details from "./views/details.js";
import * as diagnostics from "./views/diagnostics.js";
import * as exporter from "./views/export.js";
import * as hex from "./views/hex.js";
import * as keys from "./views/keys.js";
import * as legend from "./views/legend.js";
import * as summary from "./views/summary.js";
import * as theme from "./views/theme.js";
import * as tree from "./views/tree.js";
import * as verdict from "./views/verdict.js";

const FIRST_SAMPLE = "kernel_set_irqs_msix_enable_3";

function showBackend(codec) {
  const badge = $("backend");
  if (codec.backend === "wasm") {
    badge.textContent = "codec: WebAssembly";
    badge.title = "the codec runs as the package's .wasm module";
    return;
  }
  badge.textContent = "codec: pure-JS fallback (WebAssembly is blocked here)";
  badge.classList.add("js");
  badge.title = `This page's Content-Security-Policy (or the browser) does not allow WebAssembly, so the same codec runs as JavaScript compiled from it by binaryen wasm2js. Results are identical. (${codec.why})`;
}

function initialState() {
  const fromLink = fromFragment(location.hash.slice(1));
  if (fromLink) return fromLink;
  const s = defaults();
  const sample = allSamples().find((x) => x.id === FIRST_SAMPLE);
  return sample ? { ...s, ...controls.sampleState(sample, s) } : s;
}

function createApp(store) {
  const app = {
    store,
    model: null,
    /** Transient UI state, not worth a link: the byte cursor, a byte range without a field, the row being edited. */
    ui: { cursor: 0, range: null, editing: null },
    views: [],
    selectedRange() {
      if (app.ui.range) return app.ui.range;
      const row = app.model?.byPath.get(store.get().sel);
      return row ? { offset: row.offset, size: row.size } : null;
    },
    select(path, { keepCursor = false } = {}) {
      const row = app.model.byPath.get(path);
      app.ui.range = null;
      if (row && !keepCursor) app.ui.cursor = row.offset;
      store.set({ sel: path });
    },
    selectRange(offset, size) {
      app.ui.range = { offset, size };
      app.ui.cursor = offset;
      store.set({ sel: null });
    },
    selectByte(b) {
      app.ui.cursor = b;
      const row = app.model.rows[app.model.owner[b]];
      if (row) app.select(row.path, { keepCursor: true });
      else app.selectRange(b, 1);
    },
    editSelected() {
      $("tree").focus();
      app.startEdit?.(store.get().sel);
    },
    showEditError(msg) {
      $("edit-error").hidden = !msg;
      $("edit-error").textContent = msg ?? "";
    },
    /** Set a row's value: the bindings re-encode (or patch) the bytes. */
    edit(row, value) {
      const s = store.get();
      app.showEditError(null);
      try {
        store.set({ bytes: lib.setValue(s.struct, s.bytes, row.key, value, profileOf(s)) });
      } catch (e) {
        app.showEditError(`Cannot set ${row.path} to ${value}: ${e.message}`);
        app.refresh();
      }
    },
    refresh() {
      store.set({});
    },
  };
  return app;
}

let lastFragment = "";
function writeFragment(s) {
  lastFragment = toFragment(s);
  if (location.hash.slice(1) !== lastFragment) history.replaceState(null, "", `#${lastFragment}`);
}

function render(app, s, patch) {
  const onlySelection = Object.keys(patch).length === 1 && "sel" in patch;
  if (!onlySelection) {
    app.model = buildModel(s, judge(s));
    // a selection the new bytes no longer have is dropped (state objects are replaced, never shared)
    if (s.sel !== null && !app.model.byPath.has(s.sel)) s.sel = null;
  }
  writeFragment(s);
  for (const v of app.views) (onlySelection ? (v.select ?? (() => {})) : v.render)(s, app.model);
}

async function boot() {
  const codec = await startCodec();
  showBackend(codec);
  const store = createStore(initialState());
  const app = createApp(store);
  app.views = [theme, controls, summary, hex, tree, details, diagnostics, legend, chain, verdict, exporter, keys].map(
    (v) => v.mount(app),
  );
  store.subscribe((s, patch) => render(app, s, patch));
  render(app, store.get(), { all: true });
  const row = app.model.byPath.get(store.get().sel);
  if (row) app.ui.cursor = row.offset;
  window.addEventListener("hashchange", () => {
    const h = location.hash.slice(1);
    if (h === lastFragment) return;
    const next = fromFragment(h);
    if (next) store.set(next);
  });
  // for the browser tests and the curious: the state and the view model, read-only
  window.__inspector = {
    backend: codec.backend,
    state: () => store.get(),
    hex: () => lib.toHex(store.get().bytes),
    rows: () => app.model.rows.map((r) => ({ path: r.path, kind: r.kind, offset: r.offset, size: r.size })),
  };
  document.body.dataset.ready = codec.backend;
}

boot().catch((e) => {
  const b = $("backend");
  b.textContent = `the codec failed to load: ${e.message}`;
  b.classList.add("fail");
  document.body.dataset.ready = "failed";
  console.error(e);
});
