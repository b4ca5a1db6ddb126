// One parser for the byte dumps people paste: plain hex (xxd -p), xxd, hexdump -C, plain hexdump
// (16-bit words), od -t x1 (and od's word forms), gdb x/x, the kernel's print_hex_dump lines as
// dmesg shows them, C array initialisers (xxd -i, the inspector's "Copy as C initialiser") and
// the JSON that decode and the inspector print.
//
// Every scanner walks its input once, character by character: no regular expression that can
// backtrack ever sees user text, so a crafted line costs linear time. Output is bounded by
// maxBytes, including what `*` (repeated lines) expands to. Anything the parser would have to
// guess (byte order of a multi-byte number, a line that does not follow the one before it, an
// array that declares more bytes than it lists) is a DumpError that says why; bytes are never
// added or dropped silently.
import { DumpError } from "./errors.js";
import { encode } from "./encode.js";
import { fromJSONValue } from "./json.js";
import type { ProfileOptions } from "./types.js";

export type DumpFormat = "hex" | "xxd" | "hexdump-C" | "hexdump" | "od" | "gdb" | "kernel" | "c" | "json";
export const DUMP_FORMATS: readonly DumpFormat[] = [
  "hex",
  "xxd",
  "hexdump-C",
  "hexdump",
  "od",
  "gdb",
  "kernel",
  "c",
  "json",
];

export interface DumpOptions {
  /** Byte order of dumps that print multi-byte numbers (plain hexdump's 16-bit words, od -x, gdb
   *  x/xh..x/xg, print_hex_dump groups): the byte order of the machine that printed them. Default little. */
  endian?: "little" | "big";
  /** Read the text as this format instead of recognising it. */
  format?: DumpFormat;
  /** Largest result accepted (default 16 MiB). */
  maxBytes?: number;
  /** JSON values are encoded as this struct (with this profile); without it, JSON is an error. */
  struct?: string;
  profile?: ProfileOptions;
}

export interface Dump {
  bytes: Uint8Array;
  format: DumpFormat;
  /** Things the parser skipped or assumed, in words (e.g. kernel log lines without bytes). */
  notes: string[];
}

export const DEFAULT_MAX_DUMP_BYTES = 16 << 20;

// ---------------------------------------------------------------------------------------------
// characters

const TAB = 9,
  LF = 10,
  CR = 13,
  SP = 32,
  QUOTE = 34,
  HASH = 35,
  STAR = 42,
  COMMA = 44,
  DASH = 45,
  DOT = 46,
  SLASH = 47,
  COLON = 58,
  SEMI = 59,
  LT = 60,
  EQ = 61,
  GT = 62,
  LBRACKET = 91,
  RBRACKET = 93,
  UNDERSCORE = 95,
  LBRACE = 123,
  PIPE = 124,
  RBRACE = 125;

function hexVal(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  const l = c | 32;
  return l >= 97 && l <= 102 ? l - 87 : -1;
}
const isDigit = (c: number) => c >= 48 && c <= 57;
const isSpace = (c: number) => c === SP || c === TAB || c === CR;
const isIdent = (c: number) => ((c | 32) >= 97 && (c | 32) <= 122) || isDigit(c) || c === UNDERSCORE;

/** Growable byte buffer with a hard limit. */
class Sink {
  buf = new Uint8Array(64);
  n = 0;
  constructor(
    readonly max: number,
    readonly where: () => string,
  ) {}
  room(k: number) {
    if (this.n + k > this.max) throw new DumpError(`${this.where()}: more than ${this.max} bytes (maxBytes)`, 0);
    if (this.n + k <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.n + k) cap *= 2;
    const b = new Uint8Array(Math.min(cap, Math.max(this.max, this.n + k)));
    b.set(this.buf.subarray(0, this.n));
    this.buf = b;
  }
  push(x: number) {
    this.room(1);
    this.buf[this.n++] = x;
  }
  pushAll(b: Uint8Array) {
    this.room(b.length);
    this.buf.set(b, this.n);
    this.n += b.length;
  }
  bytes() {
    return this.buf.slice(0, this.n);
  }
}

interface Line {
  text: string;
  no: number;
}

function splitLines(text: string): Line[] {
  const out: Line[] = [];
  let start = 0,
    no = 1;
  for (;;) {
    const nl = text.indexOf("\n", start);
    const end = nl < 0 ? text.length : nl;
    out.push({ text: text.charCodeAt(end - 1) === CR ? text.slice(start, end - 1) : text.slice(start, end), no: no++ });
    if (nl < 0) return out;
    start = nl + 1;
  }
}

const isBlank = (s: string) => {
  for (let i = 0; i < s.length; i++) if (!isSpace(s.charCodeAt(i))) return false;
  return true;
};
const quote = (s: string) => JSON.stringify(s.length > 40 ? `${s.slice(0, 40)}…` : s);
const fail = (no: number, msg: string): never => {
  throw new DumpError(`line ${no}: ${msg}`, no);
};

// ---------------------------------------------------------------------------------------------
// tokens: maximal runs of non-space characters, with the width of the space before each. A
// cursor rather than an array: a hostile line of a million tokens allocates nothing.

class Tokens {
  s = 0;
  e = 0;
  gap = 0;
  constructor(
    readonly t: string,
    private i = 0,
  ) {}
  next(): boolean {
    const t = this.t;
    let i = this.i;
    const g = i;
    while (i < t.length && isSpace(t.charCodeAt(i))) i++;
    if (i >= t.length) {
      this.i = i;
      return false;
    }
    this.s = i;
    while (i < t.length && !isSpace(t.charCodeAt(i))) i++;
    this.e = this.i = i;
    this.gap = this.s - g;
    return true;
  }
  get text() {
    return this.t.slice(this.s, this.e);
  }
}

/** Number of hex digits if t[s..e) is only hex digits, else 0. */
function hexRun(t: string, s: number, e: number): number {
  for (let i = s; i < e; i++) if (hexVal(t.charCodeAt(i)) < 0) return 0;
  return e - s;
}

