// vfio-abi command line. decode, encode and inspect-spans take one item from the argument, or many
// from files (--in), raw bytes (--binary) or standard input; they print one line per item.
import { decode, inspect } from "./decode.js";
import { encode } from "./encode.js";
import { parseDump, fromHex, toHex, DUMP_FORMATS, type DumpFormat } from "./hex.js";
import { toJSONValue, fromJSONValue } from "./json.js";
import { lookupIoctl, ioctls } from "./ioctl.js";
import { VfioAbiError, UsageError, DumpError, EncodeError } from "./errors.js";
import { SCHEMA } from "./generated/schema.js";
import { structByName, structFields } from "./schema-index.js";
import { resolveProfile } from "./profile.js";
import { SPLIT_MODES, type SplitMode } from "./dump-stream.js";
import { inputBatches, Output, type Item } from "./cli-io.js";
import { decodeLineFast, hexScratch, plainHex, toJSONText } from "./cli-fast.js";
import { suggestion } from "./suggest.js";
import { CliUsageError, choiceOption, intOption, isUsageError, parseCommandArgs } from "./cli-args.js";
import type { ProfileOptions } from "./types.js";

const PROFILE_HELP = `profile options:
  --arch x86_64|aarch64|i386|s390x|ppc64|ppc64le|mips   ABI (byte order and data model)
  --endian little|big      byte order (overrides --arch)
  --epoch 6.1|6.6          layout epoch: 6.1 = packed caps, 20-byte vfio_device_info; 6.6+ = 8-aligned caps (default 6.6)
  --proposal NAME          enable a never-merged proposal (repeatable): ${SCHEMA.proposals.map((p) => p.name).join(", ")}
  --fds N                  vfio_user_message: N fds arrived with it (SCM_RIGHTS); checked against what it expects`;

const INPUT_HELP = `input (without the positional argument):
  --in FILE|DIR ...        read files: .bin files and other binary files are raw bytes, text files are dumps;
                           a directory is every file in it (a fuzz corpus: x.json labels next to x.bin are skipped)
  --binary                 standard input (and every --in file) is raw bytes, one item
  --split auto|line|blank  how standard input and text files split into items (default auto):
                             auto   one item per line; a multi-line dump (xxd, hexdump, od, gdb, dmesg, C, JSON,
                                    xxd -p's 60-digit lines) is one item; a blank line ends an item
                             line   every line is an item;  blank  items are separated by blank lines
  --format F               read every item as this dump format (${DUMP_FORMATS.join(", ")}) instead of recognising it
Dumps: plain hex, xxd, xxd -p, hexdump -C, hexdump (16-bit words in the profile's byte order), od -t x1, gdb x/xb,
kernel print_hex_dump lines (dmesg), C initialisers (xxd -i), and the JSON decode prints.
Each output line from --in or standard input carries its source ("$".source, or "source" on errors): the file,
or file:LINE / stdin:LINE where the item starts.`;

const HELP: Record<string, string> = {
  decode: `usage: vfio-abi decode <struct> [dump]
Decode a buffer and print it as JSON (kernel field names; 64-bit values as decimal strings; byte arrays,
slack and gaps as hex; "$" holds flag names, notes, slack and, for replies too small, needsArgsz).

${INPUT_HELP}

${PROFILE_HELP}
  --pretty                 indent the JSON

example:  vfio-abi decode irq_set 200000002400000002000000000000000300000068000000690000006a000000`,
  encode: `usage: vfio-abi encode <struct> [json]
Encode a JSON value (what decode prints, or written by hand) and print lowercase hex. Unknown keys are
errors; count is derived from data when left out.

input: one JSON value per line on standard input (a value may span lines), or --in FILE|DIR ..., --split

${PROFILE_HELP}

example:  vfio-abi encode irq_set '{"flags":36,"index":2,"count":2,"data":[5,-1]}'`,
  "inspect-spans": `usage: vfio-abi inspect-spans <struct> [dump]
Print every field's byte span and the diagnostics as JSON ({ok, nodes, diagnostics}); never stops at the
first problem.

${INPUT_HELP}

${PROFILE_HELP}
  --pretty                 indent the JSON`,
  structs: `usage: vfio-abi structs
List the structs the codec knows: name, kind (info/cap/plain), size per ABI, and the proposal if any.`,
  ioctl: `usage: vfio-abi ioctl <name|number> [--arch A]     look up an ioctl (VFIO_DEVICE_SET_IRQS, SET_IRQS, 0x3b6e)
       vfio-abi ioctl --all [--arch A]              print the table
Without an argument, one look-up per line of standard input.`,
};

