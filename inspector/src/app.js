// The inspector page. Everything is derived from lib.inspect() (value + byte spans + diagnostics);
// the page keeps only {bytes, struct, profile, selection} as state, mirrored in the URL fragment.
import * as lib from "./lib/index.js";
import { lookupIoctl, ioctls } from "./lib/ioctl.js";
import { samples } from "./samples.js";
import { fieldHelp, GLOSSARY } from "./help.js";
import { verdict, presets, DRIVERS } from "./oracle-adapter.js";

const $ = (id) => document.getElementById(id);
const el = (tag, cls, text) => {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
};
const hx = (n, w = 2) => `0x${n.toString(16).padStart(w, "0")}`;
const SCHEMA = lib.SCHEMA;

const state = {
  bytes: new Uint8Array(0),
  struct: "vfio_irq_set",
  arch: "x86_64",
  endian: "little",
  model: "lp64",
  epoch: "6.6",
  proposals: [],
  sel: null,
  range: null,
  cursor: 0,
};
let view = { result: null, rows: [], owner: new Int32Array(0), errBytes: new Set(), badPaths: new Set() };
let editing = null;

// ---------- boot: WebAssembly, or the pure-JS build where a CSP blocks it ----------
async function boot() {
  const badge = $("backend");
  let backend = "wasm",
    why = "";
  try {
    await lib.init(new URL("./wasm/release.wasm", import.meta.url));
  } catch (e) {
    why = e instanceof Error ? e.message : String(e);
    const js = await import("./wasm/release.wasm2js.js");
    lib.initWithExports(js.default, "js", js.instantiate);
    backend = "js";
  }
  if (backend === "wasm") {
    badge.textContent = "codec: WebAssembly";
    badge.title = "the codec runs as the package's .wasm module";
  } else {
    badge.textContent = "codec: pure-JS fallback (WebAssembly is blocked here)";
    badge.classList.add("js");
    badge.title = `This page's Content-Security-Policy (or the browser) does not allow WebAssembly, so the same codec runs as JavaScript compiled from it by binaryen wasm2js. Results are identical. (${why})`;
  }
  setupControls();
  if (!restoreFromHash())
    loadSample(samples.find((s) => s.name === "kernel_set_irqs_msix_enable_3") ?? samples[0], false);
  window.addEventListener("hashchange", () => {
    if (location.hash.slice(1) !== lastHash) {
      restoreFromHash();
    }
  });
  window.__inspector = {
    ready: true,
    backend,
    state,
    hex: () => lib.toHex(state.bytes),
    rows: () => view.rows.map((r) => ({ path: r.path, kind: r.kind, offset: r.offset, size: r.size })),
  };
  document.body.dataset.ready = backend;
}

