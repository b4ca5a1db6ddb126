// Field colours: a fixed palette (style.css --p0..--p9, light and dark, ordered so that colours
// next to each other in the list look different), dealt out in byte order so the colours spread
// over the whole palette, and so that two fields that touch in the hex view, or sit on
// consecutive rows of the tree, never share one. The same layout gets the same colours.

export const PALETTE_SIZE = 10;

const COLOURED = new Set(["field", "elem", "payload", "cap", "group"]);
export const isColoured = (row) => COLOURED.has(row.kind);

/** Pairs of rows that must differ: owners of adjacent bytes, and consecutive tree rows. */
function neighbours(rows, owner) {
  const near = rows.map(() => new Set());
  const link = (a, b) => {
    if (a === b || a < 0 || b < 0 || !isColoured(rows[a]) || !isColoured(rows[b])) return;
    near[a].add(b);
    near[b].add(a);
  };
  for (let b = 1; b < owner.length; b++) link(owner[b - 1], owner[b]);
  for (let i = 1; i < rows.length; i++) link(i - 1, i);
  return near;
}

/** Set row.colour (0..PALETTE_SIZE-1, or null for rows without a colour) on every row. */
export function assignColours(rows, owner) {
  const near = neighbours(rows, owner);
  const order = rows
    .map((_, i) => i)
    .filter((i) => isColoured(rows[i]))
    .sort((a, b) => rows[a].offset - rows[b].offset || rows[b].size - rows[a].size);
  for (const r of rows) r.colour = null;
  let next = 0;
  for (const i of order) {
    const taken = new Set([...near[i]].map((j) => rows[j].colour));
    for (let k = 0; k < PALETTE_SIZE && rows[i].colour === null; k++) {
      const c = (next + k) % PALETTE_SIZE;
      if (!taken.has(c)) rows[i].colour = c;
    }
    // more neighbours than colours cannot happen (a span touches at most two others in the hex
    // view and two rows in the tree), but a colour is always given
    rows[i].colour ??= next;
    next = (rows[i].colour + 1) % PALETTE_SIZE;
  }
}
