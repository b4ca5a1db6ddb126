// The CLI's input and manners: files, corpus directories and raw bytes; multi-line dumps on standard
// input (real xxd/hexdump output); the source of every output line; help, "did you mean", usage
// errors, checked numeric options; inspect --host and a busy port; backpressure and a quiet EPIPE.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync, readFileSync, readdirSync, symlinkSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import { decode, toJSONValue, toHex } from "../../dist/bindings/index.js";
import { vectors, bytesOf } from "../vectors/golden.mjs";

const bin = fileURLToPath(new URL("../../bin/vfio-abi.js", import.meta.url));
const cli = (args, input, opts = {}) =>
  spawnSync(process.execPath, [bin, ...args], { input, encoding: "utf8", ...opts });
const dir = mkdtempSync(join(tmpdir(), "vfio-cli-"));
process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
const jsonLines = (s) =>
  s
    .trim()
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l));
const vec = (n) => vectors.find((v) => v.name === n);
/** decode through the API, as the CLI should print it */
const apiDecode = (struct, bytes) => JSON.parse(JSON.stringify(toJSONValue(decode(struct, bytes))));
const withoutSource = (j) => {
  const c = structuredClone(j);
  if (c.$) delete c.$.source;
  if (c.$ && !Object.keys(c.$).length) delete c.$;
  return c;
};

// a corpus written by the fuzzer itself
const corpus = join(dir, "corpus");
const made = cli(["fuzz", "--struct", "vfio_irq_set", "--count", "12", "--seed", "7", "--out", corpus]);
const bins = () =>
  readdirSync(corpus)
    .filter((f) => f.endsWith(".bin"))
    .sort();

test("the fuzzer's own .bin files decode: --binary on standard input, --in FILE, --in DIR (labels skipped)", () => {
  assert.equal(made.status, 0, made.stderr);
  assert.equal(bins().length, 12);
  for (const f of bins().slice(0, 4)) {
    const bytes = readFileSync(join(corpus, f));
    let want;
    try {
      want = apiDecode("vfio_irq_set", bytes);
    } catch {
      want = null;
    }
    const r = cli(["decode", "irq_set", "--binary"], bytes);
    if (want) {
      assert.equal(r.status, 0, r.stderr);
      assert.deepEqual(withoutSource(JSON.parse(r.stdout)), want);
      assert.equal(JSON.parse(r.stdout).$.source, "stdin");
    } else assert.equal(r.status, 1);
  }
  const r = cli(["decode", "irq_set", "--in", corpus]);
  const out = jsonLines(r.stdout);
  assert.equal(out.length, 12, "one line per .bin, the .json labels are not inputs");
  out.forEach((o, i) => {
    const src = o.$?.source ?? o.source;
    assert.equal(src, join(corpus, bins()[i]));
    let want;
    try {
      want = apiDecode("vfio_irq_set", readFileSync(src));
    } catch {
      want = null;
    }
    if (want) assert.deepEqual(withoutSource(o), want);
    else assert.ok(o.error, `${src} fails in the API and in the CLI`);
  });
  // several files, and files after --in
  const two = cli(["decode", "irq_set", "--in", join(corpus, bins()[0]), join(corpus, bins()[1])]);
  assert.deepEqual(
    jsonLines(two.stdout).map((o) => o.$?.source ?? o.source),
    [join(corpus, bins()[0]), join(corpus, bins()[1])],
  );
  const missing = cli(["decode", "irq_set", "--in", join(dir, "nope.bin")]);
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /cannot read .*nope\.bin: no such file/);
});