/** Bytes of a group of hex digits: in memory order, or as a number in the given byte order. */
function groupBytes(t: string, s: number, e: number, asNumber: boolean, little: boolean, out: Sink) {
  const n = (e - s) >> 1;
  out.room(n);
  for (let k = 0; k < n; k++) {
    const j = asNumber && little ? n - 1 - k : k;
    out.buf[out.n + k] = (hexVal(t.charCodeAt(s + 2 * j)) << 4) | hexVal(t.charCodeAt(s + 2 * j + 1));
  }
  out.n += n;
}

// ---------------------------------------------------------------------------------------------
// plain hex: "20000000 24000000", "20:00:00:00", "0x20, 0x00", xxd -p lines

const isSep = (c: number) =>
  isSpace(c) || c === LF || c === COLON || c === COMMA || c === DASH || c === UNDERSCORE || c === DOT;

/** Plain hex: digits in memory order; separators (space, newline, : , - _ .) between groups; `0x`
 *  prefixes on one-byte groups. Each group has an even number of digits, so "2 0" is an error
 *  rather than the byte 0x20. */
export function fromHex(text: string, maxBytes = DEFAULT_MAX_DUMP_BYTES): Uint8Array {
  // fast path: one unbroken run of digits (what toHex and xxd -p -c0 print)
  let i = 0,
    n = text.length;
  while (i < n && isSpace(text.charCodeAt(i))) i++;
  while (n > i && (isSpace(text.charCodeAt(n - 1)) || text.charCodeAt(n - 1) === LF)) n--;
  let plain = (n - i) % 2 === 0 && (n - i) / 2 <= maxBytes;
  for (let k = i; plain && k < n; k++) if (hexVal(text.charCodeAt(k)) < 0) plain = false;
  if (plain) {
    const out = new Uint8Array((n - i) / 2);
    for (let k = 0; k < out.length; k++)
      out[k] = (hexVal(text.charCodeAt(i + 2 * k)) << 4) | hexVal(text.charCodeAt(i + 2 * k + 1));
    return out;
  }
  const sink = new Sink(maxBytes, () => "hex");
  plainHexInto(text, 0, text.length, sink, 1);
  return sink.bytes();
}

function plainHexInto(t: string, from: number, to: number, out: Sink, lineNo: number) {
  let i = from,
    no = lineNo;
  while (i < to) {
    const c = t.charCodeAt(i);
    if (isSep(c)) {
      if (c === LF) no++;
      i++;
      continue;
    }
    let s = i,
      prefixed = false;
    if (c === 48 && (t.charCodeAt(i + 1) | 32) === 120) {
      s = i + 2;
      prefixed = true;
    }
    let e = s;
    while (e < to && hexVal(t.charCodeAt(e)) >= 0) e++;
    if (c === STAR && (i + 1 >= to || isSep(t.charCodeAt(i + 1))))
      fail(no, `"*" stands for repeated lines, and without an offset column it cannot say how many (dump with -v)`);
    if (e < to && !isSep(t.charCodeAt(e))) {
      let k = e;
      while (k < to && !isSep(t.charCodeAt(k))) k++;
      fail(no, `not hex: ${quote(t.slice(i, k))}`);
    }
    const d = e - s;
    if (d === 0) fail(no, `not hex: ${quote(t.slice(i, Math.max(e, i + 2)))}`);
    if (prefixed) {
      if (d > 2)
        fail(
          no,
          `${quote(t.slice(i, e))} is a number, not bytes: its byte order is unknown (write the bytes in memory order without 0x, or one 0x.. per byte)`,
        );
      out.push(d === 1 ? hexVal(t.charCodeAt(s)) : (hexVal(t.charCodeAt(s)) << 4) | hexVal(t.charCodeAt(s + 1)));
    } else {
      if (d % 2) fail(no, `${quote(t.slice(s, e))} has an odd number of hex digits (write each byte as two digits)`);
      groupBytes(t, s, e, false, false, out);
    }
    i = e;
  }
}

// ---------------------------------------------------------------------------------------------
// line dumps with an offset or address column

/** One line of an offset-column dump. */
interface Row {
  no: number;
  kind: "data" | "repeat" | "end";
  /** offset/address digits (radix decided later) */
  off: string;
  bytes: Uint8Array;
  /** hex area column (kernel lines: all rows of one dump start there) */
  col: number;
}

type Unit = { width: number; number: boolean };

/** xxd: "00000010: 0300 0000 6800 ...  ....h..." (groups in memory order; ascii after two spaces). */
function xxdRow(l: Line, little: boolean, max: number): Row {
  const t = l.text;
  if (t.trim() === "*") return { no: l.no, kind: "repeat", off: "", bytes: new Uint8Array(0), col: 0 };
  const colon = offsetEnd(t, 0);
  if (colon < 0 || t.charCodeAt(colon) !== COLON) fail(l.no, `expected an xxd line "OFFSET: HEX": ${quote(t)}`);
  const sink = new Sink(max, () => `line ${l.no}`);
  const tk = new Tokens(t, colon + 1);
  while (tk.next()) {
    if (tk.gap >= 2 && sink.n) break; // the ascii column
    const d = hexRun(t, tk.s, tk.e);
    if (!d || d % 2) fail(l.no, `${quote(tk.text)} in xxd's hex column (groups of hex digits, in memory order)`);
    groupBytes(t, tk.s, tk.e, false, little, sink);
  }
  return { no: l.no, kind: "data", off: t.slice(0, colon).trim(), bytes: sink.bytes(), col: 0 };
}

/** End of the leading run of hex digits (after optional spaces), or -1 when there is none. */
function offsetEnd(t: string, from: number): number {
  let i = from;
  while (i < t.length && isSpace(t.charCodeAt(i))) i++;
  const s = i;
  while (i < t.length && hexVal(t.charCodeAt(i)) >= 0) i++;
  return i > s ? i : -1;
}

