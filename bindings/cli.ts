// vfio-abi command line. Every command reads standard input one item per line when its
// positional argument is omitted, and writes one result line per item.
import { parseArgs } from "node:util";
import { decode, inspect } from "./decode.js";
import { encode } from "./encode.js";
import { fromHex, toHex } from "./hex.js";
import { toJSONValue, fromJSONValue } from "./json.js";
import { lookupIoctl, ioctls } from "./ioctl.js";
import { VfioAbiError } from "./errors.js";
import { SCHEMA } from "./generated/schema.js";
import { structByName } from "./schema-index.js";
import { resolveProfile } from "./profile.js";
import { decodeLineFast, plainHex, toJSONText } from "./cli-fast.js";
import type { ProfileOptions } from "./types.js";

const USAGE = `vfio-abi - byte-exact codec for the Linux VFIO interrupt and capability ABI

usage:
  vfio-abi decode <struct> [hex]        decode a buffer, print JSON (one line per input line without hex)
  vfio-abi encode <struct> [json]       encode a JSON value, print lowercase hex
  vfio-abi inspect-spans <struct> [hex] print every field's byte span and any diagnostics as JSON
  vfio-abi structs                      list the structs the codec knows
  vfio-abi ioctl <name|number>          look up an ioctl by name or number (e.g. 0x3b6e); --all lists them
  vfio-abi predict                      predict kernel answers for JSON-line device/ioctl scripts
  vfio-abi topology                     label the IRQ indexes of a device
  vfio-abi fuzz ...                     generate labelled corpora / run a fuzz campaign
  vfio-abi syzlang                      print a syzkaller description of the device-fd ioctls
  vfio-abi vfio-user --socket PATH      fuzz a vfio-user server against the libvfio-user model (--help)
  vfio-abi inspect [--port N]           serve the browser struct inspector on 127.0.0.1

profile options (decode, encode, inspect-spans):
  --arch x86_64|aarch64|i386|s390x|ppc64|ppc64le|mips   ABI (byte order and data model)
  --endian little|big      byte order (overrides --arch)
  --epoch 6.1|6.6          layout epoch: 6.1 = packed caps, 20-byte vfio_device_info; 6.6+ = 8-aligned caps (default 6.6)
  --proposal NAME          enable a never-merged proposal (repeatable): ${SCHEMA.proposals.map((p) => p.name).join(", ")}
  --fds N                  vfio_user_message: N fds arrived with it (SCM_RIGHTS); checked against what it expects
  --pretty                 indent JSON output

Struct names are the kernel's, with or without the vfio_ prefix (irq_set = vfio_irq_set).
vfio-user messages (header + body) are the struct vfio_user_message (alias user_message).
64-bit values are printed as decimal strings; byte arrays, slack and gaps as hex.`;

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

type Handler = (argv: string[]) => Promise<number>;

function profileFrom(v: Record<string, unknown>): ProfileOptions & { fds?: number } {
  const fds = v.fds === undefined ? undefined : Number(v.fds);
  if (fds !== undefined && !(Number.isInteger(fds) && fds >= 0))
    throw new Error(`--fds must be a count of file descriptors, not ${v.fds}`);
  return {
    arch: v.arch as string | undefined,
    endian: v.endian as "little" | "big" | undefined,
    epoch: v.epoch as string | undefined,
    model: v.model as "lp64" | "ilp32" | undefined,
    proposals: (v.proposal as string[] | undefined) ?? [],
    ...(fds === undefined ? {} : { fds }),
  };
}

function describe(e: unknown): string {
  if (e instanceof VfioAbiError)
    return `${e.code}: ${e.message}${e.field ? ` (field ${e.field}, offset ${e.offset})` : ` (offset ${e.offset})`}`;
  return e instanceof Error ? e.message : String(e);
}

/** Write to stdout; resolves once the stream takes more (or is gone), so memory stays bounded. */
function write(s: string): Promise<void> | void {
  if (process.stdout.write(s)) return;
  return new Promise((resolve) => {
    const done = () => {
      process.stdout.off("drain", done);
      process.stdout.off("close", done);
      process.stdout.off("error", done);
      resolve();
    };
    process.stdout.on("drain", done);
    process.stdout.on("close", done);
    process.stdout.on("error", done);
  });
}

const BATCH = 1 << 16; // output characters per stdout write