test("xxd -p of a buffer longer than 30 bytes is one item, not two; a stream of dumps splits where they restart", () => {
  const v = vec("region_info_sparse_mmap"); // 80 bytes: three xxd -p lines
  const f = join(dir, "region.bin");
  writeFileSync(f, bytesOf(v.hex));
  const p = spawnSync("xxd", ["-p", f], { encoding: "utf8" }).stdout;
  assert.equal(p.trim().split("\n").length, 3);
  const r = cli(["decode", "region_info"], p);
  assert.equal(r.status, 0, r.stderr);
  const out = jsonLines(r.stdout);
  assert.equal(out.length, 1);
  assert.equal(out[0].$.source, "stdin:1");
  assert.deepEqual(withoutSource(out[0]), apiDecode("vfio_region_info", bytesOf(v.hex)));
  // xxd, hexdump -C and od of three buffers, one after another: three items each, named by their first line
  const set = ["irq_set_msix_eventfd_3", "irq_set_msi_disable", "irq_set_intx_bool_unmask"].map((n) => {
    const g = join(dir, `${n}.bin`);
    writeFileSync(g, bytesOf(vec(n).hex));
    return g;
  });
  for (const [cmd, ...args] of [["xxd"], ["hexdump", "-C"], ["od", "-A", "x", "-t", "x1"], ["xxd", "-p", "-c", "16"]]) {
    const text = set
      .map(
        (g) =>
          spawnSync(cmd, [...args, g], { encoding: "utf8" }).stdout + (cmd === "xxd" && args[0] === "-p" ? "\n" : ""),
      )
      .join("");
    const d = cli(["decode", "irq_set", ...(args[0] === "-p" ? ["--split", "blank"] : [])], text);
    assert.equal(d.status, 0, `${cmd} ${args}: ${d.stderr}`);
    const got = jsonLines(d.stdout);
    assert.equal(got.length, 3, `${cmd} ${args.join(" ")}`);
    got.forEach((o, i) =>
      assert.deepEqual(
        withoutSource(o),
        apiDecode("vfio_irq_set", readFileSync(set[i])),
        `${cmd} ${args.join(" ")} item ${i}`,
      ),
    );
    assert.match(got[1].$.source, /^stdin:\d+$/);
  }
  // C initialisers (xxd -i, with its NAME_len line) and a real kernel's dmesg hex dump on standard input
  const inc = set.map((g) => spawnSync("xxd", ["-i", g], { encoding: "utf8" }).stdout).join("");
  const ci = cli(["decode", "irq_set"], inc);
  assert.equal(ci.status, 0, ci.stderr);
  assert.deepEqual(
    jsonLines(ci.stdout).map(withoutSource),
    set.map((g) => apiDecode("vfio_irq_set", readFileSync(g))),
  );
  const cap = readFileSync(new URL("../vectors/kernel-earlydump.txt", import.meta.url), "utf8");
  const dmesg = cap.split("=== dmesg\n")[1].split("\n===")[0];
  const k = cli(["inspect-spans", "irq_set"], `${dmesg}\n`);
  assert.equal(jsonLines(k.stdout).length, 1);
  assert.equal(jsonLines(k.stdout)[0].source, "stdin:2");
  assert.match(k.stderr, /stdin: skipped 1 kernel log line\(s\) without hex bytes/);
  // a text file with one dump is named by its path alone
  const dumpFile = join(dir, "one.txt");
  writeFileSync(dumpFile, spawnSync("hexdump", ["-C", set[0]], { encoding: "utf8" }).stdout);
  assert.equal(jsonLines(cli(["decode", "irq_set", "--in", dumpFile]).stdout)[0].$.source, dumpFile);
});

test("standard input: one item per line; errors are JSON lines with the source; encode reads decode's pretty output", () => {
  const input = `${[
    "14000000 21000000 01000000 00000000 00000000",
    "10000000",
    "",
    "0x15:00:00:00 12000000 00000000 00000000 01000000 01",
  ].join("\n")}\n`;
  const r = cli(["decode", "vfio_irq_set"], input);
  assert.equal(r.status, 1);
  const out = jsonLines(r.stdout);
  assert.deepEqual(
    out.map((o) => o.$?.source ?? o.source),
    ["stdin:1", "stdin:2", "stdin:4"],
  );
  assert.equal(out[1].error.code, "E_SHORT");
  assert.match(r.stderr, /^vfio-abi decode: stdin:2: E_SHORT: .*\(field flags, offset 4\)$/m);
  const pretty = cli([
    "decode",
    "region_info",
    "--pretty",
    "--in",
    join(dir, "region.bin"),
    join(dir, "region.bin"),
  ]).stdout;
  const back = cli(["encode", "region_info"], pretty);
  assert.equal(back.status, 0, back.stderr);
  assert.deepEqual(back.stdout.trim().split("\n"), [
    toHex(bytesOf(vec("region_info_sparse_mmap").hex)),
    toHex(bytesOf(vec("region_info_sparse_mmap").hex)),
  ]);
});