// ---------- controls ----------
function setupControls() {
  const groups = {
    "Requests you send (SET_IRQS)": [],
    "Replies from a real kernel": [],
    "Other reference buffers": [],
    "Broken inputs (must be rejected)": [],
  };
  samples.forEach((s, i) => {
    const g = s.broken
      ? "Broken inputs (must be rejected)"
      : s.struct === "vfio_irq_set"
        ? "Requests you send (SET_IRQS)"
        : s.name.startsWith("kernel_")
          ? "Replies from a real kernel"
          : "Other reference buffers";
    const o = el("option", null, `${s.name.replace(/_/g, " ")} — ${s.struct}`);
    o.value = String(i);
    o.title = s.source ?? "";
    groups[g].push(o);
  });
  for (const [label, opts] of Object.entries(groups)) {
    const og = el("optgroup");
    og.label = label;
    opts.forEach((o) => og.append(o));
    $("sample").append(og);
  }
  $("sample").addEventListener("change", (e) => {
    const s = samples[Number(e.target.value)];
    if (s) loadSample(s, true);
  });

  const info = SCHEMA.structs.filter((s) => s.kind === "info"),
    rest = SCHEMA.structs.filter((s) => s.kind !== "info");
  for (const [label, list] of [
    ["ioctl buffers", info],
    ["capabilities and parts", rest],
  ]) {
    const og = el("optgroup");
    og.label = label;
    for (const s of list) {
      const o = el(
        "option",
        null,
        s.name + (s.ioctl ? `  (${s.ioctl})` : s.proposal ? `  (proposal ${s.proposal})` : ""),
      );
      o.value = s.name;
      og.append(o);
    }
    $("struct").append(og);
  }
  $("struct").addEventListener("change", (e) => {
    state.struct = e.target.value;
    state.sel = null;
    $("ioctl").value = "";
    update();
  });
  $("ioctl").addEventListener("change", () => useIoctl($("ioctl").value));
  $("ioctl").addEventListener("keydown", (e) => {
    if (e.key === "Enter") useIoctl($("ioctl").value);
  });

  for (const a of Object.keys(SCHEMA.arches)) {
    const o = el(
      "option",
      null,
      `${a} (${SCHEMA.arches[a].endian}-endian, ${SCHEMA.arches[a].model === "lp64" ? "64" : "32"}-bit)`,
    );
    o.value = a;
    $("arch").append(o);
  }
  $("arch").addEventListener("change", (e) => {
    state.arch = e.target.value;
    const a = SCHEMA.arches[state.arch];
    state.endian = a.endian;
    state.model = a.model;
    update();
  });
  $("endian").addEventListener("change", (e) => {
    state.endian = e.target.value;
    update();
  });
  $("model").addEventListener("change", (e) => {
    state.model = e.target.value;
    update();
  });
  $("epoch").addEventListener("change", (e) => {
    state.epoch = e.target.value;
    update();
  });
  for (const p of SCHEMA.proposals) {
    const l = el("label"),
      cb = el("input");
    cb.type = "checkbox";
    cb.value = p.name;
    cb.dataset.proposal = p.name;
    cb.addEventListener("change", () => {
      state.proposals = [...document.querySelectorAll("#proposals input:checked")].map((x) => x.value);
      update();
    });
    l.append(cb, el("span", null, `${p.name}: ${p.doc}`));
    $("proposals").append(l);
  }

  let t = 0;
  $("hex").addEventListener("input", () => {
    clearTimeout(t);
    t = setTimeout(readHexBox, 120);
  });
  $("file").addEventListener("change", async (e) => {
    const f = e.target.files?.[0];
    if (f) loadFile(f);
  });
  document.addEventListener("dragover", (e) => {
    e.preventDefault();
    $("dropmask").hidden = false;
  });
  document.addEventListener("dragleave", (e) => {
    if (!e.relatedTarget) $("dropmask").hidden = true;
  });
  document.addEventListener("drop", (e) => {
    e.preventDefault();
    $("dropmask").hidden = true;
    const f = e.dataTransfer?.files?.[0];
    if (f) loadFile(f);
  });

  $("copy-hex").addEventListener("click", () => exportText(spacedHex(state.bytes), "hex"));
  $("copy-c").addEventListener("click", () => exportText(cInitialiser(), "C initialiser"));
  $("copy-json").addEventListener("click", () =>
    exportText(JSON.stringify(lib.toJSONValue(view.result?.value ?? {}), null, 2), "JSON"),
  );
  $("copy-link").addEventListener("click", () => exportText(location.href, "link"));

  $("tree").addEventListener("keydown", treeKey);
  $("tree").addEventListener("click", (e) => {
    const n = e.target.closest(".node");
    if (n && !e.target.closest("input")) select(n.dataset.path);
  });
  $("tree").addEventListener("dblclick", (e) => {
    const n = e.target.closest(".node");
    if (n) startEdit(n.dataset.path);
  });
  $("hexview").addEventListener("click", (e) => {
    const b = e.target.closest(".b");
    if (b) selectByte(Number(b.dataset.off));
  });
  $("hexview").addEventListener("keydown", hexKey);
  $("diagnostics").addEventListener("click", (e) => {
    const li = e.target.closest("li[data-offset]");
    if (li) selectDiag(li);
  });

  for (const d of DRIVERS) {
    const o = el("option", null, d);
    o.value = d;
    $("v-driver").append(o);
  }
  presets().then((names) => {
    for (const n of names) {
      const o = el("option", null, `${n} (QEMU test device)`);
      o.value = n;
      $("v-device").append(o);
    }
  });
  for (const id of ["v-device", "v-driver", "v-kernel", "v-counts"])
    $(id).addEventListener("change", () => {
      const custom = !$("v-device").value;
      $("v-driver").disabled = !custom;
      $("v-counts").disabled = !custom;
      runVerdict();
    });
  for (const [w, d] of GLOSSARY) $("glossary-list").append(el("dt", null, w), el("dd", null, d));
}

function loadSample(s, fromUser) {
  state.bytes = hexBytes(s.hex);
  state.struct = s.struct;
  state.arch = s.arch ?? "x86_64";
  const a = SCHEMA.arches[state.arch];
  state.endian = a.endian;
  state.model = a.model;
  state.epoch = s.epoch === "6.1" ? "6.1" : "6.6";
  state.proposals = [];
  state.sel = null;
  state.range = null;
  if (fromUser) $("ioctl").value = "";
  update({ rewriteHex: true });
}

const hexBytes = (h) => lib.fromHex(h);

// The box takes every dump the CLI takes (lib.parseDump): xxd, hexdump, od, gdb, dmesg, C, JSON.
const FORMAT_NAMES = {
  xxd: "xxd output",
  "hexdump-C": "hexdump -C output",
  hexdump: "hexdump output (16-bit words)",
  od: "od output",
  gdb: "gdb x/x output",
  kernel: "kernel print_hex_dump lines",
  c: "a C initialiser",
  json: "JSON, encoded as the struct",
};
function readHexBox() {
  try {
    const d = lib.parseDump($("hex").value, { endian: state.endian, struct: state.struct, profile: profile() });
    state.bytes = d.bytes;
    $("input-error").hidden = true;
    const what = FORMAT_NAMES[d.format];
    $("input-note").hidden = !what;
    $("input-note").textContent = what
      ? `Read as ${what}: ${d.bytes.length} bytes.${d.notes.length ? ` ${d.notes.join("; ")}.` : ""}`
      : "";
    state.range = null;
    update();
  } catch (e) {
    $("input-error").hidden = false;
    $("input-note").hidden = true;
    $("input-error").textContent = `Cannot read these bytes: ${e.message}`;
  }
}

