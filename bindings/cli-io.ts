// Command-line input and output: items from a positional argument, files and corpus directories
// (--in), raw bytes (--binary) or standard input (split into dumps as it streams); output that
// waits when the reader is slow (backpressure) and ends quietly when the reader goes away (EPIPE).
import {
  closeSync,
  constants,
  createReadStream,
  openSync,
  readFileSync,
  readdirSync,
  statSync,
  writeSync,
} from "node:fs";
import { createInterface } from "node:readline";
import { join, extname, basename } from "node:path";
import { once } from "node:events";
import { DumpSplitter, type SplitMode, type TextItem } from "./dump-stream.js";
import { UsageError } from "./errors.js";
import { CliUsageError } from "./cli-args.js";

/** One input item: text to parse as a dump, or raw bytes. */
export interface Item {
  text?: string;
  /** text is one line of plain hex */
  plain?: boolean;
  bytes?: Uint8Array;
  /** where it came from: "stdin:3", "corpus/x.bin", "dump.txt:12"; null for the positional argument */
  source: string | null;
}

export interface InputOptions {
  positional?: string;
  files?: string[];
  binary?: boolean;
  split?: SplitMode;
  wholeLine?: (hex: string) => boolean;
  /**
   * Standard input's lines that are nothing but hex digits (an even number of them), straight to
   * their output line: (bytes, start, end, source) -> the line, or undefined to make the line an item
   * as usual (`source` is the JSON text of the item's source, "stdin:N"). Only asked where the
   * splitter would make the line a plain item of its own.
   */
  lane?: (bytes: Uint8Array, start: number, end: number, source: string) => string | undefined;
  /** called once per file or stream with the number of kernel log lines skipped */
  onSkipped?: (where: string, n: number) => void;
}

const RAW_EXT = new Set([".bin", ".raw", ".dat"]);

/** A file's bytes are text (a dump) unless they hold NUL or other control bytes. */
function looksLikeText(b: Uint8Array): boolean {
  const n = Math.min(b.length, 1 << 16);
  for (let i = 0; i < n; i++) {
    const c = b[i];
    if (c < 32 && c !== 9 && c !== 10 && c !== 13) return false;
    if (c === 127) return false;
  }
  return true;
}

/** Files of a corpus directory, sorted; a fuzz label x.json next to x.bin is the label, not an input. */
function dirFiles(dir: string): string[] {
  const names = readdirSync(dir)
    .filter((f) => !f.startsWith("."))
    .sort();
  const have = new Set(names);
  const out: string[] = [];
  for (const f of names) {
    const p = join(dir, f);
    if (!statSync(p).isFile()) continue;
    if (extname(f) === ".json" && have.has(`${basename(f, ".json")}.bin`)) continue;
    out.push(p);
  }
  return out;
}

function* fileItems(path: string, o: InputOptions): Generator<Item> {
  let st: ReturnType<typeof statSync>;
  try {
    st = statSync(path);
  } catch {
    throw new UsageError("E_BAD_ARG", `cannot read ${path}: no such file or directory`, 0, null);
  }
  if (st.isDirectory()) {
    for (const f of dirFiles(path)) yield* fileItems(f, o);
    return;
  }
  const b = readFileSync(path);
  const bytes = new Uint8Array(b.buffer, b.byteOffset, b.length);
  if (o.binary || RAW_EXT.has(extname(path).toLowerCase()) || !looksLikeText(bytes)) {
    yield { bytes, source: path };
    return;
  }
  const split = new DumpSplitter({ mode: o.split, wholeLine: o.wholeLine });
  const text = b.toString("utf8");
  const items = [];
  let start = 0;
  for (;;) {
    const nl = text.indexOf("\n", start);
    const end = nl < 0 ? text.length : nl;
    if (nl >= 0 || end > start)
      items.push(...split.push(text.charCodeAt(end - 1) === 13 ? text.slice(start, end - 1) : text.slice(start, end)));
    if (nl < 0) break;
    start = nl + 1;
  }
  items.push(...split.end());
  if (split.skipped) o.onSkipped?.(path, split.skipped);
  // a file holding one dump is named by its path alone
  for (const it of items) yield { text: it.text, source: items.length === 1 ? path : `${path}:${it.line}` };
}

/** Every input item, in batches (one per file, or per chunk of standard input), so a command can
 *  work through a chunk without waiting and wait only when its output is full. A string in a batch
 *  is output text the lane made (whole lines, each with its newline). */
export async function* inputBatches(o: InputOptions): AsyncGenerator<(Item | string)[]> {
  if (o.files?.length) {
    for (const f of o.files) {
      if (f === "-") {
        yield* stdinBatches(o);
        continue;
      }
      yield [...fileItems(f, o)];
    }
    return;
  }
  if (o.positional !== undefined) {
    yield [{ text: o.positional, source: null }];
    return;
  }
  yield* stdinBatches(o);
}

const BATCH_ITEMS = 256,
  BATCH_TEXT = 1 << 16;

/** Bytes 0-9, a-f, A-F from start to end, an even number of them. */
function hexOnly(b: Uint8Array, start: number, end: number): boolean {
  if ((end - start) & 1 || end === start) return false;
  for (let i = start; i < end; i++) {
    const c = b[i];
    if (!((c >= 48 && c <= 57) || ((c | 32) >= 97 && (c | 32) <= 102))) return false;
  }
  return true;
}

