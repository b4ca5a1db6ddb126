// The page's state, and its home: the URL fragment. Everything a link should reproduce lives here
// (bytes, struct, machine, kernel, selection, verdict inputs, export kind, theme); everything else
// (the view model, the verdict) is derived from it. Short keys keep links short.
import * as lib from "./lib.js";

/** fds the verdict treats as open eventfds and as open files (not eventfds) unless told otherwise. */
export const DEFAULT_FDS = { eventfds: "3-1023", files: "0-2" };

export const DEFAULT_VERDICT = { device: "", driver: "vfio-pci", counts: "1,1,5,1,1", ...DEFAULT_FDS };

export const EXPORT_KINDS = ["hex", "c", "json", "link"];
export const THEMES = ["auto", "dark", "light"];

export function defaults() {
  const arch = "x86_64";
  return {
    bytes: new Uint8Array(0),
    struct: "vfio_irq_set",
    arch,
    endian: lib.SCHEMA.arches[arch].endian,
    model: lib.SCHEMA.arches[arch].model,
    kernel: lib.DEFAULT_KERNEL,
    proposals: [],
    /** The selected span, by its path ("caps[0].header.next"), or null. */
    sel: null,
    verdict: { ...DEFAULT_VERDICT },
    exportKind: null,
    theme: "auto",
  };
}

const versionOf = (k) => {
  const [a, b] = String(k).split(".").map(Number);
  return a * 1000 + (b || 0);
};

/**
 * The kernel the page shows for a release: itself when the oracle knows it, else the nearest known
 * one at or after it (so "6.6", "6.6 and later" in older links, becomes 6.12), else the newest.
 */
export function knownKernel(release) {
  if (!release) return lib.DEFAULT_KERNEL;
  if (lib.KNOWN_KERNELS.includes(release)) return release;
  const v = versionOf(release);
  return lib.KNOWN_KERNELS.find((k) => versionOf(k) >= v) ?? lib.DEFAULT_KERNEL;
}

/** The codec profile of a state (the kernel release picks the layout). */
export const profileOf = (s) => ({ endian: s.endian, model: s.model, epoch: s.kernel, proposals: s.proposals });

/** The fragment (without '#') that reproduces a state. */
export function toFragment(s) {
  const p = new URLSearchParams();
  const d = defaults();
  p.set("s", s.struct);
  p.set("b", lib.toHex(s.bytes));
  if (s.arch !== d.arch) p.set("a", s.arch);
  p.set("e", s.endian);
  p.set("m", s.model);
  p.set("k", s.kernel);
  if (s.proposals.length) p.set("p", s.proposals.join(","));
  if (s.sel !== null) p.set("f", s.sel);
  const v = s.verdict;
  for (const [key, name] of [
    ["vd", "device"],
    ["vr", "driver"],
    ["vc", "counts"],
    ["ve", "eventfds"],
    ["vf", "files"],
  ])
    if (v[name] !== DEFAULT_VERDICT[name]) p.set(key, v[name]);
  if (s.exportKind) p.set("x", s.exportKind);
  if (s.theme !== "auto") p.set("t", s.theme);
  return p.toString();
}

const oneOf = (v, list, dflt) => (list.includes(v) ? v : dflt);

/** The state a fragment describes, or null when it describes none (no bytes and no struct). */
export function fromFragment(fragment) {
  const p = new URLSearchParams(fragment);
  if (!p.has("b") && !p.has("s")) return null;
  const s = defaults();
  try {
    s.bytes = lib.fromHex(p.get("b") ?? "");
  } catch {
    s.bytes = new Uint8Array(0);
  }
  const struct = p.get("s");
  if (struct && lib.SCHEMA.structs.some((x) => x.name === struct)) s.struct = struct;
  const arch = p.get("a");
  if (arch && lib.SCHEMA.arches[arch]) s.arch = arch;
  s.endian = oneOf(p.get("e"), ["little", "big"], lib.SCHEMA.arches[s.arch].endian);
  s.model = oneOf(p.get("m"), ["lp64", "ilp32"], lib.SCHEMA.arches[s.arch].model);
  s.kernel = knownKernel(p.get("k"));
  s.proposals = (p.get("p") ?? "").split(",").filter((x) => lib.SCHEMA.proposals.some((q) => q.name === x));
  s.sel = p.get("f");
  s.verdict = {
    device: p.get("vd") ?? DEFAULT_VERDICT.device,
    driver: p.get("vr") ?? DEFAULT_VERDICT.driver,
    counts: p.get("vc") ?? DEFAULT_VERDICT.counts,
    eventfds: p.get("ve") ?? DEFAULT_VERDICT.eventfds,
    files: p.get("vf") ?? DEFAULT_VERDICT.files,
  };
  s.exportKind = oneOf(p.get("x"), EXPORT_KINDS, null);
  s.theme = oneOf(p.get("t"), THEMES, "auto");
  return s;
}

/** A tiny observable store: set() merges a patch and tells every listener what changed. */
export function createStore(initial) {
  let state = initial;
  const listeners = new Set();
  return {
    get: () => state,
    set(patch) {
      state = { ...state, ...patch };
      for (const f of listeners) f(state, patch);
    },
    subscribe: (f) => listeners.add(f),
  };
}