async function loadFile(f) {
  state.bytes = new Uint8Array(await f.arrayBuffer());
  state.sel = null;
  state.range = null;
  analyse();
  const g = guess();
  if (g && g.score >= 10 && !view.result?.ok) {
    state.struct = g.struct;
    state.endian = g.endian;
  }
  update({ rewriteHex: true });
}

function useIoctl(q) {
  q = q.trim();
  if (!q) return;
  let hits = [];
  try {
    hits = lookupIoctl(q, state.arch);
  } catch {
    hits = [];
  }
  const known = hits.filter((h) => h.arg && SCHEMA.structs.some((s) => s.name === h.arg));
  if (!hits.length) {
    $("ioctl-info").textContent = `No VFIO ioctl is called or numbered ${q}.`;
    return;
  }
  if (known.length) {
    state.struct = known[0].arg;
    state.sel = null;
  }
  $("ioctl-info").textContent =
    hits
      .map(
        (h) =>
          `${h.name} = ${h.hex} on ${h.arch} (${h.fd} fd, ${h.dir === "in" ? "you → kernel" : h.dir === "inout" ? "you → kernel → you" : h.dir}) takes ${h.arg ? (SCHEMA.structs.some((s) => s.name === h.arg) ? `struct ${h.arg}` : `${h.arg} (not a struct this codec decodes)`) : "no argument"}`,
      )
      .join("; ") +
    (known.length > 1 ? `. Several ioctls share this number on different fds; showing ${known[0].arg}.` : ".");
  update();
}

// ---------- the model: inspect() -> rows, byte owners, colours ----------
const profile = () => ({ endian: state.endian, model: state.model, epoch: state.epoch, proposals: state.proposals });