const USAGE = `vfio-abi - byte-exact codec for the Linux VFIO interrupt and capability ABI

usage: vfio-abi <command> [options]      (vfio-abi <command> --help for each command)

  decode <struct> [dump]        decode a buffer, print JSON (one line per item from --in or standard input)
  encode <struct> [json]        encode a JSON value, print lowercase hex
  inspect-spans <struct> [dump] print every field's byte span and any diagnostics as JSON
  structs                       list the structs the codec knows
  ioctl <name|number>           look up an ioctl by name or number (e.g. 0x3b6e); --all lists them
  predict [file]                predict kernel answers for JSON-line device/ioctl scripts
  topology [device]             label the IRQ indexes of a device
  fuzz ...                      generate labelled corpora / run a fuzz campaign
  syzlang ...                   write a syzkaller description (and .const files) of the VFIO ioctls
  vfio-user --socket PATH       fuzz a vfio-user server against the libvfio-user model
  inspect [--port N]            serve the browser struct inspector

Struct names are the kernel's, with or without the vfio_ prefix (irq_set = vfio_irq_set).
vfio-user messages (header + body) are the struct vfio_user_message (alias user_message).
Dumps may be plain hex or the output of xxd, hexdump, od, gdb, dmesg, a C initialiser or decode's JSON.`;

