// Details of the selection: where it is, its bytes, what it means in plain words, and for a flags
// field one checkbox per bit the schema names.
import { $, el, hx, spanText } from "../dom.js";
import { fieldHelp } from "../help.js";
import * as lib from "../lib.js";

function flagBits(app, row, s) {
  const set = lib.SCHEMA.flagSets[lib.SCHEMA.fields[row.field]?.flags];
  if (!set) return null;
  const wrap = el("div", "bits");
  const bits = [...set.bits, ...set.proposed.filter((b) => s.proposals.includes(b.proposal))];
  const value = BigInt(row.value);
  for (const b of bits) {
    const l = el("label"),
      cb = el("input");
    cb.type = "checkbox";
    cb.checked = (value & BigInt(b.value)) !== 0n;
    cb.dataset.bit = String(b.value);
    cb.addEventListener("change", () => app.edit(row, value ^ BigInt(b.value)));
    l.append(cb, el("span", null, `${b.name} (${hx(b.value)})`));
    wrap.append(l);
  }
  return wrap;
}

export function mount(app) {
  const box = $("details");
  function render(s, model) {
    box.textContent = "";
    const range = app.selectedRange();
    const row = model.byPath.get(s.sel);
    if (!row && !range) {
      box.append(el("span", "hint", "Select a field (or a byte) to see what it means."));
      return;
    }
    const { offset, size } = row ?? range;
    const bytes = s.bytes.slice(offset, offset + Math.min(size, 64));
    box.append(el("h3", null, row ? row.path || `struct ${s.struct}` : `byte ${hx(offset)}`));
    const more = size > 64 ? " …" : "";
    box.append(
      el(
        "div",
        null,
        `bytes ${spanText(offset, size)} (${size} byte${size === 1 ? "" : "s"}): ${lib.formatHex(bytes, { line: 64 })}${more}`,
      ),
    );
    if (!row) {
      box.append(el("p", null, "No field covers this byte: it lies past what decoded."));
      return;
    }
    const help = fieldHelp(row, s.struct);
    if (help) box.append(el("p", null, help));
    if (row.rejected && model.verdict)
      box.append(el("p", "rejects", `The kernel would reject this: rule ${model.verdict.rule}.`));
    if (row.kind === "field" && row.value !== undefined) {
      const bits = flagBits(app, row, s);
      if (bits) box.append(el("div", "hint", "Toggle bits:"), bits);
    }
  }
  return { render, select: (s) => render(s, app.model) };
}
