// Problems and notes: the codec's diagnostics with their byte ranges, and the kernel's verdict
// among them when it rejects the request. A click selects the field or bytes a problem names.
import { $, el, spanText } from "../dom.js";

const LEAD = { error: "Problem: ", warning: "Warning: ", info: "Note: " };

function okLine(model) {
  if (!model.result.ok) return null;
  const v = model.verdict;
  let kernel = "";
  if (v && !v.available) kernel = ` No kernel verdict: ${v.reason}.`;
  else if (v?.ok) kernel = ` The kernel would accept it (${v.device}, Linux ${v.kernel}).`;
  return `No problems: every byte decodes and the structure is valid.${kernel}`;
}

export function mount(app) {
  const ul = $("diagnostics");
  ul.addEventListener("click", (e) => {
    const li = e.target.closest("li[data-offset]");
    if (!li) return;
    const field = li.dataset.field;
    if (field && app.model.byPath.has(field)) app.select(field);
    else if (li.dataset.code !== "VERDICT") app.selectRange(Number(li.dataset.offset), Number(li.dataset.size));
  });
  return {
    render(_s, model) {
      ul.textContent = "";
      if (!model.problems.length) {
        const ok = okLine(model);
        if (ok) ul.append(el("li", "ok", ok));
        return;
      }
      for (const d of model.problems) {
        const li = el("li", d.severity);
        li.dataset.offset = String(d.offset);
        li.dataset.size = String(d.size);
        li.dataset.code = d.code;
        if (d.field) li.dataset.field = d.field;
        if (d.verdict) li.classList.add("verdict-problem");
        li.append(el("strong", null, d.verdict ? "Kernel: " : LEAD[d.severity]), el("span", "msg", d.message));
        if (d.size) li.append(el("span", "range", `bytes ${spanText(d.offset, d.size)}`));
        ul.append(li);
      }
    },
  };
}
