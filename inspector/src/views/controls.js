// The input column: the bytes (hex box, file, drop, samples), what they are (struct, ioctl, the
// guess), and the machine and kernel they come from. Every list is built from the schema, the
// ioctl table and the oracle, so new structs and ioctls appear with nothing to change here.
import { $, el, fillSelect } from "../dom.js";
import * as lib from "../lib.js";
import { allSamples, GROUPS } from "../samples.js";
import { knownKernel, profileOf } from "../state.js";

const KIND_LABELS = {
  info: "ioctl arguments (start with argsz)",
  message: "vfio-user messages",
  cap: "capabilities",
  plain: "parts and other structs",
};

/** The hex box reads every dump the CLI reads (lib.parseDump); this names what it recognised. */
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

const archOf = (name) => lib.SCHEMA.arches[name];

function fillStructs() {
  const kinds = [...new Set([...Object.keys(KIND_LABELS), ...lib.SCHEMA.structs.map((s) => s.kind)])];
  fillSelect(
    $("struct"),
    kinds.map((k) => ({
      label: KIND_LABELS[k] ?? k,
      items: lib.SCHEMA.structs.filter((s) => s.kind === k).map((s) => [s.name, s.name, s.doc ?? ""]),
    })),
  );
}

function fillSamples(samples) {
  const groups = Object.entries(GROUPS).map(([g, label]) => ({
    label,
    items: samples.filter((s) => s.group === g).map((s) => [s.id, s.label, s.note ?? `struct ${s.struct}`]),
  }));
  fillSelect($("sample"), [["", "— choose a sample —"], ...groups]);
}

function fillMachine() {
  fillSelect(
    $("arch"),
    Object.keys(lib.SCHEMA.arches).map((a) => [a, a]),
  );
  fillSelect(
    $("kernel"),
    [...lib.KNOWN_KERNELS].reverse().map((k) => [k, `Linux ${k}${k === lib.DEFAULT_KERNEL ? " (newest)" : ""}`]),
  );
  for (const p of lib.SCHEMA.proposals) {
    const l = el("label"),
      cb = el("input");
    cb.type = "checkbox";
    cb.value = p.name;
    l.append(cb, el("span", null, `${p.name}: ${p.doc}`));
    $("proposals").append(l);
  }
}

function fillIoctls(arch) {
  const list = $("ioctl-list");
  list.textContent = "";
  for (const i of lib.ioctls(arch)) {
    const o = el("option");
    o.value = i.name;
    o.label = `${i.hex}${i.arg ? `, ${i.arg}` : ""}`;
    list.append(o);
  }
}

const dirWords = { in: "you → kernel", inout: "you → kernel → you", out: "kernel → you", none: "no argument" };
const isStruct = (name) => lib.SCHEMA.structs.some((s) => s.name === name);

function ioctlText(hits, known) {
  const one = (h) => {
    const arg = !h.arg
      ? "no argument"
      : isStruct(h.arg)
        ? `struct ${h.arg}`
        : `${h.arg} (not a struct this codec decodes)`;
    return `${h.name} = ${h.hex} on ${h.arch} (${h.fd} fd, ${dirWords[h.dir] ?? h.dir}) takes ${arg}`;
  };
  const many = known.length > 1 ? `. Several ioctls share this number on different fds; showing ${known[0].arg}.` : ".";
  return hits.map(one).join("; ") + many;
}

/** A state patch that loads a sample. */
export function sampleState(sample, current) {
  const arch = sample.arch ?? "x86_64";
  const base = {
    struct: sample.struct,
    arch,
    endian: archOf(arch).endian,
    model: archOf(arch).model,
    kernel: sample.epoch || sample.hex !== null ? knownKernel(sample.epoch) : current.kernel,
    proposals: [],
    sel: null,
  };
  const bytes =
    sample.hex === null ? lib.blankBytes(sample.struct, profileOf({ ...current, ...base })) : lib.fromHex(sample.hex);
  return { ...base, bytes };
}

