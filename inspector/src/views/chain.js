// The capability chain as a diagram: the struct, then each capability at its offset, joined by
// arrows labelled with the pointer that links them (cap_offset, then each next). A chain that
// comes back to a capability it already visited is drawn as a loop back to it; a pointer to a bad
// place ends in a red box that says why. A click on a box selects it in the tree.
import { $, hx, svg } from "../dom.js";
import * as lib from "../lib.js";

const FONT_PX = 12;
/** Width of a monospace character at FONT_PX, a little generous so labels never clip. */
const CHAR_PX = FONT_PX * 0.64;
const PAD = 10;
const BOX_H = 40;
const ARROW_H = 34;
const LOOP_ROOM = 150;
const LEFT = 8;

const textWidth = (t) => t.length * CHAR_PX;

const boxHeight = (lines) => 10 + lines.length * 15;

function box(g, x, y, w, lines, cls) {
  g.append(svg("rect", { x, y, width: w, height: Math.max(BOX_H, boxHeight(lines)), rx: 5, class: cls }));
  lines.forEach((t, i) => {
    g.append(svg("text", { x: x + PAD, y: y + 16 + i * 15, class: i ? "sub" : "main" }, t));
  });
}

function arrow(root, x, y1, y2, label, cls = "") {
  const line = svg("line", { x1: x, y1, x2: x, y2: y2 - 2, class: `link ${cls}` });
  line.setAttribute("marker-end", `url(#${cls ? "head-bad" : "head"})`);
  root.append(line);
  if (label) root.append(svg("text", { x: x + 10, y: (y1 + y2) / 2 + 4, class: `label ${cls}` }, label));
}

/** Words wrapped to lines of at most `max` characters. */
function wrapText(text, max) {
  const lines = [];
  let line = "";
  for (const w of text.split(" ")) {
    if (line && line.length + 1 + w.length > max) {
      lines.push(line);
      line = w;
    } else line = line ? `${line} ${w}` : w;
  }
  if (line) lines.push(line);
  return lines;
}

function describe(chain, model) {
  const items = [
    {
      path: "",
      lines: [`struct ${chain.struct}`, `${chain.startField} at ${hx(chain.startAt)} = ${hx(chain.start)}`],
      cls: "struct",
    },
  ];
  for (const c of chain.caps) {
    const path = lib.keyPath(["caps", c.index]);
    const row = model.byPath.get(path);
    items.push({
      path,
      colour: row?.colour ?? null,
      lines: [
        `#${c.index + 1} ${c.name ?? `unknown capability id ${c.id}`}`,
        `at ${hx(c.offset)}, ${c.size} bytes, id ${c.id} v${c.version}`,
      ],
      cls: "cap",
    });
  }
  return items;
}

function endText(chain, model) {
  const e = chain.end;
  const last = chain.caps[chain.caps.length - 1];
  const ptr = last ? "next" : chain.startField;
  if (e.kind === "none") {
    const need = model.result.value?.$?.needsArgsz;
    if (need !== undefined)
      return `${chain.startField} = 0: the capabilities did not fit; call again with argsz ${need}`;
    if (!chain.enabled && chain.start)
      return `${chain.startField} ${hx(chain.start)} is ignored: the CAPS flag is clear`;
    return `${chain.startField} = 0: no capabilities`;
  }
  if (e.kind === "end") return "next = 0: end of the chain";
  if (e.kind === "loop") return `${ptr} = ${hx(e.target)}: back to #${e.to + 1}, the chain loops`;
  return `${ptr} = ${hx(e.target)}: ${e.message}`;
}

/** Longest line of the end note before it wraps. */
const END_CHARS = 56;

function arrowLabels(chain) {
  return [`${chain.startField} = ${hx(chain.start)}`, ...chain.caps.map((c) => `next = ${hx(c.next)}`)];
}

