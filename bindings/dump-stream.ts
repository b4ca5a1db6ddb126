// Splitting a stream of text (standard input, a file) into items, one dump each, line by line with
// one line of look-ahead at most, so any amount of input goes through in bounded memory.
//
// Rules ("auto", the default):
//  * a blank line always ends an item;
//  * dumps with an offset or address column (xxd, hexdump, od, gdb, kernel print_hex_dump) run
//    while their offsets continue; an offset of 0 starts the next dump, and hexdump's and od's
//    final offset line ends one;
//  * JSON values and C initialisers run to their closing brace (xxd -i's NAME_len line included);
//  * plain hex is one item per line, except xxd -p's 60-digit lines, which continue onto the next
//    line, unless the line is a whole buffer by itself (its argsz says 30 bytes);
//  * kernel log lines without hex bytes are skipped (counted in `skipped`).
// "line": every non-blank line is an item. "blank": items are separated by blank lines.
import { classifyLine, BlockScanner, type LineClass } from "./dump.js";

export type SplitMode = "auto" | "line" | "blank";
export const SPLIT_MODES: readonly SplitMode[] = ["auto", "line", "blank"];

export interface TextItem {
  text: string;
  /** 1-based line the item starts on. */
  line: number;
  /** the item is one line of plain hex (digits and single spaces): fromHex reads it, no format to recognise */
  plain?: boolean;
}

export interface SplitOptions {
  mode?: SplitMode;
  /** For xxd -p: is this 60-digit line a whole buffer by itself? (argsz says 30 bytes) */
  wholeLine?: (hex: string) => boolean;
  /** Longest item, in characters (longer ones are cut and reported by the parser). Default 64 Mi. */
  maxChars?: number;
}

const XXD_P_WIDTH = 60;
const isHexDigit = (c: number) => (c >= 48 && c <= 57) || ((c | 32) >= 97 && (c | 32) <= 102);

/** Hex digits in groups separated by single spaces ("20000000 24000000"), which no line of another
 *  dump format looks like: not xxd -p's 60 digits (it may continue), not a 6 or 7-digit first group
 *  (od's and hexdump's offsets), no double space (hexdump -C). */
function isPlainHexLine(t: string): boolean {
  let first = -1,
    i = 0;
  for (; i < t.length; i++) {
    const c = t.charCodeAt(i);
    if (c === 32) {
      if (i === 0 || t.charCodeAt(i - 1) === 32) return false;
      if (first < 0) first = i;
    } else if (!isHexDigit(c)) return false;
  }
  if (i === 0 || t.charCodeAt(i - 1) === 32) return false;
  if (first < 0) return i !== XXD_P_WIDTH;
  return first !== 6 && first !== 7;
}

type Open =
  | { kind: "block"; scan: BlockScanner }
  | { kind: "offset"; format: string }
  | { kind: "kernel" }
  | { kind: "gdb"; next: bigint }
  | { kind: "xxd-p" };

export class DumpSplitter {
  private lines: string[] = [];
  private chars = 0;
  private start = 0;
  private no = 0;
  private open: Open | null = null;
  /** a finished C initialiser waiting to see whether xxd -i's "unsigned int NAME_len = N;" follows */
  private pendingC = false;
  /** kernel log lines without hex bytes, skipped */
  skipped = 0;
  private readonly mode: SplitMode;
  private readonly maxChars: number;

  constructor(private readonly o: SplitOptions = {}) {
    this.mode = o.mode ?? "auto";
    this.maxChars = o.maxChars ?? 64 << 20;
  }

  /** Feed one line (without its newline); returns the items it completes. */
  push(line: string): TextItem[] {
    this.no++;
    const out: TextItem[] = [];
    if (this.mode === "line") {
      if (line.trim()) out.push({ text: line, line: this.no });
      return out;
    }
    if (this.mode === "blank") {
      if (!line.trim()) this.flush(out);
      else this.add(line, out);
      return out;
    }
    this.auto(line, out);
    return out;
  }

  /**
   * Would push() make a line of `digits` hex digits (nothing else) an item of its own, plain? Then a
   * caller may handle the line itself and call skip() instead of push(): the same item, numbered alike.
   */
  takesPlain(digits: number): boolean {
    if (this.mode === "line") return true;
    return this.mode === "auto" && !this.open && !this.pendingC && digits !== XXD_P_WIDTH;
  }

  /** Count a line the caller handled itself (after takesPlain said yes); returns its 1-based number. */
  skip(): number {
    return ++this.no;
  }

  /** The number the next line will have. */
  get nextLine(): number {
    return this.no + 1;
  }