test("help for every command; 'did you mean' for commands, structs, ioctls and options; clean usage errors", () => {
  for (const c of [
    "decode",
    "encode",
    "inspect-spans",
    "structs",
    "ioctl",
    "predict",
    "topology",
    "fuzz",
    "syzlang",
    "inspect",
  ]) {
    const r = cli([c, "--help"]);
    assert.equal(r.status, 0, `${c}: ${r.stderr}`);
    assert.match(r.stdout, new RegExp(`usage:[\\s\\S]*vfio-abi ${c}`), c);
    assert.doesNotMatch(r.stdout, /^resource |^include </m, `${c} --help prints help, not output`);
    assert.equal(cli(["help", c]).stdout, r.stdout);
  }
  const cases = [
    [["decod", "irq_set", "00"], /unknown command decod \(did you mean decode\?\)/],
    [["decode", "irq_sett", "00"], /unknown struct irq_sett \(did you mean vfio_irq_set\?\)/],
    [["decode", "irq_set", "--pretyy", "00"], /Unknown option '--pretyy' \(did you mean --pretty\?\)/],
    [["ioctl", "DEVICE_SET_IRQ"], /no VFIO ioctl DEVICE_SET_IRQ on x86_64 \(did you mean VFIO_DEVICE_SET_IRQS\?\)/],
    [["decode"], /which struct\?/],
    [
      ["decode", "irq_set", "--split", "lines", "00"],
      /--split must be auto, line, blank, not "lines" \(did you mean line\?\)/,
    ],
    [["decode", "irq_set", "--arch", "x86-64", "00"], /unknown arch "x86-64" \(did you mean x86_64\?\)/],
  ];
  for (const [args, re] of cases) {
    const r = cli(args, "");
    assert.match(r.stderr, re, args.join(" "));
    assert.doesNotMatch(
      r.stderr,
      /\(offset 0\)|at .*\.js:\d+/,
      `${args.join(" ")}: no offsets or stack traces on usage errors`,
    );
    assert.ok(r.status === 2 || (args[0] === "ioctl" && r.status === 1), `${args.join(" ")}: status ${r.status}`);
  }
});