function markers() {
  const defs = svg("defs");
  for (const id of ["head", "head-bad"]) {
    const m = svg("marker", { id, viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 7, markerHeight: 7 });
    m.setAttribute("orient", "auto");
    m.append(svg("path", { d: "M0,0 L10,5 L0,10 z", class: id }));
    defs.append(m);
  }
  return defs;
}

function loopPath(chain, boxW) {
  const e = chain.end;
  const lastY = chain.caps.length * (BOX_H + ARROW_H);
  const fromY = lastY + BOX_H / 2;
  const toY = (e.to + 1) * (BOX_H + ARROW_H) + BOX_H / 2;
  const x = LEFT + boxW;
  const bulge = x + LOOP_ROOM - 20;
  // a capability pointing at itself: a small loop on its right edge
  if (fromY === toY) return `M${x},${fromY - 10} C${bulge},${fromY - 46} ${bulge},${fromY + 46} ${x + 2},${fromY + 10}`;
  return `M${x},${fromY} C${bulge},${fromY} ${bulge},${toY} ${x + 2},${toY}`;
}

function draw(chain, model) {
  const items = describe(chain, model);
  const e = chain.end;
  const endLines = e.kind === "broken" ? wrapText(endText(chain, model), END_CHARS) : [endText(chain, model)];
  const boxW = Math.max(...items.flatMap((i) => i.lines.map(textWidth))) + 2 * PAD;
  const mid = LEFT + boxW / 2;
  const labelW = Math.max(...arrowLabels(chain).map(textWidth));
  const endW = Math.max(...endLines.map(textWidth)) + 2 * PAD;
  const width = Math.max(LEFT + boxW + (e.kind === "loop" ? LOOP_ROOM : 0), LEFT + endW, mid + 10 + labelW) + LEFT;
  const lastY = (items.length - 1) * (BOX_H + ARROW_H);
  const endY = lastY + BOX_H + ARROW_H;
  const height = endY + Math.max(BOX_H, boxHeight(endLines)) + 4;
  const root = svg("svg", { viewBox: `0 0 ${width} ${height}`, width, height, role: "img" });
  root.setAttribute("aria-label", "capability chain diagram");
  root.append(markers());
  const labels = arrowLabels(chain);
  items.forEach((it, i) => {
    const y = i * (BOX_H + ARROW_H);
    const g = svg("g", { class: `item ${it.cls}`, "data-path": it.path });
    const coloured = it.colour !== null && it.colour !== undefined;
    if (coloured) g.setAttribute("data-colour", String(it.colour));
    box(g, LEFT, y, boxW, it.lines, coloured ? `fill-p${it.colour}` : "plain");
    root.append(g);
    if (i + 1 < items.length) arrow(root, mid, y + BOX_H, y + BOX_H + ARROW_H, labels[i]);
  });
  if (e.kind === "loop") {
    const path = svg("path", { d: loopPath(chain, boxW), class: "link bad loop" });
    path.setAttribute("marker-end", "url(#head-bad)");
    root.append(path, svg("text", { x: LEFT, y: lastY + BOX_H + 22, class: "label bad end" }, endLines[0]));
  } else if (e.kind === "broken") {
    arrow(root, mid, lastY + BOX_H, endY, labels[items.length - 1], "bad");
    const g = svg("g", { class: "item broken" });
    box(g, LEFT, endY, endW, endLines, "bad");
    root.append(g);
  } else {
    root.append(svg("text", { x: LEFT, y: lastY + BOX_H + 22, class: `label end ${e.kind}` }, endLines[0]));
  }
  return root;
}

export function mount(app) {
  const wrap = $("chain");
  wrap.addEventListener("click", (e) => {
    const g = e.target.closest("[data-path]");
    if (g) app.select(g.getAttribute("data-path"));
  });
  return {
    render(_s, model) {
      const chain = model.chain;
      $("chain-box").hidden = !chain;
      wrap.textContent = "";
      if (!chain) return;
      wrap.append(draw(chain, model));
      wrap.dataset.end = chain.end.kind;
    },
  };
}