  /** End of input: the last item, if any. */
  end(): TextItem[] {
    const out: TextItem[] = [];
    this.flush(out);
    return out;
  }

  private auto(line: string, out: TextItem[]) {
    // the common case first: no dump open and a line of plain hex
    if (!this.open && !this.pendingC && isPlainHexLine(line)) {
      out.push({ text: line, line: this.no, plain: true });
      return;
    }
    if (this.pendingC) {
      this.pendingC = false;
      const t = line.trim();
      if (t.startsWith("unsigned int ") && t.endsWith(";") && t.includes("_len")) {
        this.add(line, out);
        this.flush(out);
        return;
      }
      this.flush(out);
    }
    const open = this.open;
    if (open?.kind === "block") {
      // inside JSON or C: everything up to the closing brace
      this.add(line, out);
      if (open.scan.feed(line)) this.closeBlock(out);
      return;
    }
    const c = classifyLine(line);
    if (c.kind === "blank") {
      this.flush(out);
      return;
    }
    if (open && this.continues(open, c)) {
      this.add(line, out);
      if (c.kind === "gdb" && open.kind === "gdb") open.next = c.addr + BigInt(c.bytes);
      if (c.kind === "hex" && c.bare && open.kind === "offset" && open.format !== "xxd") this.flush(out); // final offset line
      if (open.kind === "xxd-p" && c.kind === "hex" && c.digits !== XXD_P_WIDTH) this.flush(out); // xxd -p's short last line
      return;
    }
    this.flush(out);
    this.begin(line, c, out);
  }

  private continues(open: Open, c: LineClass): boolean {
    switch (open.kind) {
      case "offset":
        if (c.kind === "star") return true;
        if (c.kind === "hex" && c.bare) return open.format !== "xxd";
        return c.kind === "offset" && c.format === open.format && !/^0+$/.test(c.offset);
      case "kernel":
        return c.kind === "kernel" && c.hex && !(c.offset !== null && /^0+$/.test(c.offset));
      case "gdb":
        return c.kind === "gdb" && c.addr === open.next;
      case "xxd-p":
        return c.kind === "hex" && c.digits > 0 && c.digits <= XXD_P_WIDTH;
      default:
        return false;
    }
  }

  private begin(line: string, c: LineClass, out: TextItem[]) {
    switch (c.kind) {
      case "block": {
        const scan = BlockScanner.for(line);
        this.open = { kind: "block", scan };
        this.add(line, out);
        if (scan.feed(line)) this.closeBlock(out);
        return;
      }
      case "kernel":
        if (!c.hex) {
          this.skipped++;
          return;
        }
        this.open = { kind: "kernel" };
        break;
      case "gdb":
        this.open = { kind: "gdb", next: c.addr + BigInt(c.bytes) };
        break;
      case "offset":
        this.open = { kind: "offset", format: c.format };
        break;
      case "hex":
        if (c.digits === XXD_P_WIDTH && !this.o.wholeLine?.(line.trim())) {
          this.open = { kind: "xxd-p" };
          break;
        }
        this.add(line, out);
        this.flush(out);
        return;
      default: // "*" alone: an item the parser will explain
        this.add(line, out);
        this.flush(out);
        return;
    }
    this.add(line, out);
  }

  private closeBlock(out: TextItem[]) {
    const c = this.lines[0].trimStart();
    this.open = null;
    if (c.startsWith("{") || c.startsWith("["))
      this.flush(out); // JSON
    else this.pendingC = true;
  }

  private add(line: string, out: TextItem[]) {
    if (!this.lines.length) this.start = this.no;
    this.lines.push(line);
    this.chars += line.length + 1;
    if (this.chars > this.maxChars) this.flush(out); // cut: the parser reports the broken item
  }

  private flush(out: TextItem[]) {
    this.open = null;
    if (!this.lines.length) return;
    out.push({ text: this.lines.length === 1 ? this.lines[0] : this.lines.join("\n"), line: this.start });
    this.lines = [];
    this.chars = 0;
  }
}

/** Split a whole text at once (a file). */
export function splitDumps(text: string, o: SplitOptions = {}): { items: TextItem[]; skipped: number } {
  const s = new DumpSplitter(o);
  const items: TextItem[] = [];
  let start = 0;
  for (;;) {
    const nl = text.indexOf("\n", start);
    const end = nl < 0 ? text.length : nl;
    if (nl >= 0 || end > start)
      items.push(...s.push(text.charCodeAt(end - 1) === 13 ? text.slice(start, end - 1) : text.slice(start, end)));
    if (nl < 0) break;
    start = nl + 1;
  }
  items.push(...s.end());
  return { items, skipped: s.skipped };
}
