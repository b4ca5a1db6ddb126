// The tree of decoded fields: one row per span, indented by depth, with its offsets, value, flag
// names and colour. Arrow keys move, Enter / F2 / double-click edit a value in place.
import { $, el, spanText } from "../dom.js";
import { isEditable } from "../model.js";

const NO_VALUE = new Set(["error", "struct", "group", "cap"]);

/** {main, hex} text of a row's value. */
export function valueText(row) {
  if (row.value === undefined)
    return {
      main: ["gap", "slack", "tail"].includes(row.kind) ? `${row.size} byte${row.size === 1 ? "" : "s"}` : "",
      hex: "",
    };
  const v = row.value;
  if (typeof v === "bigint") return { main: v.toString(), hex: `0x${v.toString(16)}` };
  const unsigned = v < 0 ? v >>> 0 : v;
  return { main: String(v), hex: `0x${unsigned.toString(16)}` };
}

function rowElement(row) {
  const d = el("div", `node kind-${row.kind}`);
  d.setAttribute("role", "treeitem");
  d.setAttribute("aria-level", String(row.depth + 1));
  d.dataset.path = row.path;
  d.dataset.kind = row.kind;
  d.style.setProperty("--d", String(row.depth));
  if (row.colour !== null) {
    d.dataset.colour = String(row.colour);
    d.style.setProperty("--c", `var(--p${row.colour})`);
  }
  if (row.bad) d.classList.add("bad");
  if (row.rejected) d.classList.add("rejected");
  const name = el("span", "name", row.name);
  name.append(el("span", "where", spanText(row.offset, row.size)));
  const f = valueText(row);
  const val = el("span", "val");
  val.dataset.value = f.main;
  if (!NO_VALUE.has(row.kind)) {
    val.append(el("span", "dec", f.main));
    if (f.hex && f.hex !== `0x${f.main}`) val.append(el("span", "hexv", f.hex));
  }
  if (row.kind === "cap") val.append(el("span", "dec", `id ${row.value}, ${row.size} bytes`));
  if (row.kind === "struct") val.append(el("span", "dec", `${row.size} bytes fixed`));
  if (isEditable(row)) {
    val.title = "Enter or double-click to edit";
    d.dataset.editable = "1";
  }
  d.append(name, val);
  if (row.note) d.append(el("span", "names", row.note));
  if (row.rejected) d.append(el("span", "rejects", "the kernel would reject this"));
  return d;
}

/** "12", "0x1f", "-1" -> bigint; null for anything else. */
export function parseNumber(text) {
  const t = text.trim();
  if (!/^-?(0x[0-9a-f]+|\d+)$/i.test(t)) return null;
  const neg = t.startsWith("-");
  const mag = BigInt(neg ? t.slice(1) : t);
  return neg ? -mag : mag;
}

export function mount(app) {
  const tree = $("tree");
  tree.addEventListener("click", (e) => {
    const n = e.target.closest(".node");
    if (n && !e.target.closest("input")) app.select(n.dataset.path);
  });
  tree.addEventListener("dblclick", (e) => {
    const n = e.target.closest(".node");
    if (n) startEdit(n.dataset.path);
  });
  tree.addEventListener("keydown", (e) => {
    if (app.ui.editing) return;
    const rows = app.model.rows;
    if (!rows.length) return;
    const i = rows.findIndex((r) => r.path === app.store.get().sel);
    const go = (j) => {
      e.preventDefault();
      app.select(rows[Math.max(0, Math.min(rows.length - 1, j))].path);
    };
    if (e.key === "ArrowDown") go(i + 1);
    else if (e.key === "ArrowUp") go(i < 0 ? 0 : i - 1);
    else if (e.key === "Home") go(0);
    else if (e.key === "End") go(rows.length - 1);
    else if (e.key === "ArrowLeft" && i > 0) {
      for (let j = i - 1; j >= 0; j--) if (rows[j].depth < rows[i].depth) return go(j);
    } else if (e.key === "ArrowRight" && i >= 0 && rows[i + 1]?.depth > rows[i].depth) go(i + 1);
    else if ((e.key === "Enter" || e.key === "F2") && i >= 0) {
      e.preventDefault();
      startEdit(rows[i].path);
    }
  });

  function startEdit(path) {
    const row = app.model.byPath.get(path);
    if (!row || !isEditable(row)) return;
    app.select(path);
    const node = [...tree.children].find((x) => x.dataset.path === path);
    const val = node.querySelector(".val");
    const input = el("input", "edit");
    input.type = "text";
    input.value = String(row.value);
    input.setAttribute("aria-label", `new value for ${path}`);
    val.textContent = "";
    val.append(input);
    input.focus();
    input.select();
    app.ui.editing = path;
    const finish = (commit) => {
      if (app.ui.editing !== path) return;
      app.ui.editing = null;
      if (!commit) app.refresh();
      else {
        const v = parseNumber(input.value);
        if (v === null) {
          app.showEditError(`"${input.value.trim()}" is not a number (decimal, or hex with 0x)`);
          app.refresh();
        } else app.edit(row, v);
      }
      tree.focus();
    };
    input.addEventListener("keydown", (e) => {
      e.stopPropagation();
      if (e.key === "Enter") finish(true);
      else if (e.key === "Escape") finish(false);
    });
    input.addEventListener("blur", () => finish(false));
  }
  app.startEdit = startEdit;

  function select(s) {
    for (const n of tree.children)
      if (n.dataset.path !== undefined) n.setAttribute("aria-selected", String(n.dataset.path === s.sel));
    [...tree.children].find((x) => x.dataset.path === s.sel)?.scrollIntoView({ block: "nearest" });
  }

  return {
    render(s, model) {
      tree.textContent = "";
      for (const row of model.rows) tree.append(rowElement(row));
      if (!model.rows.length) tree.append(el("div", "hint", "nothing decoded"));
      select(s);
    },
    select,
  };
}