/** hexdump -C / hd: "00000010  03 00 00 00 68 00 00 00  69 00 ...  |....h...|"; a bare offset ends it. */
function canonicalRow(l: Line, max: number): Row {
  const t = l.text,
    tr = t.trim();
  if (tr === "*") return { no: l.no, kind: "repeat", off: "", bytes: new Uint8Array(0), col: 0 };
  const x = new Tokens(t);
  x.next();
  const off = x.text;
  if (!hexRun(t, x.s, x.e)) fail(l.no, `expected a hexdump -C offset: ${quote(t)}`);
  if (!x.next()) return { no: l.no, kind: "end", off, bytes: new Uint8Array(0), col: 0 };
  const sink = new Sink(max, () => `line ${l.no}`);
  do {
    if (t.charCodeAt(x.s) === PIPE) break; // the |ascii| column
    if (hexRun(t, x.s, x.e) !== 2 || x.gap > 2) fail(l.no, `${quote(x.text)} in the hexdump -C byte columns`);
    sink.push((hexVal(t.charCodeAt(x.s)) << 4) | hexVal(t.charCodeAt(x.s + 1)));
  } while (x.next());
  return { no: l.no, kind: "data", off, bytes: sink.bytes(), col: 0 };
}

/** od -t x1 / od -x / plain hexdump: "0000020 03 00 00 00 ..." or "0000010 0003 0000 ...";
 *  od's -t x1z adds ">ascii<"; a bare offset ends it. */
function columnRow(l: Line, unit: Unit, little: boolean, max: number): Row {
  const t = l.text;
  if (t.trim() === "*") return { no: l.no, kind: "repeat", off: "", bytes: new Uint8Array(0), col: 0 };
  const x = new Tokens(t);
  x.next();
  const off = x.text;
  if (!hexRun(t, x.s, x.e)) fail(l.no, `expected an offset column: ${quote(t)}`);
  if (!x.next()) return { no: l.no, kind: "end", off, bytes: new Uint8Array(0), col: 0 };
  const sink = new Sink(max, () => `line ${l.no}`);
  do {
    if (t.charCodeAt(x.s) === GT) break; // od -t x1z ascii
    if (hexRun(t, x.s, x.e) !== unit.width)
      fail(l.no, `${quote(x.text)}: expected ${unit.width} hex digits like the first line`);
    groupBytes(t, x.s, x.e, unit.number, little, sink);
  } while (x.next());
  return { no: l.no, kind: "data", off, bytes: sink.bytes(), col: 0 };
}

/** gdb x/Nxb (or xh/xw/xg): "0x4028 <buf+8>:\t0x02\t0x00 ..." - the address is not data. */
function gdbRow(l: Line, little: boolean, max: number): Row {
  const t = l.text;
  const a = gdbAddressEnd(t);
  if (!a) return fail(l.no, `expected a gdb line "0xADDRESS <symbol>: 0x.. 0x..": ${quote(t)}`);
  const sink = new Sink(max, () => `line ${l.no}`);
  let width = 0;
  const x = new Tokens(t, a.end);
  while (x.next()) {
    const d = t.charCodeAt(x.s) === 48 && (t.charCodeAt(x.s + 1) | 32) === 120 ? hexRun(t, x.s + 2, x.e) : 0;
    if (!d || d % 2) fail(l.no, `${quote(x.text)} is not a gdb hex value (use x/x, not x/d or x/c)`);
    if (width && d !== width) fail(l.no, `values of different sizes on one line`);
    width = d;
    groupBytes(t, x.s + 2, x.e, true, little, sink);
  }
  return { no: l.no, kind: "data", off: a.addr, bytes: sink.bytes(), col: 0 };
}

/** "0xADDR:" or "0xADDR <sym+N>:"; returns the address digits and where the values start. */
function gdbAddressEnd(t: string): { addr: string; end: number } | null {
  let i = 0;
  while (i < t.length && isSpace(t.charCodeAt(i))) i++;
  if (t.charCodeAt(i) !== 48 || (t.charCodeAt(i + 1) | 32) !== 120) return null;
  const s = i + 2;
  i = s;
  while (i < t.length && hexVal(t.charCodeAt(i)) >= 0) i++;
  if (i === s) return null;
  const addr = t.slice(s, i);
  if (t.charCodeAt(i) === SP && t.charCodeAt(i + 1) === LT) {
    const gt = t.indexOf(">", i);
    if (gt < 0) return null;
    i = gt + 1;
  }
  // the colon is followed by the values (tab or space), never by more digits ("0x15:00" is hex)
  if (t.charCodeAt(i) !== COLON || (i + 1 < t.length && !isSpace(t.charCodeAt(i + 1)))) return null;
  return { addr, end: i + 1 };
}

// ---------------------------------------------------------------------------------------------
// kernel print_hex_dump lines, as dmesg prints them:
//   [    0.431107] 00000000: 86 80 d3 10 07 05 10 00 00 00 00 02 10 00 00 00
//   [   12.001000] skb linear:   00000010: 45 00 00 54 ...  E..T
//   [   12.001000] vfio: 0000002000000024 ...          (groupsize 8: numbers in the CPU's byte order)

/** Length of a leading "[ timestamp]" / "<level>" / "[ T123]" log prefix, or 0. */
function logPrefix(t: string): number {
  let i = 0;
  if (t.charCodeAt(0) === LT) {
    // <6>
    let k = 1;
    while (isDigit(t.charCodeAt(k))) k++;
    if (k > 1 && t.charCodeAt(k) === GT) i = k + 1;
  }
  let found = false;
  while (t.charCodeAt(i) === LBRACKET) {
    const close = t.indexOf("]", i);
    if (close < 0 || close - i > 48) break;
    if (!bracketIsStamp(t, i + 1, close)) break;
    i = close + 1;
    found = true;
  }
  if (!found && i === 0) return 0;
  if (t.charCodeAt(i) === SP) i++;
  return i;
}

/** "    0.431107", "T123", "C0", or a dmesg -T date "Sun Nov 30 10:28:00 2025". */
function bracketIsStamp(t: string, s: number, e: number): boolean {
  let i = s;
  while (i < e && t.charCodeAt(i) === SP) i++;
  if (i === e) return false;
  const c = t.charCodeAt(i);
  if (isDigit(c)) {
    // seconds.micros
    let dots = 0;
    for (let k = i; k < e; k++) {
      const d = t.charCodeAt(k);
      if (d === DOT) dots++;
      else if (!isDigit(d)) return false;
    }
    return dots === 1;
  }
  if ((c === 84 || c === 67) && e - i > 1) {
    for (let k = i + 1; k < e; k++) if (!isDigit(t.charCodeAt(k))) return false;
    return true;
  } // T123 / C0
  if (c >= 65 && c <= 90) {
    for (let k = i; k < e; k++) {
      const d = t.charCodeAt(k);
      if (!(isIdent(d) || d === SP || d === COLON)) return false;
    }
    return true;
  }
  return false;
}

