// Copy and share: hex, a C initialiser, JSON or the link, copied to the clipboard with a visible
// confirmation. The box shows the last export and follows every edit, so it is never stale.
import { $ } from "../dom.js";
import * as lib from "../lib.js";
import { profileOf } from "../state.js";

const NAMES = { hex: "hex", c: "the C initialiser", json: "the JSON value", link: "the share link" };
/** How long a button says "Copied". */
const CONFIRM_MS = 2000;

/** The text of an export of the current state. */
export function exportText(kind, s, model) {
  if (kind === "hex") return lib.formatHex(s.bytes);
  if (kind === "c") return lib.formatC(s.struct, s.bytes, { ...profileOf(s), result: model.result });
  if (kind === "json") return JSON.stringify(lib.toJSONValue(model.result.value ?? {}), null, 2);
  return location.href;
}

export function mount(app) {
  let timer = 0;
  const status = $("copy-status");
  async function copy(kind, button) {
    app.store.set({ exportKind: kind });
    const text = $("export").value;
    let copied = false;
    try {
      await navigator.clipboard.writeText(text);
      copied = true;
    } catch {
      copied = false;
    }
    $("export").focus();
    $("export").select();
    status.hidden = false;
    status.dataset.state = copied ? "copied" : "manual";
    status.textContent = copied
      ? `✓ Copied ${NAMES[kind]} to the clipboard.`
      : `The clipboard is not available here: ${NAMES[kind]} is selected in the box below, press Ctrl+C (⌘C) to copy it.`;
    for (const b of document.querySelectorAll("#copy-buttons button"))
      b.classList.toggle("copied", b === button && copied);
    clearTimeout(timer);
    timer = setTimeout(() => {
      button.classList.remove("copied");
      status.hidden = true;
    }, CONFIRM_MS);
  }
  for (const b of document.querySelectorAll("#copy-buttons button"))
    b.addEventListener("click", () => copy(b.dataset.kind, b));
  function render(s, model) {
    const box = $("export");
    box.dataset.kind = s.exportKind ?? "";
    box.value = s.exportKind ? exportText(s.exportKind, s, model) : "";
    box.hidden = !s.exportKind;
  }
  return {
    render,
    // the link carries the selection: keep it current when only the selection changed
    select: (s) => s.exportKind === "link" && render(s, app.model),
  };
}
