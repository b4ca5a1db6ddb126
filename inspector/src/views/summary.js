// The one-line summary above the hex view, the struct's description above the tree, and the
// glossary.
import { $, el } from "../dom.js";
import { fieldHelp, GLOSSARY } from "../help.js";
import * as lib from "../lib.js";
import { profileOf } from "../state.js";

export function mount() {
  for (const [w, d] of GLOSSARY) $("glossary-list").append(el("dt", null, w), el("dd", null, d));
  return {
    render(s, model) {
      const argsz = model.result.value?.argsz;
      const p = lib.resolveProfile(profileOf(s));
      $("hex-summary").textContent =
        `${s.bytes.length} bytes${typeof argsz === "number" ? `, argsz says ${argsz}` : ""} — ` +
        `${s.struct}, ${s.endian}-endian, ${s.model}, Linux ${s.kernel} (${p.epoch === "6.1" ? "packed" : "aligned"} layout)`;
      $("struct-help").textContent = fieldHelp({ kind: "struct", key: [] }, s.struct);
    },
  };
}