/** The hex area of a kernel line: the first run of equal-width hex groups (2, 4, 8 or 16 digits)
 *  separated by single spaces that ends the line or is followed by two spaces (the ascii column),
 *  with the "OFFSET: " token before it if there is one. One pass over the tokens. */
function kernelHexArea(
  t: string,
  from: number,
): { off: string | null; width: number; s: number; e: number; col: number } | null {
  const x = new Tokens(t, from);
  let start = -1,
    end = -1,
    width = 0,
    prevS = -1,
    prevE = -1,
    startPrevS = -1,
    startPrevE = -1,
    startGap = 0;
  const done = () => {
    let off: string | null = null;
    if (startPrevS >= 0 && t.charCodeAt(startPrevE - 1) === COLON && startGap === 1) {
      const d = hexRun(t, startPrevS, startPrevE - 1);
      if (d === startPrevE - 1 - startPrevS && (d === 8 || d === 16)) off = t.slice(startPrevS, startPrevE - 1);
    }
    return { off, width, s: start, e: end, col: start - from };
  };
  while (x.next()) {
    if (start >= 0 && x.gap >= 2) return done();
    const d = hexRun(t, x.s, x.e);
    const w = d === 2 || d === 4 || d === 8 || d === 16 ? d : 0;
    if (start >= 0 && w === width && x.gap === 1) {
      end = x.e;
      prevS = x.s;
      prevE = x.e;
      continue;
    }
    if (w) {
      start = x.s;
      end = x.e;
      startPrevS = prevS;
      startPrevE = prevE;
      startGap = x.gap;
    } else start = -1;
    width = w;
    prevS = x.s;
    prevE = x.e;
  }
  return start >= 0 ? done() : null;
}

function kernelRows(lines: Line[], little: boolean, max: number, notes: string[]): Row[] {
  const rows: Row[] = [];
  let skipped = 0;
  for (const l of lines) {
    if (isBlank(l.text)) continue;
    const p = logPrefix(l.text);
    const area = kernelHexArea(l.text, p);
    if (!area) {
      skipped++;
      continue;
    }
    const sink = new Sink(max, () => `line ${l.no}`);
    // groupsize 1 prints bytes; 2/4/8 print numbers in the CPU's byte order
    const x = new Tokens(l.text.slice(0, area.e), area.s);
    while (x.next()) groupBytes(l.text, x.s, x.e, area.width > 2, little, sink);
    rows.push({ no: l.no, kind: "data", off: area.off ?? "", bytes: sink.bytes(), col: area.col });
  }
  if (skipped) notes.push(`skipped ${skipped} kernel log line(s) without hex bytes`);
  if (!rows.length) fail(lines[0]?.no ?? 1, "no print_hex_dump lines (OFFSET: xx xx ...) found");
  const rowsize = rows[0].bytes.length;
  for (let k = 0; k < rows.length; k++) {
    const r = rows[k];
    if (r.col !== rows[0].col)
      fail(
        r.no,
        `the hex bytes start at column ${r.col}, not ${rows[0].col} as on line ${rows[0].no}: the lines do not come from one print_hex_dump (or the prefix contains hex-like words)`,
      );
    if ((r.off === "") !== (rows[0].off === "")) fail(r.no, "some lines have an offset column and some do not");
    if (k < rows.length - 1 && r.bytes.length !== rowsize)
      fail(
        r.no,
        `${r.bytes.length} bytes on a line that is not the last (print_hex_dump rows are all ${rowsize} bytes but the last)`,
      );
  }
  if (rows.length > 1 && rowsize !== 16 && rowsize !== 32)
    fail(
      rows[0].no,
      `${rowsize} bytes per row; print_hex_dump rows hold 16 or 32 (the prefix before the bytes may contain hex-like words)`,
    );
  if (rows[rows.length - 1].bytes.length > rowsize)
    fail(rows[rows.length - 1].no, "the last row is longer than the others");
  return rows;
}

// ---------------------------------------------------------------------------------------------
// assembling rows: offsets must follow each other; "*" repeats the previous row; a bare offset
// line is the total length (hexdump, od), which may cut the zero padding of the last word.

function parseOffset(s: string, radix: 8 | 10 | 16): bigint | null {
  for (let i = 0; i < s.length; i++) {
    const v = hexVal(s.charCodeAt(i));
    if (v < 0 || v >= radix) return null;
  }
  return BigInt((radix === 16 ? "0x" : radix === 8 ? "0o" : "") + s);
}

