// Keyboard help: "?" opens a list of every key the page answers to (Escape closes it), and the
// page-wide keys themselves. Keys typed into a text box stay in the box.
import { $, el } from "../dom.js";

export const KEYS = [
  ["?", "show or hide this list of keys"],
  ["/", "go to the hex box (paste or type bytes)"],
  ["t", "go to the field tree"],
  ["x", "go to the hex view"],
  ["d", "switch between dark, light and the system's colours"],
  ["↑ ↓ Home End", "tree: move between fields"],
  ["← →", "tree: to the parent, to the first child"],
  ["Enter, F2, double-click", "tree: edit the selected value"],
  ["Enter / Escape", "while editing: keep / drop the new value"],
  ["← → ↑ ↓", "hex view: move one byte, or one row of 16"],
  ["Enter", "hex view: edit the field of the selected byte"],
  ["Escape", "close this list"],
];

const typing = (t) =>
  t instanceof HTMLInputElement || t instanceof HTMLTextAreaElement || t instanceof HTMLSelectElement;

export function mount(app) {
  const dialog = $("keys");
  const list = $("keys-list");
  for (const [k, what] of KEYS) list.append(el("dt", null, k), el("dd", null, what));
  const toggle = () => (dialog.open ? dialog.close() : dialog.showModal());
  $("show-keys").addEventListener("click", toggle);
  $("keys-close").addEventListener("click", () => dialog.close());
  document.addEventListener("keydown", (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey || typing(e.target)) return;
    const act = {
      "?": toggle,
      "/": () => $("hex").focus(),
      t: () => $("tree").focus(),
      x: () => $("hexview").focus(),
      d: () => app.cycleTheme(),
    }[e.key];
    if (!act || (dialog.open && e.key !== "?")) return;
    e.preventDefault();
    act();
  });
  return { render() {} };
}
