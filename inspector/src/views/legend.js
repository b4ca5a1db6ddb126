// The colour legend: every coloured field in byte order with its swatch (a click selects it), and
// what the other marks in the hex view mean.
import { $, el } from "../dom.js";

/** More chips than this become "… and N more" (a 1000-vector payload needs no 1000 chips). */
const MAX_CHIPS = 64;

function chip(row) {
  const b = el("button", "chip", row.path);
  b.type = "button";
  b.dataset.path = row.path;
  b.dataset.colour = String(row.colour);
  b.style.setProperty("--c", `var(--p${row.colour})`);
  return b;
}

function marks(model) {
  const out = [
    ["lg-gap", "hatched: padding, slack or unknown bytes"],
    ["lg-tail", "grey: past argsz"],
  ];
  if (model.owner.some((o) => o < 0))
    out.push(["lg-none", "faint, no colour: not decoded (decoding stopped before these bytes)"]);
  if (model.errBytes.size) out.push(["lg-err", "red underline: where decoding failed"]);
  if (model.verdictBytes.size) out.push(["lg-rejected", "red frame: what the kernel would reject"]);
  return out.map(([cls, text]) => el("span", `mark ${cls}`, text));
}

export function mount(app) {
  const lg = $("legend");
  lg.addEventListener("click", (e) => {
    const b = e.target.closest(".chip");
    if (b) app.select(b.dataset.path);
  });
  return {
    render(_s, model) {
      lg.textContent = "";
      const fields = model.rows
        .filter((r) => (r.kind === "field" || r.kind === "elem") && r.colour !== null)
        .sort((a, b) => a.offset - b.offset);
      const chips = el("div", "chips");
      chips.setAttribute("aria-label", "Colour of each field");
      for (const r of fields.slice(0, MAX_CHIPS)) chips.append(chip(r));
      if (fields.length > MAX_CHIPS) chips.append(el("span", "hint", `… and ${fields.length - MAX_CHIPS} more`));
      const m = el("div", "marks");
      m.append(...marks(model));
      lg.append(chips, m);
    },
  };
}