function assemble(rows: Row[], radix: 8 | 10 | 16, unitBytes: number, max: number, checkOffsets: boolean): Uint8Array {
  const out = new Sink(max, () => "dump");
  let base: bigint | null = null,
    next: bigint | null = null,
    prev: Uint8Array | null = null,
    repeat: Row | null = null;
  const hexOff = (v: bigint) =>
    radix === 16 ? `0x${v.toString(16)}` : radix === 8 ? `0${v.toString(8)}` : v.toString();
  for (let k = 0; k < rows.length; k++) {
    const r = rows[k];
    if (r.kind === "repeat") {
      if (!prev || repeat) fail(r.no, `"*" (repeated lines) must follow a line of bytes`);
      repeat = r;
      continue;
    }
    if (!checkOffsets) {
      out.pushAll(r.bytes);
      continue;
    }
    const off = parseOffset(r.off, radix);
    if (off === null) fail(r.no, `offset ${quote(r.off)} is not a base-${radix} number`);
    if (base === null) base = next = off;
    if (repeat) {
      const gap = off! - next!,
        len = BigInt(prev!.length);
      if (gap < 0n || gap % len !== 0n)
        fail(r.no, `offset ${hexOff(off!)} after "*" is not a whole number of repeated ${prev!.length}-byte lines`);
      if (gap > BigInt(max)) fail(r.no, `"*" would repeat to more than ${max} bytes (maxBytes)`);
      for (let j = 0n; j < gap; j += len) out.pushAll(prev!);
      next = off;
      repeat = null;
    } else if (off !== next && r.kind !== "end") {
      fail(
        r.no,
        `offset ${hexOff(off!)} does not follow the previous line (expected ${hexOff(next!)}): a line is missing, or this is the start of another dump (put a blank line between dumps)`,
      );
    }
    if (r.kind === "end") {
      if (k !== rows.length - 1) fail(rows[k + 1].no, "text after the dump's final offset line");
      const total = Number(off! - base!);
      if (off! < base! || total > out.n) fail(r.no, `the final offset says ${total} bytes but the lines hold ${out.n}`);
      const cut = out.n - total;
      if (cut >= unitBytes) fail(r.no, `the final offset says ${total} bytes but the lines hold ${out.n}`);
      if (out.buf.subarray(total, out.n).some((b) => b !== 0))
        fail(
          r.no,
          `the final offset says ${total} bytes, and the padding of the last number is not zero: is the byte order right (endian)?`,
        );
      out.n = total;
      return out.bytes();
    }
    out.pushAll(r.bytes);
    prev = r.bytes;
    next = off! + BigInt(r.bytes.length);
  }
  if (repeat) fail(repeat.no, `"*" (repeated lines) at the end without the offset that says how far they repeat`);
  return out.bytes();
}

/** Offsets in od/hexdump columns may be octal (od), hexadecimal (hexdump, od -A x) or decimal
 *  (od -A d); the radix is the one under which every line follows the one before. */
function assembleAnyRadix(
  rows: Row[],
  preferred: (8 | 10 | 16)[],
  strong: boolean,
  unitBytes: number,
  max: number,
): { bytes: Uint8Array; radix: number } {
  const ok: { bytes: Uint8Array; radix: number }[] = [];
  let firstError: DumpError | null = null;
  for (const radix of preferred) {
    try {
      ok.push({ bytes: assemble(rows, radix, unitBytes, max, true), radix });
    } catch (e) {
      if (!(e instanceof DumpError) || e.message.includes("maxBytes")) throw e;
      // report the reading that got furthest
      if (!firstError || e.line > firstError.line) firstError = e;
    }
  }
  if (!ok.length) throw firstError;
  // the first radix is what the tool that prints this shape uses (od: octal, 6-digit od -A x: hex)
  if (strong) return ok[0];
  for (const o of ok.slice(1)) {
    if (o.bytes.length !== ok[0].bytes.length || o.bytes.some((b, i) => b !== ok[0].bytes[i]))
      fail(
        rows[0].no,
        `the offsets fit base ${ok[0].radix} and base ${o.radix}, which repeat "*" lines differently: say which tool printed it (format hexdump: hexadecimal offsets; od: octal), or dump with -v`,
      );
  }
  return ok[0];
}

// ---------------------------------------------------------------------------------------------
// C initialisers: "unsigned char buf[40] = { 0x20, 0x00, /* argsz */ ... };" and xxd -i

const WIDE_TYPES = new Set([
  "short",
  "int",
  "long",
  "uint16_t",
  "uint32_t",
  "uint64_t",
  "int16_t",
  "int32_t",
  "int64_t",
  "__u16",
  "__u32",
  "__u64",
  "__s16",
  "__s32",
  "__s64",
  "__le16",
  "__le32",
  "__le64",
  "__be16",
  "__be32",
  "__be64",
  "u16",
  "u32",
  "u64",
  "wchar_t",
]);

/** C escapes of one character ('\n', '\0', ...) and their bytes. */
const C_ESCAPES: Record<string, number> = {
  n: 10,
  t: 9,
  r: 13,
  "0": 0,
  "\\": 92,
  "'": 39,
  '"': 34,
  a: 7,
  b: 8,
  f: 12,
  v: 11,
};

/** A C byte-array initialiser: the declaration, the { elements }, and xxd -i's NAME_len line. */
function parseC(text: string, max: number): Uint8Array {
  const c = new CReader(text);
  c.skip();
  const declared = c.declaration();
  const out = c.elements(max);
  c.trailer(out.n);
  if (declared !== null && declared !== out.n)
    fail(
      1,
      `the array declares ${declared} bytes but lists ${out.n} (C would fill the rest with zeros; write every byte)`,
    );
  return out.bytes();
}

/** A cursor over C text: position, line (for errors), and the readers of each part. */
class CReader {
  i = 0;
  line = 1;
  readonly n: number;
  constructor(readonly text: string) {
    this.n = text.length;
  }

  /** Skip spaces, comments and preprocessor lines (#include, #define). */
  skip(): void {
    const text = this.text;
    for (;;) {
      const c = text.charCodeAt(this.i);
      if (c === LF) {
        this.line++;
        this.i++;
      } else if (isSpace(c)) this.i++;
      else if (c === SLASH && text.charCodeAt(this.i + 1) === STAR) {
        const e = text.indexOf("*/", this.i + 2);
        if (e < 0) fail(this.line, "unterminated /* comment");
        for (let k = this.i; k < e; k++) if (text.charCodeAt(k) === LF) this.line++;
        this.i = e + 2;
      } else if (c === SLASH && text.charCodeAt(this.i + 1) === SLASH) this.toLineEnd();
      else if (c === HASH && (this.i === 0 || text.charCodeAt(this.i - 1) === LF)) this.toLineEnd();
      else return;
    }
  }

  private toLineEnd(): void {
    while (this.i < this.n && this.text.charCodeAt(this.i) !== LF) this.i++;
  }

  private word(): string {
    const s = this.i;
    while (isIdent(this.text.charCodeAt(this.i))) this.i++;
    return this.text.slice(s, this.i);
  }