function displayDepth(path, kind) {
  if (path === "") return 0;
  if (kind === "group") return 1;
  if (/^data\[/.test(path)) return 2;
  if (path.startsWith("$")) return 1;
  return path.split(".").filter((p) => p !== "header").length;
}

function analyse() {
  let result;
  try {
    result = lib.inspect(state.struct, state.bytes, profile());
  } catch (e) {
    result = {
      ok: false,
      status: -1,
      value: {},
      nodes: [],
      diagnostics: [{ severity: "error", code: "E_USAGE", message: e.message, offset: 0, size: 0, field: null }],
    };
  }
  const rows = [];
  for (const n of result.nodes) {
    if (n.kind === "elem" && /^data\[/.test(n.path) && !rows.some((r) => r.path === "data")) {
      const elems = result.nodes.filter((x) => /^data\[/.test(x.path));
      const end = Math.max(...elems.map((x) => x.offset + x.size));
      rows.push({
        path: "data",
        kind: "group",
        offset: n.offset,
        size: end - n.offset,
        label: `payload: ${elems.length} ${n.size === 1 ? "bool byte" : "eventfd"}${elems.length === 1 ? "" : "s"}`,
      });
    }
    rows.push({ ...n });
  }
  rows.forEach((r, i) => {
    r.i = i;
    r.depth = displayDepth(r.path, r.kind);
    r.colour = colourOf(r);
  });
  const owner = new Int32Array(state.bytes.length).fill(-1);
  for (const r of rows) {
    if (!["field", "elem", "gap", "slack", "tail", "cap", "group"].includes(r.kind)) continue;
    for (let b = r.offset; b < Math.min(r.offset + r.size, owner.length); b++) {
      const o = owner[b];
      if (o < 0 || rows[o].size >= r.size) owner[b] = r.i;
    }
  }
  const errBytes = new Set(),
    badPaths = new Set();
  for (const d of result.diagnostics)
    if (d.severity === "error") {
      for (let b = d.offset; b < d.offset + Math.max(d.size, 0) && b < state.bytes.length; b++) errBytes.add(b);
      if (d.field) badPaths.add(d.field);
    }
  view = { result, rows, owner, errBytes, badPaths };
}

// Stable colour per field path: same field, same colour, across edits and reloads.
function colourOf(r) {
  if (["gap", "slack", "tail", "needs", "error", "struct"].includes(r.kind)) return null;
  let h = 2166136261;
  for (const ch of r.path) {
    h ^= ch.charCodeAt(0);
    h = Math.imul(h, 16777619);
  }
  const hue = (h >>> 0) % 360;
  return r.kind === "cap" || r.kind === "group" ? `hsl(${hue} 45% 72%)` : `hsl(${hue} 70% 84%)`;
}

// ---------- render ----------
let lastHash = "";
function update(opts = {}) {
  analyse();
  const r = view.result;
  if (state.sel !== null && !view.rows.some((x) => x.path === state.sel)) state.sel = null;
  $("struct").value = state.struct;
  $("arch").value = state.arch;
  $("endian").value = state.endian;
  $("model").value = state.model;
  $("epoch").value = state.epoch;
  for (const cb of document.querySelectorAll("#proposals input")) cb.checked = state.proposals.includes(cb.value);
  if (opts.rewriteHex || document.activeElement !== $("hex")) $("hex").value = spacedHex(state.bytes);
  const argsz = r.value?.argsz;
  $("hex-summary").textContent =
    `${state.bytes.length} bytes` +
    (typeof argsz === "number" ? `, argsz says ${argsz}` : "") +
    ` — ${state.struct}, ${state.endian}-endian, ${state.model}, Linux ${state.epoch === "6.6" ? "6.6+" : "6.1"}`;
  $("struct-help").textContent = fieldHelp("", state.struct);
  if (!$("ioctl").value) {
    const s = SCHEMA.structs.find((x) => x.name === state.struct);
    const io = s?.ioctl ? ioctls(state.arch).find((i) => i.name === s.ioctl) : null;
    $("ioctl-info").textContent = io ? `${io.name} = ${io.hex} on ${state.arch}` : "";
  }
  renderHex();
  renderTree();
  renderDiagnostics();
  renderDetails();
  renderGuess();
  renderLegend();
  $("verdict").hidden = state.struct !== "vfio_irq_set";
  if (state.struct === "vfio_irq_set") runVerdict();
  writeHash();
}

function renderHex() {
  const hv = $("hexview");
  hv.textContent = "";
  const n = state.bytes.length;
  const sel = selectedRange();
  for (let row = 0; row < Math.max(1, Math.ceil(n / 16)); row++) {
    const line = el("div", "hrow");
    line.setAttribute("role", "row");
    line.append(el("span", "hoff", hx(row * 16, 4).slice(2)));
    for (let b = row * 16; b < Math.min(n, row * 16 + 16); b++) {
      const s = el("span", "b", state.bytes[b].toString(16).padStart(2, "0"));
      s.dataset.off = String(b);
      s.setAttribute("role", "gridcell");
      const o = view.owner[b];
      if (o >= 0) {
        const r = view.rows[o];
        s.dataset.path = r.path;
        if (r.colour) s.style.setProperty("--c", r.colour);
        if (r.kind === "gap" || r.kind === "slack" || r.kind === "tail") s.classList.add(r.kind);
        s.title = `${hx(b)}: ${r.path || state.struct}${r.kind === "field" || r.kind === "elem" ? "" : ` (${r.label ?? r.kind})`}`;
      } else {
        s.classList.add("none");
        s.title = `${hx(b)}: not decoded`;
      }
      if ((b & 3) === 3) s.classList.add("g4");
      if (view.errBytes.has(b)) s.classList.add("err");
      if (sel && b >= sel.offset && b < sel.offset + sel.size) s.classList.add("sel");
      if (b === state.cursor) s.classList.add("cur");
      line.append(s);
    }
    hv.append(line);
  }
  if (!n) hv.append(el("div", "hint", "no bytes yet: paste hex, open a file or pick a sample"));
}

function renderLegend() {
  const lg = $("legend");
  lg.textContent = "";
  const a = el("span", "lg-gap", "hatched: padding, slack or unknown bytes"),
    b = el("span", "lg-err", "red underline: where decoding failed");
  lg.append(el("span", null, "each field has its own colour;"), a, b, el("span", null, "grey: past argsz"));
}

function fmtValue(r) {
  if (r.value === undefined)
    return {
      main:
        r.kind === "gap" || r.kind === "slack" || r.kind === "tail" ? `${r.size} byte${r.size === 1 ? "" : "s"}` : "",
      hex: "",
    };
  const v = r.value;
  if (typeof v === "bigint") return { main: v.toString(), hex: `0x${v.toString(16)}` };
  const unsigned = v < 0 ? (r.size === 8 ? BigInt(v) & ((1n << 64n) - 1n) : v >>> 0) : v;
  return { main: String(v), hex: `0x${unsigned.toString(16)}` };
}

function rowName(r) {
  if (r.kind === "struct") return `struct ${state.struct}`;
  if (r.kind === "cap") {
    const i = Number(/^caps\[(\d+)\]/.exec(r.path)[1]);
    return `capability #${i + 1}: ${r.label}`;
  }
  if (r.kind === "group") return r.label;
  if (r.kind === "needs") return "needs argsz (call again with a bigger buffer)";
  if (r.kind === "error") return `✖ problem: ${r.label}`;
  if (r.kind === "gap") return "padding / unknown bytes";
  if (r.kind === "slack") return "slack (inside argsz, after the known fields)";
  if (r.kind === "tail") return "past argsz (not part of the call)";
  if (r.kind === "elem" && /^data\[/.test(r.path)) {
    const bool = r.size === 1;
    return `${r.path}  ${bool ? "bool" : "eventfd"} for vector ${Number(/\[(\d+)\]/.exec(r.path)[1]) + Number(view.result.value.start ?? 0)}`;
  }
  if (r.kind === "elem")
    return `${r.path.split(".").pop()}${r.label && !/bytes/.test(r.label) ? `  (${r.label})` : r.label ? `  ${r.label}` : ""}`;
  return (
    r.path
      .split(".")
      .filter((p) => p !== "header")
      .slice(-1)[0] + (r.path.includes(".header.") ? "  (header)" : "")
  );
}

const editable = (r) => r.kind === "field" || (r.kind === "elem" && r.value !== undefined);

function renderTree() {
  const t = $("tree");
  t.textContent = "";
  for (const r of view.rows) {
    const d = el("div", `node kind-${r.kind}`);
    d.setAttribute("role", "treeitem");
    d.setAttribute("aria-level", String(r.depth + 1));
    d.setAttribute("aria-selected", String(r.path === state.sel));
    d.dataset.path = r.path;
    d.dataset.kind = r.kind;
    d.style.setProperty("--d", String(r.depth));
    if (r.colour) d.style.setProperty("--c", r.colour);
    if (view.badPaths.has(r.path)) d.classList.add("bad");
    const name = el("span", "name", rowName(r));
    name.append(el("span", "where", r.size ? `${hx(r.offset)}–${hx(r.offset + r.size - 1)}` : hx(r.offset)));
    const f = fmtValue(r);
    const val = el("span", "val");
    val.dataset.value = f.main;
    if (r.kind !== "error" && r.kind !== "struct" && r.kind !== "group" && r.kind !== "cap") {
      val.append(el("span", "dec", f.main));
      if (f.hex && f.hex !== `0x${f.main}`) val.append(el("span", "hexv", f.hex));
    }
    if (r.kind === "cap") val.append(el("span", "dec", `id ${r.value}, ${r.size} bytes`));
    if (r.kind === "struct") val.append(el("span", "dec", `${r.size} bytes fixed`));
    if (editable(r)) {
      val.title = "Enter or double-click to edit";
      d.dataset.editable = "1";
    }
    d.append(name, val);
    if (r.names?.length) d.append(el("span", "names", r.names.join(" | ")));
    else if (r.kind === "elem" && /^data\[/.test(r.path) && r.size === 4)
      d.append(
        el(
          "span",
          "names",
          r.value === -1
            ? "-1: no eventfd (clear this vector)"
            : r.value < -1
              ? "negative: not a file descriptor"
              : `file descriptor ${r.value}`,
        ),
      );
    else if (r.kind === "needs")
      d.append(el("span", "names", `argsz ${r.value} is larger than the ${state.bytes.length} bytes passed`));
    t.append(d);
  }
  if (!view.rows.length) t.append(el("div", "hint", "nothing decoded"));
}

function renderDiagnostics() {
  const ul = $("diagnostics");
  ul.textContent = "";
  const ds = view.result.diagnostics;
  if (!ds.length) {
    ul.append(el("li", "ok", view.result.ok ? "No problems: every byte decodes and the structure is valid." : ""));
    return;
  }
  for (const d of ds) {
    const li = el("li", d.severity);
    li.dataset.offset = String(d.offset);
    li.dataset.size = String(d.size);
    li.dataset.code = d.code;
    if (d.field) li.dataset.field = d.field;
    li.append(
      el("strong", null, d.severity === "error" ? "Problem: " : d.severity === "warning" ? "Warning: " : "Note: "),
      el("span", "msg", d.message),
    );
    if (d.size) li.append(el("span", "range", `bytes ${hx(d.offset)}–${hx(d.offset + d.size - 1)}`));
    ul.append(li);
  }
}

function renderDetails() {
  const box = $("details");
  box.textContent = "";
  const r = view.rows.find((x) => x.path === state.sel);
  if (!r) {
    box.append(el("span", "hint", "Select a field (or a byte) to see what it means."));
    return;
  }
  box.append(el("h3", null, r.path || `struct ${state.struct}`));
  const bytes = state.bytes.slice(r.offset, r.offset + r.size);
  box.append(
    el(
      "div",
      null,
      `bytes ${hx(r.offset)}–${hx(r.offset + Math.max(r.size, 1) - 1)} (${r.size} byte${r.size === 1 ? "" : "s"}): ${spacedHex(bytes.slice(0, 64))}${r.size > 64 ? " …" : ""}`,
    ),
  );
  const h = fieldHelp(r.path, state.struct);
  if (h) box.append(el("p", null, h));
  if (r.kind === "field" && r.path.endsWith("flags")) renderFlagBits(box, r);
}

function renderFlagBits(box, r) {
  const sField = SCHEMA.fields.find(
    (f) =>
      f.flags &&
      (r.path === f.path || r.path.endsWith(`.${f.path}`)) &&
      (f.struct === state.struct || r.path.includes("caps[")),
  );
  const set = sField ? SCHEMA.flagSets[sField.flags] : null;
  if (!set) return;
  const wrap = el("div", "bits");
  const active = [...set.bits, ...set.proposed.filter((b) => state.proposals.includes(b.proposal))];
  for (const b of active) {
    const l = el("label"),
      cb = el("input");
    cb.type = "checkbox";
    cb.checked = (Number(r.value) & b.value) !== 0;
    cb.dataset.bit = String(b.value);
    cb.addEventListener("change", () => applyEdit(r.path, BigInt((Number(r.value) ^ b.value) >>> 0)));
    l.append(cb, el("span", null, `${b.name} (${hx(b.value)})`));
    wrap.append(l);
  }
  box.append(el("div", "hint", "Toggle bits:"), wrap);
}

// ---------- guess from argsz and size ----------
function guess() {
  const cands = [];
  for (const s of SCHEMA.structs.filter((x) => x.kind === "info"))
    for (const endian of ["little", "big"]) {
      let r;
      try {
        r = lib.inspect(s.name, state.bytes, { ...profile(), endian });
      } catch {
        continue;
      }
      const argsz = r.value.argsz,
        len = state.bytes.length;
      let score = r.ok ? 10 : -10;
      if (argsz === len) score += 3;
      if (typeof argsz === "number" && argsz > 4096) score -= 8;
      score -= 4 * r.diagnostics.filter((d) => d.severity === "warning").length;
      const fixed = s.size[(state.model === "ilp32" ? 2 : 0) + (state.epoch === "6.6" ? 1 : 0)];
      if (argsz === fixed) score += 2;
      if (len < s.minsz) score -= 5;
      if (s.name === "vfio_irq_set" && r.ok) {
        const el = lib.irqSetElementSize(Number(r.value.flags));
        if (el && argsz === lib.SIZEOF_VFIO_IRQ_SET + Number(r.value.count) * el) score += 3;
      }
      if (r.value.caps?.length) score += 2;
      // the chosen struct failing only inside its capability chain is still the right struct
      if (!r.ok && s.name === state.struct && r.value.caps?.length && endian === state.endian) score += 15;
      if (endian === state.endian) score += 0.5;
      cands.push({ struct: s.name, endian, score, argsz, fixed });
    }
  cands.sort((a, b) => b.score - a.score);
  return cands[0] ?? null;
}

function renderGuess() {
  const p = $("guess");
  p.textContent = "";
  if (!state.bytes.length) return;
  const g = guess();
  if (!g || g.score < 5) {
    p.textContent = "Guess: these bytes do not decode cleanly as any ioctl buffer.";
    return;
  }
  const why = `argsz ${g.argsz}${g.argsz === state.bytes.length ? " = buffer size" : `, buffer ${state.bytes.length} bytes`}`;
  if (g.struct === state.struct && g.endian === state.endian) {
    p.textContent = `Guess from argsz and size agrees: ${g.struct} (${why}).`;
    return;
  }
  p.append(
    `Guess from argsz and size: ${g.struct}${g.endian !== state.endian ? ` (${g.endian}-endian)` : ""} (${why}).`,
  );
  const b = el("button", null, "Use it");
  b.type = "button";
  b.id = "use-guess";
  b.addEventListener("click", () => {
    state.struct = g.struct;
    state.endian = g.endian;
    state.sel = null;
    update();
  });
  p.append(b);
}

// ---------- selection and keyboard ----------
function selectedRange() {
  if (state.range) return state.range;
  const r = view.rows.find((x) => x.path === state.sel);
  return r ? { offset: r.offset, size: r.size } : null;
}

function select(path, opts = {}) {
  state.sel = path;
  state.range = null;
  const r = view.rows.find((x) => x.path === path);
  if (r && !opts.keepCursor) state.cursor = r.offset;
  refreshSelection();
  renderDetails();
  writeHash();
  const n = [...$("tree").children].find((x) => x.dataset.path === path);
  n?.scrollIntoView({ block: "nearest" });
}

// Update highlight classes in place (no re-render, so a double-click lands on the same element).
function refreshSelection() {
  const sel = selectedRange();
  for (const b of $("hexview").querySelectorAll(".b")) {
    const o = Number(b.dataset.off);
    b.classList.toggle("sel", !!sel && o >= sel.offset && o < sel.offset + sel.size);
    b.classList.toggle("cur", o === state.cursor);
  }
  for (const n of $("tree").children)
    if (n.dataset.path !== undefined) n.setAttribute("aria-selected", String(n.dataset.path === state.sel));
}

function selectByte(b) {
  state.cursor = b;
  const o = view.owner[b];
  if (o >= 0) select(view.rows[o].path, { keepCursor: true });
  else {
    state.sel = null;
    state.range = { offset: b, size: 1 };
    refreshSelection();
    renderDetails();
  }
  $("hexview").querySelector(`.b[data-off="${b}"]`)?.scrollIntoView({ block: "nearest" });
}

function selectDiag(li) {
  const field = li.dataset.field;
  if (field && view.rows.some((r) => r.path === field)) select(field);
  else {
    state.sel = null;
    state.range = { offset: Number(li.dataset.offset), size: Number(li.dataset.size) };
    refreshSelection();
    renderDetails();
  }
  const errRow = view.rows.find((r) => r.kind === "error");
  if (errRow && !field) select(errRow.path);
}

function treeKey(e) {
  if (editing) return;
  const rows = view.rows;
  if (!rows.length) return;
  const i = rows.findIndex((r) => r.path === state.sel);
  const go = (j) => {
    e.preventDefault();
    select(rows[Math.max(0, Math.min(rows.length - 1, j))].path);
  };
  if (e.key === "ArrowDown") go(i + 1);
  else if (e.key === "ArrowUp") go(i < 0 ? 0 : i - 1);
  else if (e.key === "Home") go(0);
  else if (e.key === "End") go(rows.length - 1);
  else if (e.key === "ArrowLeft" && i > 0) {
    // to the parent
    const d = rows[i].depth;
    for (let j = i - 1; j >= 0; j--) if (rows[j].depth < d) return go(j);
  } else if (e.key === "ArrowRight" && i >= 0 && i + 1 < rows.length && rows[i + 1].depth > rows[i].depth) go(i + 1);
  else if ((e.key === "Enter" || e.key === "F2") && i >= 0) {
    e.preventDefault();
    startEdit(rows[i].path);
  }
}

function hexKey(e) {
  const n = state.bytes.length;
  if (!n) return;
  const step = { ArrowLeft: -1, ArrowRight: 1, ArrowUp: -16, ArrowDown: 16 }[e.key];
  if (step !== undefined) {
    e.preventDefault();
    selectByte(Math.max(0, Math.min(n - 1, state.cursor + step)));
  } else if (e.key === "Enter" && state.sel !== null) {
    e.preventDefault();
    $("tree").focus();
    startEdit(state.sel);
  }
}

// ---------- editing ----------
function startEdit(path) {
  const r = view.rows.find((x) => x.path === path);
  if (!r || !editable(r)) return;
  select(path);
  const node = [...$("tree").children].find((x) => x.dataset.path === path);
  const val = node.querySelector(".val");
  const input = el("input", "edit");
  input.type = "text";
  input.value = String(r.value);
  input.setAttribute("aria-label", `new value for ${path}`);
  val.textContent = "";
  val.append(input);
  input.focus();
  input.select();
  editing = path;
  const finish = (commit) => {
    if (editing !== path) return;
    editing = null;
    if (commit) {
      const t = input.value.trim();
      if (!/^-?(0x[0-9a-f]+|\d+)$/i.test(t)) {
        showEditError(`"${t}" is not a number (decimal, or hex with 0x)`);
        update();
        return;
      }
      const neg = t.startsWith("-");
      const mag = BigInt(neg ? t.slice(1) : t);
      applyEdit(path, neg ? -mag : mag);
    } else update();
    $("tree").focus();
  };
  input.addEventListener("keydown", (e) => {
    e.stopPropagation();
    if (e.key === "Enter") finish(true);
    else if (e.key === "Escape") finish(false);
  });
  input.addEventListener("blur", () => finish(false));
}

function showEditError(msg) {
  const p = $("edit-error");
  p.hidden = !msg;
  p.textContent = msg ?? "";
}

function setPath(obj, path, v) {
  const parts = path.split(".").flatMap((p) => {
    const m = /^(\w+)\[(\d+)\]$/.exec(p);
    return m ? [m[1], Number(m[2])] : [p];
  });
  let o = obj;
  for (let i = 0; i < parts.length - 1; i++) o = o[parts[i]];
  o[parts[parts.length - 1]] = v;
}

/** Change one value; the bytes are re-encoded at once (argsz follows a resized payload unless it was edited). */
function applyEdit(path, big) {
  const r = view.rows.find((x) => x.path === path);
  if (!r) return;
  showEditError(null);
  const res = view.result;
  try {
    let bytes;
    if (res.ok) bytes = reencode(res, path, r, big);
    else bytes = patch(r, big); // broken input: write the field in place so the rest stays byte for byte
    state.bytes = bytes;
  } catch (e) {
    showEditError(`Cannot set ${path} to ${big}: ${e.message}`);
  }
  update({ rewriteHex: true });
}

function asValue(r, big) {
  return r.size === 8 ? BigInt.asUintN(64, big) : Number(big);
}

function reencode(res, path, r, big) {
  const v = structuredClone(res.value);
  const prof = profile();
  if (state.struct === "vfio_irq_set" && path !== "argsz" && (path === "count" || path === "flags")) {
    const oldLen = state.bytes.length,
      consistent = res.value.argsz === oldLen;
    setPath(v, path, asValue(r, big));
    const elem = lib.irqSetElementSize(Number(v.flags));
    const count = Number(v.count) >>> 0;
    const old = v.data ?? [];
    const n = elem ? Math.min(count, 4096) : 0;
    v.data = Array.from({ length: n }, (_, i) =>
      i < old.length ? (elem === 1 ? (old[i] ? 1 : 0) : old[i]) : elem === 1 ? 0 : -1,
    );
    const payload = n * elem;
    delete v.$.slack;
    delete v.$.slackOffset;
    delete v.$.tail;
    delete v.$.tailOffset;
    v.$.length = consistent ? 20 + payload : Math.max(20 + payload, oldLen);
    if (consistent) v.argsz = 20 + payload;
    return lib.encode(state.struct, v, prof);
  }
  setPath(v, path, asValue(r, big));
  return lib.encode(state.struct, v, prof);
}

function patch(r, big) {
  const out = state.bytes.slice();
  const size = r.size,
    little = state.endian === "little";
  if (r.offset + size > out.length) throw new Error("the field runs past the end of the bytes");
  let u = BigInt.asUintN(size * 8, big);
  if (big < 0n && big < -(1n << BigInt(size * 8 - 1))) throw new Error(`does not fit in ${size} bytes`);
  if (big > 0n && big >= 1n << BigInt(size * 8)) throw new Error(`does not fit in ${size} bytes`);
  for (let i = 0; i < size; i++) {
    out[r.offset + (little ? i : size - 1 - i)] = Number(u & 0xffn);
    u >>= 8n;
  }
  return out;
}

// ---------- export ----------
function spacedHex(b) {
  let s = "";
  for (let i = 0; i < b.length; i++)
    s += (i && i % 4 === 0 ? (i % 16 === 0 ? "\n" : " ") : "") + b[i].toString(16).padStart(2, "0");
  return s;
}

function cInitialiser() {
  const b = state.bytes,
    lines = [];
  lines.push(
    `/* struct ${state.struct}: ${b.length} bytes, ${state.endian}-endian ${state.model}, Linux ${state.epoch === "6.6" ? "6.6+" : "6.1"} layout (vfio-abi inspector) */`,
  );
  lines.push(`unsigned char buf[${b.length}] __attribute__((aligned(8))) = {`);
  let i = 0;
  while (i < b.length) {
    const o = view.owner[i];
    let j = i + 1;
    while (j < b.length && view.owner[j] === o && j - i < 8) j++;
    const r = o >= 0 ? view.rows[o] : null;
    const what = r
      ? r.kind === "field" || r.kind === "elem"
        ? `${r.path}${r.value !== undefined ? ` = ${fmtValue(r).main}` : ""}`
        : rowName(r)
      : "not decoded";
    const bytes = Array.from(b.slice(i, j), (x) => `0x${x.toString(16).padStart(2, "0")}`).join(", ");
    lines.push(
      `  ${bytes},${" ".repeat(Math.max(1, 48 - bytes.length))}/* ${hx(i)} ${what.replace(/\*\//g, "* /")} */`,
    );
    i = j;
  }
  lines.push("};");
  return lines.join("\n");
}

async function exportText(text, what) {
  $("export").value = text;
  try {
    await navigator.clipboard.writeText(text);
    $("export").title = `${what} copied to the clipboard`;
  } catch {
    $("export").title = `${what}: select and copy (the clipboard is not available here)`;
  }
  $("export").dataset.kind = what;
}

// ---------- kernel verdict ----------
let verdictSeq = 0;
async function runVerdict() {
  if (state.struct !== "vfio_irq_set") return;
  const seq = ++verdictSeq;
  const counts = $("v-counts").value.split(/[ ,]+/).filter(Boolean).map(Number);
  const res = await verdict({
    bytes: state.bytes,
    driver: $("v-driver").value,
    kernel: $("v-kernel").value,
    irqCounts: counts,
    preset: $("v-device").value || null,
    bigEndian: state.endian === "big",
  });
  if (seq !== verdictSeq) return;
  const p = $("v-result");
  p.className = "verdict";
  if (!res.available) {
    p.textContent = `Kernel oracle not available: ${res.reason}.`;
    p.dataset.state = "unavailable";
    return;
  }
  p.dataset.state = res.ok ? "pass" : "fail";
  p.classList.add(res.ok ? "pass" : "fail");
  p.textContent = res.ok
    ? `The kernel would accept this request (returns ${res.ret}) on ${res.device}.${res.reason ? ` ${res.reason}` : ""}`
    : `The kernel would answer -1, errno ${res.errno} on ${res.device}. Rule that fails: ${res.rule}${res.reason ? ` — ${res.reason}` : ""}`;
}

// ---------- URL fragment: the whole state, so a link restores it ----------
function writeHash() {
  const p = new URLSearchParams();
  p.set("s", state.struct);
  p.set("b", lib.toHex(state.bytes));
  if (state.arch !== "x86_64") p.set("a", state.arch);
  p.set("e", state.endian);
  p.set("m", state.model);
  p.set("k", state.epoch);
  if (state.proposals.length) p.set("p", state.proposals.join(","));
  if (state.sel !== null) p.set("f", state.sel);
  lastHash = p.toString();
  if (location.hash.slice(1) !== lastHash) history.replaceState(null, "", `#${lastHash}`);
}

function restoreFromHash() {
  const h = location.hash.slice(1);
  if (!h) return false;
  const p = new URLSearchParams(h);
  if (!p.has("b") && !p.has("s")) return false;
  try {
    state.bytes = lib.fromHex(p.get("b") ?? "");
  } catch {
    state.bytes = new Uint8Array(0);
  }
  if (p.get("s") && SCHEMA.structs.some((s) => s.name === p.get("s"))) state.struct = p.get("s");
  const a = p.get("a");
  if (a && SCHEMA.arches[a]) state.arch = a;
  state.endian = p.get("e") === "big" ? "big" : p.get("e") === "little" ? "little" : SCHEMA.arches[state.arch].endian;
  state.model = p.get("m") === "ilp32" ? "ilp32" : p.get("m") === "lp64" ? "lp64" : SCHEMA.arches[state.arch].model;
  state.epoch = p.get("k") === "6.1" ? "6.1" : "6.6";
  state.proposals = (p.get("p") ?? "").split(",").filter((x) => SCHEMA.proposals.some((q) => q.name === x));
  state.sel = p.get("f");
  state.range = null;
  update({ rewriteHex: true });
  const r = view.rows.find((x) => x.path === state.sel);
  if (r) state.cursor = r.offset;
  return true;
}

boot().catch((e) => {
  const b = $("backend");
  b.textContent = `the codec failed to load: ${e.message}`;
  b.classList.add("fail");
  document.body.dataset.ready = "failed";
  console.error(e);
});