export function mount(app) {
  const samples = allSamples();
  fillStructs();
  fillSamples(samples);
  fillMachine();
  let ioctlArch = null;
  let ioctlNote = "";

  const set = (patch) => app.store.set(patch);
  $("sample").addEventListener("change", (e) => {
    const s = samples.find((x) => x.id === e.target.value);
    if (!s) return;
    ioctlNote = "";
    $("ioctl").value = "";
    $("sample-note").textContent = s.note ?? "";
    set(sampleState(s, app.store.get()));
  });
  $("struct").addEventListener("change", (e) => {
    ioctlNote = "";
    $("ioctl").value = "";
    set({ struct: e.target.value, sel: null });
  });
  const useIoctl = () => {
    const q = $("ioctl").value.trim();
    if (!q) return;
    const s = app.store.get();
    let hits = [];
    try {
      hits = lib.lookupIoctl(q, s.arch);
    } catch {
      hits = [];
    }
    const known = hits.filter((h) => h.arg && isStruct(h.arg));
    ioctlNote = hits.length ? ioctlText(hits, known) : `No VFIO ioctl is called or numbered ${q}.`;
    if (known.length) set({ struct: known[0].arg, sel: null });
    else $("ioctl-info").textContent = ioctlNote;
  };
  $("ioctl").addEventListener("change", useIoctl);
  $("ioctl").addEventListener("keydown", (e) => {
    if (e.key === "Enter") useIoctl();
  });
  $("arch").addEventListener("change", (e) => {
    const a = archOf(e.target.value);
    set({ arch: e.target.value, endian: a.endian, model: a.model });
  });
  $("endian").addEventListener("change", (e) => set({ endian: e.target.value }));
  $("model").addEventListener("change", (e) => set({ model: e.target.value }));
  $("kernel").addEventListener("change", (e) => set({ kernel: e.target.value }));
  $("proposals").addEventListener("change", () =>
    set({ proposals: [...document.querySelectorAll("#proposals input:checked")].map((x) => x.value) }),
  );

  let timer = 0;
  $("hex").addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(() => readHexBox(app), 120);
  });
  $("file").addEventListener("change", (e) => {
    const f = e.target.files?.[0];
    if (f) loadFile(app, f);
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
    if (f) loadFile(app, f);
  });

  return {
    render(s, model) {
      $("struct").value = s.struct;
      $("arch").value = s.arch;
      $("endian").value = s.endian;
      $("model").value = s.model;
      $("kernel").value = s.kernel;
      for (const cb of document.querySelectorAll("#proposals input")) cb.checked = s.proposals.includes(cb.value);
      if (document.activeElement !== $("hex")) $("hex").value = lib.formatHex(s.bytes);
      if (ioctlArch !== s.arch) fillIoctls((ioctlArch = s.arch));
      $("layout-note").textContent = layoutNote(s);
      $("ioctl-info").textContent = ioctlNote || structIoctl(s);
      renderGuess(app, s, model);
    },
  };
}

function layoutNote(s) {
  const p = lib.resolveProfile(profileOf(s));
  return p.epoch === "6.1"
    ? "Layout of Linux 6.1–6.5: capabilities packed back to back, vfio_device_info 20 bytes."
    : "Layout of Linux 6.6 and later: capabilities 8-byte aligned, vfio_device_info 24 bytes.";
}

function structIoctl(s) {
  const io = lib.ioctls(s.arch).find((i) => i.arg === s.struct);
  return io ? `${io.name} = ${io.hex} on ${s.arch}` : "";
}

function renderGuess(app, s, model) {
  const p = $("guess");
  p.textContent = "";
  if (!s.bytes.length) return;
  const [g] = lib.guessStruct(s.bytes, { ...profileOf(s), current: s.struct });
  if (!g || g.score < lib.CONFIDENT_GUESS) {
    p.textContent = "Guess: these bytes do not decode cleanly as any ioctl buffer.";
    return;
  }
  const size = g.argsz === s.bytes.length ? " = buffer size" : `, buffer ${s.bytes.length} bytes`;
  const why = `${lib.SCHEMA.structs.find((x) => x.name === g.struct)?.kind === "message" ? "msg_size" : "argsz"} ${g.argsz}${size}`;
  if (g.struct === s.struct && g.endian === s.endian) {
    p.textContent = `Guess from argsz and size agrees: ${g.struct} (${why}).`;
    return;
  }
  if (model.result.ok && g.struct === s.struct) return;
  p.append(`Guess from argsz and size: ${g.struct}${g.endian !== s.endian ? ` (${g.endian}-endian)` : ""} (${why}).`);
  const b = el("button", null, "Use it");
  b.type = "button";
  b.id = "use-guess";
  b.addEventListener("click", () => app.store.set({ struct: g.struct, endian: g.endian, sel: null }));
  p.append(b);
}

function readHexBox(app) {
  const s = app.store.get();
  try {
    const d = lib.parseDump($("hex").value, { endian: s.endian, struct: s.struct, profile: profileOf(s) });
    $("input-error").hidden = true;
    const what = FORMAT_NAMES[d.format];
    $("input-note").hidden = !what;
    $("input-note").textContent = what
      ? `Read as ${what}: ${d.bytes.length} bytes.${d.notes.length ? ` ${d.notes.join("; ")}.` : ""}`
      : "";
    app.store.set({ bytes: d.bytes });
  } catch (e) {
    $("input-error").hidden = false;
    $("input-note").hidden = true;
    $("input-error").textContent = `Cannot read these bytes: ${e.message}`;
  }
}

/** A binary file: its bytes as they are; when they do not decode as the chosen struct, the best guess. */
async function loadFile(app, f) {
  const bytes = new Uint8Array(await f.arrayBuffer());
  const s = app.store.get();
  const patch = { bytes, sel: null };
  const fits = lib.inspect(s.struct, bytes, profileOf(s)).ok;
  const [g] = lib.guessStruct(bytes, { ...profileOf(s), current: s.struct });
  if (!fits && g?.ok && g.score >= lib.CONFIDENT_GUESS) Object.assign(patch, { struct: g.struct, endian: g.endian });
  app.store.set(patch);
}