  /** The declaration up to its '{' (words, attributes, [N], '='): the declared size, or null. */
  declaration(): number | null {
    const text = this.text;
    let declared: number | null = null,
      wide: string | null = null,
      depth = 0;
    while (this.i < this.n && text.charCodeAt(this.i) !== LBRACE) {
      const c = text.charCodeAt(this.i);
      if (c === LBRACKET && depth === 0) {
        this.i++;
        this.skip();
        const lit = this.word();
        this.skip();
        if (text.charCodeAt(this.i) !== RBRACKET) fail(this.line, "expected ] after the array size");
        if (lit) {
          const v = cInt(lit);
          if (v === null) fail(this.line, `array size ${quote(lit)} is not a number`);
          declared = v;
        }
        this.i++;
      } else if (isIdent(c)) {
        const w = this.word();
        if (depth === 0 && WIDE_TYPES.has(w)) wide = w;
      } else if (c === 40) {
        depth++;
        this.i++;
      } else if (c === 41) {
        depth--;
        this.i++;
      } else if (c === EQ || c === 42 /* * */ || c === COMMA || c === QUOTE || c === 39) {
        if (c === QUOTE)
          fail(this.line, "string initialisers are not read (they end with an implicit NUL); use { 0x.., ... }");
        this.i++;
      } else fail(this.line, `unexpected ${quote(text[this.i])} before the initialiser's {`);
      this.skip();
    }
    if (this.i >= this.n) fail(this.line, "no { in the C initialiser");
    if (wide)
      fail(
        this.line,
        `the elements are ${wide}, not bytes: their byte order is unknown (use an unsigned char/uint8_t array)`,
      );
    this.i++;
    return declared;
  }

  /** The elements up to the closing '}' (and a ';'). */
  elements(max: number): Sink {
    const text = this.text;
    const out = new Sink(max, () => "C initialiser");
    for (;;) {
      this.skip();
      const c = text.charCodeAt(this.i);
      if (c === RBRACE) {
        this.i++;
        break;
      }
      if (this.i >= this.n) fail(this.line, "the initialiser has no closing }");
      if (c === LBRACE) fail(this.line, "nested braces: this is a struct initialiser, not a byte array");
      out.push(this.element());
      this.skip();
      const d = text.charCodeAt(this.i);
      if (d === COMMA) {
        this.i++;
        continue;
      }
      if (d !== RBRACE)
        fail(this.line, `expected , or } after an element, not ${quote(text.slice(this.i, this.i + 10))}`);
    }
    this.skip();
    if (text.charCodeAt(this.i) === SEMI) {
      this.i++;
      this.skip();
    }
    return out;
  }

  /** What may follow: nothing, or xxd -i's "unsigned int NAME_len = N;" agreeing with the `count` bytes. */
  trailer(count: number): void {
    const { text, i, n } = this;
    if (i >= n) return;
    const rest = text.slice(i, Math.min(n, i + 200));
    const eq = rest.indexOf("=");
    const semi = rest.indexOf(";");
    const words = eq > 0 ? rest.slice(0, eq).trim().split(/\s+/) : [];
    const lenName = words[words.length - 1];
    if (
      eq > 0 &&
      semi > eq &&
      words.length >= 2 &&
      lenName.endsWith("_len") &&
      text.slice(i + semi + 1).trim() === ""
    ) {
      const v = cInt(rest.slice(eq + 1, semi).trim());
      if (v !== count)
        fail(this.line, `${lenName} = ${rest.slice(eq + 1, semi).trim()} but the array lists ${count} bytes`);
    } else fail(this.line, `text after the initialiser: ${quote(text.slice(i, i + 40))}`);
  }

  /** One element: a character literal, or an integer literal (a minus sign allowed) that fits a byte. */
  private element(): number {
    if (this.text.charCodeAt(this.i) === 39) return this.charLiteral();
    let neg = false;
    if (this.text.charCodeAt(this.i) === DASH) {
      neg = true;
      this.i++;
      this.skip();
    }
    const s = this.i;
    const lit = this.word();
    const v = cInt(lit);
    if (v === null) fail(this.line, `${quote(lit || this.text.slice(s, s + 10))} is not an integer literal`);
    if (neg ? v! > 128 : v! > 255) fail(this.line, `${neg ? "-" : ""}${lit} is not a byte`);
    return neg ? (256 - v!) & 0xff : v!;
  }

  /** 'x', '\x20', '\0', '\n', '\101' */
  private charLiteral(): number {
    const e = this.text.indexOf("'", this.i + 2);
    if (e < 0 || e - this.i > 6) fail(this.line, "bad character literal");
    const body = this.text.slice(this.i + 1, e);
    this.i = e + 1;
    if (body.length === 1) return body.charCodeAt(0);
    if (body[0] === "\\" && body[1] === "x") {
      const v = cInt(`0${body.slice(1)}`);
      if (v !== null && v < 256) return v;
    } else if (body[0] === "\\" && body.length === 2 && body[1] in C_ESCAPES) return C_ESCAPES[body[1]];
    else if (body[0] === "\\" && /^[0-7]{1,3}$/.test(body.slice(1))) {
      const v = parseInt(body.slice(1), 8);
      if (v < 256) return v;
    }
    return fail(this.line, `character literal '${body}' is not one byte`);
  }
}

/** C integer literal (hex, octal, decimal; u/l suffixes), or null. At most 12 digits. */
function cInt(s: string): number | null {
  let e = s.length;
  while (e > 0 && "uUlL".includes(s[e - 1])) e--;
  const t = s.slice(0, e);
  if (!t || t.length > 14) return null;
  let radix = 10,
    k = 0;
  if (t.length > 2 && t[0] === "0" && (t[1] === "x" || t[1] === "X")) {
    radix = 16;
    k = 2;
  } else if (t.length > 1 && t[0] === "0") {
    radix = 8;
    k = 1;
  }
  let v = 0;
  for (; k < t.length; k++) {
    const d = hexVal(t.charCodeAt(k));
    if (d < 0 || d >= radix) return null;
    v = v * radix + d;
  }
  return v;
}

// ---------------------------------------------------------------------------------------------
// JSON: decode's / the inspector's value (encoded as the struct), a byte array, a fuzz label