async function eachItem(positional: string | undefined, fn: (item: string, n: number) => string): Promise<number> {
  if (positional !== undefined) {
    try {
      process.stdout.write(`${fn(positional, 1)}\n`);
      return 0;
    } catch (e) {
      process.stderr.write(`vfio-abi: ${describe(e)}\n`);
      return 1;
    }
  }
  // One result line per input line, written in batches; stdin is read in chunks and split here
  // (readline's per-line events cost more than the decoding).
  let failed = 0,
    n = 0,
    out = "",
    rest = "";
  const item = (line: string) => {
    n++;
    if (line.endsWith("\r")) line = line.slice(0, -1);
    if (!line.trim()) return;
    try {
      out += `${fn(line, n)}\n`;
    } catch (e) {
      failed++;
      process.stderr.write(`vfio-abi: line ${n}: ${describe(e)}\n`);
      out += `${JSON.stringify({
        error:
          e instanceof VfioAbiError
            ? { code: e.code, message: e.message, offset: e.offset, field: e.field }
            : { message: describe(e) },
      })}\n`;
    }
  };
  process.stdin.setEncoding("utf8");
  for await (const chunk of process.stdin as AsyncIterable<string>) {
    const text = rest + chunk;
    let start = 0;
    for (let nl = text.indexOf("\n"); nl >= 0; nl = text.indexOf("\n", start)) {
      item(text.slice(start, nl));
      start = nl + 1;
      if (out.length >= BATCH) {
        const w = write(out);
        out = "";
        if (w) await w;
      }
    }
    rest = text.slice(start);
  }
  if (rest) item(rest);
  if (out) await write(out);
  return failed ? 1 : 0;
}

const commands: Record<string, Handler> = {
  async decode(argv) {
    const { values, positionals } = parseArgs({ args: argv, options: profileOptions, allowPositionals: true });
    if (values.help || !positionals[0]) {
      console.log(USAGE);
      return values.help ? 0 : 2;
    }
    const prof = profileFrom(values);
    const s = structByName(positionals[0]),
      rp = resolveProfile(prof);
    const bytes = (hex: string) => plainHex(hex) ?? fromHex(hex);
    if (values.pretty)
      return eachItem(positionals[1], (hex) => JSON.stringify(toJSONValue(decode(s.name, bytes(hex), prof)), null, 2));
    // the generated fast decoder with the metadata written as JSON text where it is sure, the core otherwise
    return eachItem(positionals[1], (hex) => {
      const b = bytes(hex);
      return decodeLineFast(s, b, rp) ?? toJSONText(decode(s.name, b, prof));
    });
  },
  async encode(argv) {
    const { values, positionals } = parseArgs({ args: argv, options: profileOptions, allowPositionals: true });
    if (values.help || !positionals[0]) {
      console.log(USAGE);
      return values.help ? 0 : 2;
    }
    const prof = profileFrom(values);
    return eachItem(positionals[1], (json) =>
      toHex(encode(positionals[0], fromJSONValue(positionals[0], JSON.parse(json)) as never, prof)),
    );
  },
  async "inspect-spans"(argv) {
    const { values, positionals } = parseArgs({ args: argv, options: profileOptions, allowPositionals: true });
    if (values.help || !positionals[0]) {
      console.log(USAGE);
      return values.help ? 0 : 2;
    }
    const prof = profileFrom(values);
    let bad = 0;
    const code = await eachItem(positionals[1], (hex) => {
      const r = inspect(positionals[0], fromHex(hex), prof);
      if (!r.ok) bad++;
      return JSON.stringify(
        toJSONValue({ ok: r.ok, nodes: r.nodes, diagnostics: r.diagnostics }),
        null,
        values.pretty ? 2 : undefined,
      );
    });
    return code || (bad ? 1 : 0);
  },
  async structs() {
    for (const s of SCHEMA.structs)
      console.log(
        `${s.name.padEnd(40)} ${s.kind.padEnd(5)} ${s.size.join("/")}${s.proposal ? `  (proposal ${s.proposal})` : ""}`,
      );
    return 0;
  },
  async ioctl(argv) {
    const { values, positionals } = parseArgs({
      args: argv,
      options: { arch: { type: "string" }, all: { type: "boolean" }, pretty: { type: "boolean" } },
      allowPositionals: true,
    });
    const arch = (values.arch as string | undefined) ?? "x86_64";
    // --all (or an interactive terminal with no argument) prints the table; otherwise one look-up per stdin line
    if (values.all || (!positionals[0] && process.stdin.isTTY)) {
      for (const i of ioctls(arch))
        console.log(`${i.hex.padEnd(12)} ${i.name.padEnd(38)} ${i.fd.padEnd(9)} ${i.dir.padEnd(5)} ${i.arg ?? "-"}`);
      return 0;
    }
    return eachItem(positionals[0], (q) => {
      const hits = lookupIoctl(q.trim(), arch);
      if (!hits.length) throw new Error(`no VFIO ioctl ${q.trim()} on ${arch}`);
      return JSON.stringify(hits, null, values.pretty ? 2 : undefined);
    });
  },
};

// Commands implemented in their own modules (loaded on demand).
const external: Record<string, string> = {
  predict: "./oracle/cli.js",
  topology: "./oracle/cli.js",
  fuzz: "./fuzz/cli.js",
  syzlang: "./fuzz/cli.js",
  inspect: "./inspector-server.js",
  "vfio-user": "./vfio-user-fuzz/cli.js",
};

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (!cmd || cmd === "-h" || cmd === "--help" || cmd === "help") {
    console.log(USAGE);
    return cmd ? 0 : 2;
  }
  if (commands[cmd]) return commands[cmd](rest);
  if (external[cmd]) {
    const m = (await import(external[cmd])) as { run(cmd: string, argv: string[]): Promise<number> };
    return m.run(cmd, rest);
  }
  process.stderr.write(`vfio-abi: unknown command ${cmd}\n\n${USAGE}\n`);
  return 2;
}