const profileOptions = {
  arch: { type: "string" },
  endian: { type: "string" },
  epoch: { type: "string" },
  model: { type: "string" },
  fds: { type: "string" },
  proposal: { type: "string", multiple: true },
  pretty: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;
const inputOptions = {
  in: { type: "string", multiple: true },
  binary: { type: "boolean" },
  split: { type: "string" },
  format: { type: "string" },
} as const;

function profileFrom(v: Record<string, unknown>): ProfileOptions & { fds?: number } {
  const fds = v.fds === undefined ? undefined : intOption("fds", v.fds as string, 0, 0, 0xffff);
  return {
    arch: v.arch as string | undefined,
    endian: v.endian as "little" | "big" | undefined,
    epoch: v.epoch as string | undefined,
    model: v.model as "lp64" | "ilp32" | undefined,
    proposals: (v.proposal as string[] | undefined) ?? [],
    ...(fds === undefined ? {} : { fds }),
  };
}

/** One line for stderr: what went wrong, and where in the bytes when that is known. */
export function describe(e: unknown): string {
  // a bad argument is said plainly; other usage errors (E_TOO_LARGE) keep their code
  if ((e instanceof UsageError && e.code === "E_BAD_ARG") || e instanceof DumpError) return e.message;
  if (e instanceof UsageError) return `${e.code}: ${e.message}`;
  // encode's errors are about values (the field is named); decode's are about bytes (offset too)
  if (e instanceof EncodeError)
    return `${e.code}: ${e.message}${e.field && !e.message.includes(e.field) ? ` (field ${e.field})` : ""}`;
  if (e instanceof VfioAbiError)
    return `${e.code}: ${e.message} (${e.field ? `field ${e.field}, ` : ""}offset ${e.offset})`;
  return e instanceof Error ? e.message : String(e);
}

const errorJSON = (e: unknown) =>
  e instanceof VfioAbiError
    ? {
        code: e.code,
        message: e.message,
        ...(e instanceof DumpError ? { line: e.line } : { offset: e.offset, field: e.field }),
      }
    : { message: describe(e) };

interface ItemCommand {
  cmd: string;
  values: Record<string, unknown>;
  positional: string | undefined;
  files: string[];
  wholeLine?: (hex: string) => boolean;
  /** turn an item into an output line */
  each: (item: Item) => string;
  /** standard input's plain hex lines straight to output lines (see InputOptions.lane) */
  lane?: (bytes: Uint8Array, start: number, end: number, source: string) => string | undefined;
}

/** Run a command over its items: one output line each; failures print an error line and make the exit status 1. */
async function runItems(c: ItemCommand): Promise<number> {
  const out = new Output();
  const split = choiceOption<SplitMode>("split", c.values.split as string | undefined, "auto", SPLIT_MODES);
  let failed = 0;
  const batches = inputBatches({
    positional: c.positional,
    files: c.files,
    binary: c.values.binary as boolean | undefined,
    split,
    wholeLine: c.wholeLine,
    lane: c.lane,
    onSkipped: (where, n) =>
      process.stderr.write(`vfio-abi ${c.cmd}: ${where}: skipped ${n} kernel log line(s) without hex bytes\n`),
  });
  for await (const batch of batches) {
    for (const item of batch) {
      if (typeof item === "string") {
        const wait = out.text(item);
        if (wait) await wait;
        continue;
      }
      let line: string;
      try {
        line = c.each(item);
      } catch (e) {
        if (item.source === null) {
          await out.end();
          process.stderr.write(`vfio-abi ${c.cmd}: ${describe(e)}\n`);
          return 1;
        }
        failed++;
        process.stderr.write(`vfio-abi ${c.cmd}: ${item.source}: ${describe(e)}\n`);
        line = JSON.stringify({ error: errorJSON(e), source: item.source });
      }
      const wait = out.line(line);
      if (wait) await wait;
    }
    // the end of a chunk of input: what is ready goes out (an interactive user sees each answer)
    const wait = out.flush();
    if (wait) await wait;
  }
  await out.end();
  return failed ? 1 : 0;
}

function itemSetup(cmd: string, argv: string[]) {
  const { values, positionals } = parseCommandArgs(argv, { ...profileOptions, ...inputOptions });
  if (values.help) return { help: true as const };
  const [structArg, ...rest] = positionals;
  if (!structArg) throw new CliUsageError("which struct? (vfio-abi structs lists them)");
  const struct = structByName(structArg);
  const files = [...(values.in ?? []), ...(values.in ? rest : [])];
  if (!values.in && rest.length > 1)
    throw new CliUsageError(
      `one ${cmd === "encode" ? "JSON value" : "dump"} as an argument (quote it), or --in FILE ... for files`,
    );
  const format = values.format as string | undefined;
  if (format !== undefined && !DUMP_FORMATS.includes(format as DumpFormat))
    throw new CliUsageError(
      `--format must be one of ${DUMP_FORMATS.join(", ")}, not ${format}${suggestion(format, DUMP_FORMATS)}`,
    );
  const prof = profileFrom(values);
  const rp = resolveProfile(prof);
  return {
    help: false as const,
    values,
    struct: struct.name,
    positional: values.in ? undefined : rest[0],
    files,
    prof,
    rp,
    format: format as DumpFormat | undefined,
    wholeLine: xxdLineIsWhole(struct.name, rp.endian),
  };
}

/** xxd -p prints 30 bytes per line; a 60-digit line is a buffer of its own only when its argsz says 30. */
function xxdLineIsWhole(struct: string, endian: "little" | "big"): ((hex: string) => boolean) | undefined {
  const f = structFields(structByName(struct))[0];
  if (f?.name !== "argsz" || f.offsets.some((o) => o !== 0)) return undefined;
  return (hex) => {
    const b = [0, 1, 2, 3].map((i) => parseInt(hex.slice(i * 2, i * 2 + 2), 16));
    return (
      (endian === "little"
        ? b[0] | (b[1] << 8) | (b[2] << 16) | (b[3] << 24)
        : (b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3]) === 30
    );
  };
}

function bytesOf(
  item: Item,
  s: { struct: string; prof: ProfileOptions; rp: { endian: "little" | "big" }; format?: DumpFormat },
): Uint8Array {
  if (item.bytes) return item.bytes;
  const text = item.text ?? "";
  if (s.format === undefined) {
    const b = plainHex(text);
    if (b) return b;
    if (item.plain) return fromHex(text);
  }
  return parseDump(text, { endian: s.rp.endian, struct: s.struct, profile: s.prof, format: s.format }).bytes;
}

/** Add the item's source to a decoded value's "$" (the last member of decode's JSON). */
function withSource(json: string, source: string | null): string {
  if (source === null) return json;
  const end = json.lastIndexOf("}", json.length - 2);
  return `${json.slice(0, end)}${json[end - 1] === "{" ? "" : ","}"source":${JSON.stringify(source)}${json.slice(end)}`;
}

const commands: Record<string, (argv: string[]) => Promise<number>> = {
  async decode(argv) {
    const s = itemSetup("decode", argv);
    if (s.help) {
      console.log(HELP.decode);
      return 0;
    }
    const st = structByName(s.struct);
    // the generated fast decoder with "$" written as JSON text where it is sure, the core otherwise
    const pretty = (b: Uint8Array, source: string | null) => {
      const j = toJSONValue(decode(s.struct, b, s.prof)) as { $?: Record<string, unknown> };
      if (source !== null) j.$ = { ...j.$, source };
      return JSON.stringify(j, null, 2);
    };
    const line = (b: Uint8Array, source: string | null) =>
      withSource(decodeLineFast(st, b, s.rp) ?? toJSONText(decode(s.struct, b, s.prof)), source);
    const text = s.values.pretty ? pretty : line;
    // stdin's lines of plain hex: bytes straight from the text, no item; what the fast decoder is not
    // sure about (and any error) takes the path above, so the output is the same
    const lane =
      s.values.pretty || s.format !== undefined
        ? undefined
        : (t: Uint8Array, start: number, end: number, source: string) =>
            decodeLineFast(st, hexScratch(t, start, end), s.rp, source);
    return runItems({
      cmd: "decode",
      values: s.values,
      positional: s.positional,
      files: s.files,
      wholeLine: s.wholeLine,
      each: (item) => text(bytesOf(item, s), item.source),
      lane,
    });
  },
  async encode(argv) {
    const s = itemSetup("encode", argv);
    if (s.help) {
      console.log(HELP.encode);
      return 0;
    }
    return runItems({
      cmd: "encode",
      values: s.values,
      positional: s.positional,
      files: s.files,
      each: (item) => {
        if (item.bytes) throw new UsageError("E_BAD_ARG", "encode reads JSON, not raw bytes", 0, null);
        let j: unknown;
        try {
          j = JSON.parse(item.text ?? "");
        } catch (e) {
          throw new UsageError("E_BAD_ARG", `not JSON: ${(e as Error).message}`, 0, null);
        }
        return toHex(encode(s.struct, fromJSONValue(s.struct, j) as never, s.prof));
      },
    });
  },
  async "inspect-spans"(argv) {
    const s = itemSetup("inspect-spans", argv);
    if (s.help) {
      console.log(HELP["inspect-spans"]);
      return 0;
    }
    const indent = s.values.pretty ? 2 : undefined;
    let bad = 0;
    const code = await runItems({
      cmd: "inspect-spans",
      values: s.values,
      positional: s.positional,
      files: s.files,
      wholeLine: s.wholeLine,
      each: (item) => {
        const r = inspect(s.struct, bytesOf(item, s), s.prof);
        if (!r.ok) bad++;
        return JSON.stringify(
          toJSONValue({
            ok: r.ok,
            nodes: r.nodes,
            diagnostics: r.diagnostics,
            ...(item.source !== null ? { source: item.source } : {}),
          }),
          null,
          indent,
        );
      },
    });
    return code || (bad ? 1 : 0);
  },
  async structs(argv) {
    const { values, positionals } = parseCommandArgs(argv, { help: { type: "boolean", short: "h" } });
    if (values.help) {
      console.log(HELP.structs);
      return 0;
    }
    if (positionals.length)
      throw new CliUsageError(`structs takes no arguments (did you mean vfio-abi decode ${positionals[0]} ...?)`);
    const out = new Output();
    for (const st of SCHEMA.structs) {
      const w = out.line(
        `${st.name.padEnd(40)} ${st.kind.padEnd(5)} ${st.size.join("/")}${st.proposal ? `  (proposal ${st.proposal})` : ""}`,
      );
      if (w) await w;
    }
    await out.end();
    return 0;
  },
  async ioctl(argv) {
    const { values, positionals } = parseCommandArgs(argv, {
      arch: { type: "string" },
      all: { type: "boolean" },
      pretty: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    });
    if (values.help) {
      console.log(HELP.ioctl);
      return 0;
    }
    const arch = values.arch ?? "x86_64";
    resolveProfile({ arch });
    // --all (or an interactive terminal with no argument) prints the table; otherwise one look-up per stdin line
    if (values.all || (!positionals[0] && process.stdin.isTTY)) {
      const out = new Output();
      for (const i of ioctls(arch)) {
        const w = out.line(
          `${i.hex.padEnd(12)} ${i.name.padEnd(38)} ${i.fd.padEnd(9)} ${i.dir.padEnd(5)} ${i.arg ?? "-"}`,
        );
        if (w) await w;
      }
      await out.end();
      return 0;
    }
    return runItems({
      cmd: "ioctl",
      values: { split: "line" },
      positional: positionals[0],
      files: [],
      each: (item) => {
        const q = (item.text ?? "").trim();
        const hits = lookupIoctl(q, arch);
        if (!hits.length) {
          const names = SCHEMA.ioctls.map((i) => i.name);
          throw new UsageError(
            "E_BAD_ARG",
            `no VFIO ioctl ${q} on ${arch}${/^(0x[0-9a-f]+|\d+)$/i.test(q) ? "" : suggestion(q, names, (x) => x.toUpperCase().replace(/^VFIO_/, ""))}`,
            0,
            null,
          );
        }
        return JSON.stringify(hits, null, values.pretty ? 2 : undefined);
      },
    });
  },
};

// Commands implemented in their own modules, loaded on demand from dist/bindings/ (paths relative to
// it). Resolved from "../bindings/" so the bundled CLI (dist/bundle/cli.js) loads the same files: the
// oracle, fuzzing and inspector code stays out of the bundle that every decode has to parse.
const external: Record<string, string> = {
  predict: "oracle/cli.js",
  topology: "oracle/cli.js",
  fuzz: "fuzz/cli.js",
  syzlang: "fuzz/cli.js",
  inspect: "inspector-server.js",
  "vfio-user": "vfio-user-fuzz/cli.js",
};
const COMMANDS = [...Object.keys(commands), ...Object.keys(external), "help"];

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (!cmd || cmd === "-h" || cmd === "--help") {
    console.log(USAGE);
    return cmd ? 0 : 2;
  }
  if (cmd === "help") {
    if (rest[0]) return main([rest[0], "--help"]);
    console.log(USAGE);
    return 0;
  }
  try {
    if (commands[cmd]) return await commands[cmd](rest);
    if (external[cmd]) {
      // the bundle (dist/bundle/cli.js) and dist/bindings/cli.js both find the modules in dist/bindings
      const m = (await import(new URL(`../bindings/${external[cmd]}`, import.meta.url).href)) as {
        run(cmd: string, argv: string[]): Promise<number>;
      };
      return await m.run(cmd, rest);
    }
    throw new CliUsageError(`unknown command ${cmd}${suggestion(cmd, COMMANDS)}`);
  } catch (e) {
    if (e instanceof CliUsageError || e instanceof UsageError || isUsageError(e)) {
      const known = COMMANDS.includes(cmd);
      process.stderr.write(
        `vfio-abi${known ? ` ${cmd}` : ""}: ${e.message}\nrun 'vfio-abi ${known ? `${cmd} ` : ""}--help' for usage\n`,
      );
      return 2;
    }
    throw e;
  }
}