function parseJSON(text: string, o: DumpOptions, max: number): Uint8Array {
  const depth = jsonDepth(text);
  if (depth > 32) throw new DumpError(`JSON nested ${depth} levels deep; decoded values nest a few levels`, 1);
  let j: unknown;
  try {
    j = JSON.parse(text);
  } catch (e) {
    throw new DumpError(`not valid JSON: ${(e as Error).message}`, 1);
  }
  if (Array.isArray(j)) {
    if (j.length > max) throw new DumpError(`more than ${max} bytes (maxBytes)`, 1);
    const out = new Uint8Array(j.length);
    j.forEach((v, k) => {
      if (!Number.isInteger(v) || v < 0 || v > 255)
        throw new DumpError(`JSON array element ${k} is ${JSON.stringify(v)}, not a byte (0..255)`, 1);
      out[k] = v;
    });
    return out;
  }
  if (!j || typeof j !== "object")
    throw new DumpError("JSON input must be an object (a decoded value) or an array of bytes", 1);
  const obj = j as Record<string, unknown>;
  if ("error" in obj && Object.keys(obj).every((k) => k === "error" || k === "source" || k === "line"))
    throw new DumpError("this JSON is an error report from an earlier run, not a value", 1);
  // a fuzz case label: {"struct": ..., "hex": ...}
  if (typeof obj.hex === "string" && typeof obj.struct === "string" && "class" in obj) {
    if (o.struct && normStruct(obj.struct) !== normStruct(o.struct))
      throw new DumpError(`this fuzz case is a ${obj.struct}, not a ${o.struct}`, 1);
    return fromHex(obj.hex, max);
  }
  if (!o.struct) throw new DumpError("JSON values are encoded as a struct: say which one", 1);
  return encode(o.struct, fromJSONValue(o.struct, obj) as never, o.profile);
}
/** Deepest nesting of [ and { outside strings (stops counting past 1000). */
function jsonDepth(t: string): number {
  let d = 0,
    max = 0,
    inStr = false;
  for (let i = 0; i < t.length && max < 1000; i++) {
    const c = t.charCodeAt(i);
    if (inStr) {
      if (c === 92) i++;
      else if (c === QUOTE) inStr = false;
      continue;
    }
    if (c === QUOTE) inStr = true;
    else if (c === LBRACE || c === LBRACKET) {
      if (++d > max) max = d;
    } else if (c === RBRACE || c === RBRACKET) d--;
  }
  return max;
}
const normStruct = (s: string) => (s.startsWith("vfio_") ? s : `vfio_${s}`);

// ---------------------------------------------------------------------------------------------
// recognising the format

/** The format of a dump, from its first non-blank line (and the first character of the text). */
export function detectFormat(text: string): DumpFormat {
  let i = 0;
  while (i < text.length && (isSpace(text.charCodeAt(i)) || text.charCodeAt(i) === LF)) i++;
  const c = text.charCodeAt(i);
  const eol = text.indexOf("\n", i);
  const first = text.slice(i, eol < 0 ? text.length : eol);
  if (logPrefix(first) > 0) return "kernel";
  if (c === LBRACE) {
    let k = i + 1;
    while (k < text.length && (isSpace(text.charCodeAt(k)) || text.charCodeAt(k) === LF)) k++;
    const d = text.charCodeAt(k);
    return d === QUOTE || d === RBRACE ? "json" : "c";
  }
  if (c === LBRACKET) return "json";
  if (c === 48 && (text.charCodeAt(i + 1) | 32) === 120 && gdbAddressEnd(first)) return "gdb";
  if (first.trim() === "*") return "hex";
  // offset-column dumps, by the first line's shape
  const tk = new Tokens(first);
  tk.next();
  const s0 = tk.s,
    e0 = tk.e;
  const colon = first.charCodeAt(e0 - 1) === COLON;
  const d0 = hexRun(first, s0, colon ? e0 - 1 : e0);
  const more = tk.next();
  if (colon && d0 === e0 - 1 - s0 && d0 >= 4) return "xxd";
  if (d0 === e0 - s0 && more) {
    const w1 = hexRun(first, tk.s, tk.e);
    if (d0 === 8 && tk.gap === 2 && w1 === 2) return "hexdump-C";
    if ((d0 === 6 || d0 === 7) && (w1 === 2 || w1 === 4 || w1 === 8 || w1 === 16) && tk.gap === 1)
      return w1 === 4 && d0 === 7 ? "hexdump" : "od";
  }
  if (isIdent(c) || c === SLASH || c === HASH) {
    // words that are not hex ("unsigned char ...") or a comment, and a brace somewhere: C
    if (text.indexOf("{", i) >= 0 && (c === SLASH || c === HASH || !isPlainHexWord(first))) return "c";
    if (hasPrefixedOffset(first)) return "kernel";
  }
  return "hex";
}

const isPlainHexWord = (line: string) => {
  const tk = new Tokens(line);
  return tk.next() && hexRun(line, tk.s, tk.e) > 0;
};

/** "some prefix: 00000010: 45 00 ..." - a print_hex_dump line without a timestamp (journalctl, dmesg -t). */
function hasPrefixedOffset(line: string): boolean {
  const a = kernelHexArea(line, 0);
  return !!a && a.off !== null && a.col > a.off.length + 2;
}

// ---------------------------------------------------------------------------------------------
// the parser

/** Parse one dump (one item) into bytes. Throws DumpError (with the line number) when the text is
 *  not a dump, or is one that could be read more than one way. */