test("numeric options are checked: --seconds x, --seed abc, --count -1, --port 70000 are usage errors", () => {
  for (const [args, re] of [
    [["fuzz", "--campaign", "--seconds", "x"], /--seconds must be a number/],
    [["fuzz", "--campaign", "--seconds", "0"], /--seconds must be a number above 0/],
    [
      ["fuzz", "--campaign", "--seed", "abc", "--count", "10"],
      /--seed must be an integer from 0 to 4294967295, not "abc"/,
    ],
    [["fuzz", "--struct", "irq_set", "--count=-1", "--out", join(dir, "x")], /--count must be an integer/],
    [
      ["fuzz", "--struct", "irq_set", "--count", "-1", "--out", join(dir, "x")],
      /Option '--count' argument is ambiguous$/m,
    ],
    [["fuzz", "--struct", "irq_set", "--count", "1e3", "--out", join(dir, "x")], /--count must be an integer/],
    [["fuzz", "--campaign", "--workers", "0", "--count", "10"], /--workers must be an integer from 1/],
    [["inspect", "--port", "70000"], /--port must be an integer from 0 to 65535/],
    [["inspect", "--csp", "strct"], /did you mean strict/],
    [["decode", "user_message", "--fds", "two", "00"], /--fds must be an integer/],
  ]) {
    const r = cli(args);
    assert.equal(r.status, 2, `${args.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, re);
  }
});

test("fuzz --out never writes through a symbolic link and never overwrites without --force", () => {
  const out = join(dir, "safe");
  assert.equal(cli(["fuzz", "--struct", "irq_set", "--count", "2", "--seed", "3", "--out", out]).status, 0);
  const again = cli(["fuzz", "--struct", "irq_set", "--count", "2", "--seed", "3", "--out", out]);
  assert.equal(again.status, 2);
  assert.match(again.stderr, /irq_set-3-000000\.bin exists; pass --force to overwrite it/);
  assert.equal(cli(["fuzz", "--struct", "irq_set", "--count", "2", "--seed", "3", "--out", out, "--force"]).status, 0);
  // a link planted where a case will go: refused, the target untouched, with or without --force
  const target = join(dir, "victim.txt");
  writeFileSync(target, "precious\n");
  const evil = join(dir, "evil");
  assert.equal(cli(["fuzz", "--struct", "irq_set", "--count", "1", "--seed", "9", "--out", evil]).status, 0);
  rmSync(join(evil, "irq_set-9-000000.bin"));
  symlinkSync(target, join(evil, "irq_set-9-000000.bin"));
  for (const force of [[], ["--force"]]) {
    const r = cli(["fuzz", "--struct", "irq_set", "--count", "1", "--seed", "9", "--out", evil, ...force]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, force.length ? /is a symbolic link; refusing to write through it/ : /exists/);
    assert.equal(readFileSync(target, "utf8"), "precious\n");
  }
});

test("predict answers name the input line they answer", () => {
  const r = cli(["predict", fileURLToPath(new URL("../../examples/predict-e1000e.jsonl", import.meta.url))]);
  const src = readFileSync(new URL("../../examples/predict-e1000e.jsonl", import.meta.url), "utf8").split("\n");
  const out = jsonLines(r.stdout);
  assert.ok(out.length > 3);
  for (const o of out) assert.match(src[o.line - 1], /"ioctl"/, `line ${o.line} is an ioctl line`);
  assert.deepEqual(
    out.map((o) => o.line),
    [...out.map((o) => o.line)].sort((a, b) => a - b),
  );
});

test("inspect --host serves the page; a busy port gets a hint, not a stack trace", async () => {
  const blocker = createServer().listen(0, "127.0.0.1");
  await new Promise((r) => blocker.once("listening", r));
  const port = blocker.address().port;
  const busy = cli(["inspect", "--port", String(port)]);
  blocker.close();
  assert.equal(busy.status, 1);
  assert.match(busy.stderr, new RegExp(`port ${port} on 127\\.0\\.0\\.1 is in use .*--port 0 for any free port`));
  assert.doesNotMatch(busy.stderr, /EADDRINUSE|at .*\.js/);
  const child = spawn(process.execPath, [bin, "inspect", "--host", "127.0.0.1", "--port", "0"], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  try {
    const url = await new Promise((resolve, reject) => {
      let buf = "";
      child.stdout.on("data", (d) => {
        buf += d;
        const m = /http:\/\/127\.0\.0\.1:\d+\//.exec(buf);
        if (m) resolve(m[0]);
      });
      child.on("exit", (c) => reject(new Error(`inspect exited ${c}`)));
    });
    const page = await fetch(url);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<title>/);
  } finally {
    child.kill("SIGTERM");
  }
  assert.equal(cli(["inspect", "--host", "example.org"]).status, 2);
});

/** Peak resident memory (VmHWM, kB) of a running child, read until it exits. */
function peakRss(pid) {
  try {
    return Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))[1]);
  } catch {
    return 0;
  }
}

test("stdout backpressure: a slow reader keeps the CLI's memory flat; every line still arrives", async () => {
  const N = 200_000;
  const line = "14000000 21000000 01000000 00000000 00000000\n";
  const child = spawn(process.execPath, [bin, "decode", "irq_set", "--split", "line"], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  let peak = 0,
    lines = 0,
    rest = "";
  const poll = setInterval(() => {
    peak = Math.max(peak, peakRss(child.pid));
  }, 50);
  // read slowly: pause the stream for a while after every chunk
  child.stdout.on("data", (d) => {
    const s = rest + d;
    const parts = s.split("\n");
    rest = parts.pop();
    lines += parts.length;
    child.stdout.pause();
    setTimeout(() => child.stdout.resume(), 2);
  });
  const chunk = line.repeat(1000);
  for (let i = 0; i < N / 1000; i++)
    if (!child.stdin.write(chunk)) await new Promise((r) => child.stdin.once("drain", r));
  child.stdin.end();
  const code = await new Promise((r) => child.on("exit", r));
  clearInterval(poll);
  assert.equal(code, 0);
  assert.equal(lines, N);
  // ~50 MB of output went through; ignoring backpressure would have queued all of it in the CLI
  assert.ok(peak > 0 && peak < 160_000, `peak RSS ${peak} kB`);
});

test("| head -1: the CLI stops quietly with status 0 when the reader goes away", () => {
  const big = join(dir, "big.txt");
  writeFileSync(big, "14000000 21000000 01000000 00000000 00000000\n".repeat(50_000));
  for (const cmd of [
    `decode irq_set < ${big}`,
    "structs",
    "ioctl --all",
    `predict ${fileURLToPath(new URL("../../examples/predict-e1000e.jsonl", import.meta.url))}`,
  ]) {
    const r = spawnSync(
      "bash",
      ["-c", `set -o pipefail; "${process.execPath}" "${bin}" ${cmd} | head -c 1 >/dev/null`],
      { encoding: "utf8" },
    );
    assert.equal(r.status, 0, `${cmd}: ${r.stderr}`);
    assert.equal(r.stderr, "", cmd);
  }
});

// Standard input's plain-hex lane (lines of hex digits go straight to the fast decoder and its JSON
// text, no item) against the general path: the same text read from a file (--in) takes the splitter
// and the dump parser for every line. Output and messages must match, the sources renamed.
test("standard input's plain-hex lane prints what the general path prints, for mixed and broken input", () => {
  const hex = (n) => toHex(bytesOf(vec(n).hex));
  const info = hex("kernel_irq_info_edu_intx"),
    set = hex("irq_set_msix_eventfd_3"),
    region = hex("region_info_sparse_mmap");
  const xxdp = spawnSync("xxd", ["-p"], { input: Buffer.alloc(40, 0x11), encoding: "utf8" })
    .stdout.trim()
    .split("\n");
  const lines = [
    info,
    info.toUpperCase(),
    `${info}\r`, // CRLF
    "",
    "   ",
    info.slice(0, -1), // odd number of digits
    `${info.slice(0, -2)}zz`, // not hex
    `${info.slice(0, 8)} ${info.slice(8)}`, // plain hex with a space: an item
    info.slice(0, 8), // too short: E_SHORT
    `${info}00ff`, // a tail
    `10000000${"00".repeat(4)}`.padEnd(120, "7"), // argsz says 16, bytes run on
    ...xxdp, // xxd -p: a 60-digit line that continues
    info,
    "hello world",
    "[  12.345678] vfio-pci 0000:00:01.0: enabling device", // a kernel log line without hex
    `{"argsz":16,"flags":1,"index":0,"count":1}`,
    info,
    "0".repeat(60), // 60 digits, argsz 0: xxd -p continuing into the next line
    info,
    "é0",
    `${"ab".repeat(70000)}`, // a very long line (crosses a 64 KiB chunk)
    set,
    region,
  ];
  const cases = [
    ["irq_info", `${lines.join("\n")}\n`],
    ["irq_info", lines.join("\n")], // no newline at the end
    ["irq_info", `${lines.join("\r\n")}\r\n`],
    ["irq_set", `${lines.join("\n")}\n`],
    ["region_info", `${lines.join("\n")}\n`],
  ];
  // bytes that are not UTF-8 (a sequence cut by the newline, stray continuation bytes) between lanes
  const raw = Buffer.concat([
    Buffer.from(`${info}\n`),
    Buffer.from([0xc3, 0x0a, 0xff, 0xfe, 0x30, 0x30, 0x0d, 0x0a, 0xe2, 0x82]),
    Buffer.from(`\n${info}\n\xe90\n${info}\n\n${info}`), // a blank line: more than one item in every split mode
  ]);
  cases.push(["irq_info", raw]);
  // many chunks of input, the lane interrupted now and then
  const long = `${Array.from({ length: 5000 }, (_, i) => (i % 997 === 0 ? "zz" : i % 1000 === 1 ? "" : info)).join("\n")}\n`;
  const runs = cases.flatMap(([struct, input]) =>
    [[], ["--split", "line"], ["--split", "blank"], ["--endian", "big"]]
      .filter((extra) => extra[0] !== "--endian" || struct === "irq_info")
      .map((extra) => [struct, input, extra]),
  );
  const big = { maxBuffer: 1 << 26 };
  // a file reports its skipped kernel log lines before its items, standard input at its end
  const sorted = (s) => s.split("\n").sort().join("\n");
  let n = 0,
    decoded = 0;
  for (const [struct, input, extra] of [...runs, ["irq_info", long, []]]) {
    const file = join(dir, `lane-${n++}.txt`);
    writeFileSync(file, input);
    const lane = cli(["decode", struct, ...extra], input, big);
    const general = cli(["decode", struct, ...extra, "--in", file], undefined, big);
    const rename = (s) => s.replaceAll(`${file}:`, "stdin:");
    assert.equal(lane.status, general.status, `${struct} ${extra}`);
    assert.equal(lane.stdout, rename(general.stdout), `${struct} ${extra}`);
    assert.equal(sorted(lane.stderr), sorted(rename(general.stderr)), `${struct} ${extra}`);
    decoded += lane.stdout.split("\n").filter((l) => l.startsWith('{"argsz"')).length;
  }
  assert.ok(decoded > 5000, `${decoded} lines decoded`);
});