async function* stdinBatches(o: InputOptions): AsyncGenerator<(Item | string)[]> {
  if (o.binary) {
    const chunks: Buffer[] = [];
    for await (const c of process.stdin) chunks.push(c as Buffer);
    const b = Buffer.concat(chunks);
    yield [{ bytes: new Uint8Array(b.buffer, b.byteOffset, b.length), source: "stdin" }];
    return;
  }
  // chunks of bytes split into lines here (readline's per-line events cost more than decoding a line);
  // a line is UTF-8 text (a newline byte never sits inside a UTF-8 sequence), made a string only
  // when it is not for the lane
  const split = new DumpSplitter({ mode: o.split, wholeLine: o.wholeLine });
  const name = (it: TextItem): Item => ({ text: it.text, plain: it.plain, source: `stdin:${it.line}` });
  const lane = o.lane;
  let batch: (Item | string)[] = [];
  let laneText = ""; // the lane's output lines since the last item, each with its newline
  /** One line (bytes from start to end, its newline and CR left out) into the batch. */
  const line = (b: Buffer, start: number, end: number) => {
    if (lane && hexOnly(b, start, end) && split.takesPlain(end - start)) {
      const r = lane(b, start, end, `"stdin:${split.nextLine}"`);
      if (r !== undefined) {
        split.skip();
        laneText += `${r}\n`;
        return;
      }
    }
    const items = split.push(b.toString("utf8", start, end));
    if (items.length && laneText) {
      batch.push(laneText);
      laneText = "";
    }
    for (const it of items) batch.push(name(it));
  };
  const take = () => {
    if (laneText) batch.push(laneText);
    const b = batch;
    batch = [];
    laneText = "";
    return b;
  };
  let rest: Buffer[] = []; // a line begun in earlier chunks
  const lineEnd = (b: Buffer, start: number, nl: number) => (nl > start && b[nl - 1] === 13 ? nl - 1 : nl);
  for await (const chunk of process.stdin as AsyncIterable<Buffer>) {
    let start = 0;
    for (let nl = chunk.indexOf(10); nl >= 0; nl = chunk.indexOf(10, start)) {
      if (rest.length) {
        const b = Buffer.concat([...rest, chunk.subarray(0, nl)]);
        rest = [];
        line(b, 0, lineEnd(b, 0, b.length));
      } else line(chunk, start, lineEnd(chunk, start, nl));
      start = nl + 1;
      // a chunk holds thousands of lines: their output goes out in smaller batches, written while it
      // is young (output kept until the chunk's end survives the scavenges)
      if (batch.length >= BATCH_ITEMS || laneText.length >= BATCH_TEXT) yield take();
    }
    if (start < chunk.length) rest.push(chunk.subarray(start));
    if (batch.length || laneText) yield take();
  }
  if (rest.length) {
    const b = Buffer.concat(rest);
    line(b, 0, b[b.length - 1] === 13 ? b.length - 1 : b.length);
  }
  const last = take();
  for (const it of split.end()) last.push(name(it));
  if (last.length) yield last;
  if (split.skipped) o.onSkipped?.("stdin", split.skipped);
}

/** Lines of a file or of standard input, for commands that read JSON lines (predict, topology). */
export async function* inputLines(file: string | undefined): AsyncGenerator<string> {
  const input = file ? createReadStream(file) : process.stdin;
  const rl = createInterface({ input, crlfDelay: Infinity });
  for await (const l of rl) yield l;
}

/**
 * Standard output with backpressure: lines are gathered into chunks; when the pipe is full the
 * caller awaits `drain` before producing more, so memory stays flat however much is piped. When
 * the reader goes away (`| head -1`), the process exits quietly with status 0, like other filters.
 */
export class Output {
  private chunk = "";
  private pending: Promise<void> | null = null;
  private static installed = false;
  constructor(
    private readonly stream: NodeJS.WritableStream = process.stdout,
    private readonly chunkSize = 1 << 16,
  ) {
    if (!Output.installed && stream === process.stdout) {
      Output.installed = true;
      process.stdout.on("error", (e: NodeJS.ErrnoException) => {
        if (e.code === "EPIPE") process.exit(0);
        throw e;
      });
    }
  }
  /** Queue one line; returns a promise to await when the pipe is full (undefined otherwise). */
  line(s: string): Promise<void> | undefined {
    this.chunk += `${s}\n`;
    if (this.chunk.length >= this.chunkSize) this.write();
    return this.pending ?? undefined;
  }
  /** Queue text of whole lines, each with its newline; returns what line() returns. */
  text(s: string): Promise<void> | undefined {
    this.chunk += s;
    if (this.chunk.length >= this.chunkSize) this.write();
    return this.pending ?? undefined;
  }
  /** Write what is queued (the end of a batch of input); resolves when the stream can take more. */
  flush(): Promise<void> | undefined {
    this.write();
    return this.pending ?? undefined;
  }
  private write() {
    if (!this.chunk) return;
    const ok = this.stream.write(this.chunk);
    this.chunk = "";
    if (!ok && !this.pending)
      this.pending = once(this.stream, "drain").then(() => {
        this.pending = null;
      });
  }
  /** Write what is queued and wait until the stream has taken it. */
  async end(): Promise<void> {
    this.write();
    if (this.pending) await this.pending;
  }
}

/** Write a new file: never through a symbolic link, never over an existing file unless `force`. */
export function writeNew(path: string, data: string | Uint8Array, force = false): void {
  const flags =
    constants.O_WRONLY | constants.O_CREAT | constants.O_NOFOLLOW | (force ? constants.O_TRUNC : constants.O_EXCL);
  let fd: number;
  try {
    fd = openSync(path, flags, 0o644);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "EEXIST") throw new CliUsageError(`${path} exists; pass --force to overwrite it`);
    if (code === "ELOOP") throw new CliUsageError(`${path} is a symbolic link; refusing to write through it`);
    throw e;
  }
  try {
    const bytes = typeof data === "string" ? Buffer.from(data) : data;
    for (let at = 0; at < bytes.length; ) at += writeSync(fd, bytes, at, bytes.length - at);
  } finally {
    closeSync(fd);
  }
}
