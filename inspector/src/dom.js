// Small DOM helpers shared by the views.
export const $ = (id) => document.getElementById(id);

/** A new element with a class and text. */
export function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

const SVG = "http://www.w3.org/2000/svg";
/** A new SVG element with attributes. */
export function svg(tag, attrs = {}, text) {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

/** 0x-prefixed hex, zero-padded to `w` digits. */
export const hx = (n, w = 2) => `0x${n.toString(16).padStart(w, "0")}`;

/** "0x14–0x17" for a span (one offset for an empty one). */
export const spanText = (offset, size) => (size > 0 ? `${hx(offset)}–${hx(offset + size - 1)}` : hx(offset));

export const plural = (n, one, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** Replace the options of a <select>: items are [value, label, title?] or optgroups {label, items}. */
export function fillSelect(select, entries) {
  select.textContent = "";
  const option = ([value, label, title]) => {
    const o = el("option", null, label);
    o.value = value;
    if (title) o.title = title;
    return o;
  };
  for (const e of entries) {
    if (Array.isArray(e)) select.append(option(e));
    else if (e.items.length) {
      const g = el("optgroup");
      g.label = e.label;
      for (const i of e.items) g.append(option(i));
      select.append(g);
    }
  }
}
