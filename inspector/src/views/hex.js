// The hex view: 16 bytes a row, each byte in its field's colour; hatched padding, grey bytes past
// argsz, a red underline where decoding failed and a red frame on what the kernel would reject.
// A click or the arrow keys select the byte's field.
import { $, el, hx } from "../dom.js";

const UNNAMED = new Set(["gap", "slack", "tail"]);

function byteTitle(b, row, s) {
  if (!row) return `${hx(b)}: not decoded`;
  const what = row.kind === "field" || row.kind === "elem" ? "" : ` (${row.label ?? row.kind})`;
  return `${hx(b)}: ${row.path || s.struct}${what}`;
}

export function mount(app) {
  const hv = $("hexview");
  hv.addEventListener("click", (e) => {
    const b = e.target.closest(".b");
    if (b) app.selectByte(Number(b.dataset.off));
  });
  hv.addEventListener("keydown", (e) => {
    const n = app.store.get().bytes.length;
    if (!n) return;
    const step = { ArrowLeft: -1, ArrowRight: 1, ArrowUp: -16, ArrowDown: 16 }[e.key];
    if (step !== undefined) {
      e.preventDefault();
      app.selectByte(Math.max(0, Math.min(n - 1, app.ui.cursor + step)));
    } else if (e.key === "Enter" && app.store.get().sel !== null) {
      e.preventDefault();
      app.editSelected();
    }
  });

  function select(s) {
    const sel = app.selectedRange();
    for (const b of hv.querySelectorAll(".b")) {
      const o = Number(b.dataset.off);
      b.classList.toggle("sel", !!sel && o >= sel.offset && o < sel.offset + sel.size);
      b.classList.toggle("cur", o === app.ui.cursor);
    }
    hv.querySelector(`.b[data-off="${app.ui.cursor}"]`)?.scrollIntoView({ block: "nearest" });
    return s;
  }

  function render(s, model) {
    hv.textContent = "";
    const n = s.bytes.length;
    for (let row = 0; row < Math.ceil(n / 16); row++) {
      const line = el("div", "hrow");
      line.setAttribute("role", "row");
      line.append(el("span", "hoff", (row * 16).toString(16).padStart(4, "0")));
      for (let b = row * 16; b < Math.min(n, row * 16 + 16); b++) line.append(byteCell(b, s, model));
      hv.append(line);
    }
    if (!n) hv.append(el("div", "hint", "no bytes yet: paste hex, open a file or pick a sample"));
    select(s);
  }

  return { render, select };
}

function byteCell(b, s, model) {
  const c = el("span", "b", s.bytes[b].toString(16).padStart(2, "0"));
  c.dataset.off = String(b);
  c.setAttribute("role", "gridcell");
  const row = model.rows[model.owner[b]];
  if (row) {
    c.dataset.path = row.path;
    if (row.colour !== null) {
      c.dataset.colour = String(row.colour);
      c.style.setProperty("--c", `var(--p${row.colour})`);
    }
    if (UNNAMED.has(row.kind)) c.classList.add(row.kind);
  } else c.classList.add("none");
  c.title = byteTitle(b, row, s);
  if ((b & 3) === 3) c.classList.add("g4");
  if (model.errBytes.has(b)) c.classList.add("err");
  if (model.verdictBytes.has(b)) c.classList.add("rejected");
  return c;
}