export function parseDump(text: string, o: DumpOptions = {}): Dump {
  const max = o.maxBytes ?? DEFAULT_MAX_DUMP_BYTES;
  const little = (o.endian ?? "little") === "little";
  const format = o.format ?? detectFormat(text);
  let detected = format;
  const notes: string[] = [];
  const lines = () => splitLines(text).filter((l) => !isBlank(l.text));
  const bytes = ((): Uint8Array => {
    switch (format) {
      case "hex":
        return fromHex(text, max);
      case "json":
        return parseJSON(text, o, max);
      case "c":
        return parseC(text, max);
      case "xxd":
        return assemble(
          lines().map((l) => xxdRow(l, little, max)),
          16,
          1,
          max,
          true,
        );
      case "hexdump-C":
        return assemble(
          lines().map((l) => canonicalRow(l, max)),
          16,
          1,
          max,
          true,
        );
      case "gdb":
        return assemble(
          lines().map((l) => gdbRow(l, little, max)),
          16,
          1,
          max,
          true,
        );
      case "hexdump":
      case "od": {
        const ls = lines();
        const t = ls[0].text,
          tk = new Tokens(t);
        if (!tk.next() || !tk.next()) fail(ls[0].no, `expected an offset column followed by hex: ${quote(t)}`);
        const width = hexRun(t, tk.s, tk.e);
        if (![2, 4, 8, 16].includes(width)) fail(ls[0].no, `${quote(tk.text)} is not a 1, 2, 4 or 8-byte hex column`);
        const rows = ls.map((l) => columnRow(l, { width, number: width > 2 }, little, max));
        // the last number may hold padding: only the final offset line says how much
        if (width > 2 && rows[rows.length - 1].kind !== "end")
          fail(
            rows[rows.length - 1].no,
            "a dump of multi-byte numbers ends with a line holding only the total length; it is missing (is the dump cut?)",
          );
        // which radix the printing tool uses: hexdump hexadecimal; od octal (-A x: 6 hex digits,
        // -A d: decimal); for 7-digit offsets over 16-bit words, only an explicit format can tell
        const digits = rows[0].off.length;
        const pref: (8 | 10 | 16)[] =
          o.format === "hexdump"
            ? [16]
            : o.format === "od"
              ? [8, 16, 10]
              : digits === 6
                ? [16, 8, 10]
                : width === 2
                  ? [8, 10, 16]
                  : [16, 8, 10];
        const r = assembleAnyRadix(rows, pref, o.format !== undefined || digits === 6 || width === 2, width / 2, max);
        detected = r.radix === 16 && width === 4 ? "hexdump" : "od";
        return r.bytes;
      }
      case "kernel": {
        const rows = kernelRows(lines(), little, max, notes);
        const withOffsets = rows[0].off !== "" && /^0+$/.test(rows[0].off);
        if (rows[0].off !== "" && !withOffsets)
          notes.push("addresses (DUMP_PREFIX_ADDRESS) are not checked: the kernel hashes them");
        return assemble(rows, 16, 1, max, withOffsets);
      }
    }
    throw new DumpError(`unknown dump format ${quote(String(format))} (one of ${DUMP_FORMATS.join(", ")})`, 0);
  })();
  return { bytes, format: detected, notes };
}

// ---------------------------------------------------------------------------------------------
// one line at a time, for splitting a stream of dumps into items (dump-stream.ts)

export type LineClass =
  | { kind: "blank" }
  | { kind: "block" } // JSON or a C initialiser: runs to its closing brace
  | { kind: "star" }
  | { kind: "kernel"; hex: boolean; offset: string | null }
  | { kind: "gdb"; addr: bigint; bytes: number }
  | { kind: "offset"; format: "xxd" | "hexdump-C" | "hexdump" | "od"; offset: string }
  | { kind: "hex"; digits: number; bare: boolean }; // digits: -1 unless the line is only hex digits

/** What one line of a dump stream is, without parsing its bytes. */
export function classifyLine(t: string): LineClass {
  let i = 0;
  while (i < t.length && isSpace(t.charCodeAt(i))) i++;
  if (i === t.length) return { kind: "blank" };
  const c = t.charCodeAt(i);
  const lp = logPrefix(t);
  if (lp > 0) {
    const a = kernelHexArea(t, lp);
    return { kind: "kernel", hex: !!a, offset: a?.off ?? null };
  }
  if (c === LBRACE || c === LBRACKET) return { kind: "block" };
  if (c === STAR && t.trim() === "*") return { kind: "star" };
  if (c === 48 && (t.charCodeAt(i + 1) | 32) === 120) {
    const g = gdbAddressEnd(t);
    if (g) {
      let n = 0;
      const x = new Tokens(t, g.end);
      while (x.next()) n += (x.e - x.s - 2) >> 1;
      return { kind: "gdb", addr: BigInt(`0x${g.addr}`), bytes: n };
    }
  }
  const f = detectFormat(t);
  if (f === "c" || f === "json") return { kind: "block" };
  if (f === "kernel") {
    const a = kernelHexArea(t, 0);
    return { kind: "kernel", hex: !!a, offset: a?.off ?? null };
  }
  if (f === "xxd" || f === "hexdump-C" || f === "hexdump" || f === "od") {
    const x = new Tokens(t);
    x.next();
    return { kind: "offset", format: f, offset: t.slice(x.s, t.charCodeAt(x.e - 1) === COLON ? x.e - 1 : x.e) };
  }
  let e = t.length;
  while (e > i && isSpace(t.charCodeAt(e - 1))) e--;
  const d = hexRun(t, i, e);
  return { kind: "hex", digits: d === e - i ? d : -1, bare: d === e - i && d >= 6 && d <= 8 };
}

/** Tracks brace depth of a JSON value or C initialiser over lines (strings and comments skipped). */
export class BlockScanner {
  /** Counts [ ] (a JSON array) or { } (a JSON object, a C initialiser, whose "buf[4]" is no block). */
  constructor(private readonly open = LBRACE) {}
  static for(firstLine: string): BlockScanner {
    return new BlockScanner(firstLine.trimStart().startsWith("[") ? LBRACKET : LBRACE);
  }
  private depth = 0;
  private opened = false;
  private inString = false;
  private inComment = false;
  /** Feed one line; true when the block has closed. */
  feed(t: string): boolean {
    for (let i = 0; i < t.length; i++) {
      const c = t.charCodeAt(i);
      if (this.inComment) {
        if (c === STAR && t.charCodeAt(i + 1) === SLASH) {
          this.inComment = false;
          i++;
        }
        continue;
      }
      if (this.inString) {
        if (c === 92) i++;
        else if (c === QUOTE) this.inString = false;
        continue;
      }
      if (c === QUOTE) this.inString = true;
      else if (c === SLASH && t.charCodeAt(i + 1) === STAR) {
        this.inComment = true;
        i++;
      } else if (c === SLASH && t.charCodeAt(i + 1) === SLASH) break;
      else if (c === this.open) {
        this.depth++;
        this.opened = true;
      } else if (c === this.open + 2) this.depth--; // ] is [ + 2, } is { + 2
    }
    return this.opened && this.depth <= 0 && !this.inComment;
  }
}
