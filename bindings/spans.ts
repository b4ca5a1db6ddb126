// Questions about the byte spans inspect() returns: which span owns each byte, which span a path
// names. Shared by the C export, the value editor and the browser inspector.
import type { PathKey, SpanNode } from "./decode.js";

/** Kinds of span that own bytes (the struct row, needs-argsz and the error only describe them). */
const OWNING = new Set<SpanNode["kind"]>(["field", "elem", "payload", "gap", "slack", "tail", "cap"]);

/**
 * For each byte, the index in `nodes` of the smallest span that covers it, or -1 for bytes no
 * span covers (past the end of what decoded). A field wins over its capability, a capability
 * over nothing.
 */
export function byteOwners(nodes: readonly SpanNode[], length: number): Int32Array {
  const owner = new Int32Array(length).fill(-1);
  nodes.forEach((n, i) => {
    if (!OWNING.has(n.kind)) return;
    for (let b = n.offset; b < Math.min(n.offset + n.size, length); b++) {
      const o = owner[b];
      if (o < 0 || nodes[o].size >= n.size) owner[b] = i;
    }
  });
  return owner;
}

export const sameKey = (a: readonly PathKey[], b: readonly PathKey[]): boolean =>
  a.length === b.length && a.every((k, i) => k === b[i]);

/** The span a path names, or undefined. */
export const nodeAt = (nodes: readonly SpanNode[], key: readonly PathKey[]): SpanNode | undefined =>
  nodes.find((n) => sameKey(n.key, key));

/** "caps[0].header.next" for ["caps", 0, "header", "next"]: the form SpanNode.path uses. */
export function keyPath(key: readonly PathKey[]): string {
  let s = "";
  for (const k of key) s += typeof k === "number" ? `[${k}]` : s ? `.${k}` : k;
  return s;
}
