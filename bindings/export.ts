// Text forms of a buffer for people and compilers: spaced hex, and a C initialiser whose comments
// name the field each line of bytes belongs to. parseDump reads both back.
import { inspect, type InspectResult, type SpanNode } from "./decode.js";
import { resolveProfile } from "./profile.js";
import { byteOwners } from "./spans.js";
import type { ProfileOptions } from "./types.js";

const hex2 = (b: number) => (b < 16 ? "0" : "") + b.toString(16);
const at = (n: number) => `0x${n.toString(16).padStart(2, "0")}`;

/** Lowercase hex, a space every `group` bytes and a newline every `line` bytes. */
export function formatHex(bytes: Uint8Array, o: { group?: number; line?: number } = {}): string {
  const group = o.group ?? 4,
    line = o.line ?? 16;
  let s = "";
  for (let i = 0; i < bytes.length; i++) {
    if (i) s += i % line === 0 ? "\n" : i % group === 0 ? " " : "";
    s += hex2(bytes[i]);
  }
  return s;
}

/** Bytes per line of the C initialiser (a line never spans two fields). */
const C_BYTES_PER_LINE = 8;
/** Column the comments start at, so they line up. */
const C_COMMENT_COLUMN = 48;

function spanName(n: SpanNode | undefined): string {
  if (!n) return "not decoded";
  if (n.kind === "field" || n.kind === "elem") return n.value === undefined ? n.path : `${n.path} = ${n.value}`;
  if (n.kind === "cap") return `${n.path} ${n.label ?? ""}`.trim();
  if (n.kind === "slack") return "slack (inside argsz, after the known fields)";
  if (n.kind === "tail") return "past argsz (not part of the call)";
  return "padding / unknown bytes";
}

/**
 * A C initialiser of the bytes, one line per field (at most 8 bytes a line), each commented with
 * its offset and the field it holds. `result` is inspect()'s answer for these bytes, when the
 * caller has it already.
 */
export function formatC(
  structName: string,
  bytes: Uint8Array,
  opts: ProfileOptions & { name?: string; result?: InspectResult } = {},
): string {
  const r = opts.result ?? inspect(structName, bytes, opts);
  const p = resolveProfile(opts);
  const owner = byteOwners(r.nodes, bytes.length);
  const lines = [
    `/* struct ${structName}: ${bytes.length} bytes, ${p.endian}-endian ${p.model}, Linux ${p.epoch} layout (vfio-abi) */`,
    `unsigned char ${opts.name ?? "buf"}[${bytes.length}] __attribute__((aligned(8))) = {`,
  ];
  for (let i = 0; i < bytes.length; ) {
    let j = i + 1;
    while (j < bytes.length && owner[j] === owner[i] && j - i < C_BYTES_PER_LINE) j++;
    const list = Array.from(bytes.subarray(i, j), (b) => `0x${hex2(b)}`).join(", ");
    const what = spanName(r.nodes[owner[i]]).replace(/\*\//g, "* /");
    lines.push(`  ${list},${" ".repeat(Math.max(1, C_COMMENT_COLUMN - list.length))}/* ${at(i)} ${what} */`);
    i = j;
  }
  lines.push("};");
  return lines.join("\n");
}
