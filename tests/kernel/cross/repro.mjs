#!/usr/bin/env node
// Cross-stage reproducers: the facts part of one boot and a few of a device's requests, with the
// lines the real kernel answered, so a test can check the stage's model against a real kernel
// without booting it (tests/oracle/cross-repro.test.mjs). A reproducer is the stage's own script
// with each command's transcript lines after it as "#>" lines:
//
//   # vfio-abi cross reproducer
//   # stage: zpci
//   # kernel: 7.2 (7.2.13, linux-source-7.2 7.2.13-1)
//   # why: vfio-pci maps zPCI BARs from 6.15 on
//   # differs-from: 6.12
//   OPEN 0001:00:00.0
//   #> INFO OPEN 0001:00:00.0 group=0 devfd=5
//   READ_FILE /proc/self/auxv
//   #> RSP READ_FILE ret=... 0000...
//   USE 0001:00:00.0
//   #> INFO USE 0001:00:00.0 devfd=5
//   DEVICE_GET_REGION_INFO 00000020...
//   #> RSP DEVICE_GET_REGION_INFO ret=0 errno=0(OK) 00000020... guard=ok
//
// "differs-from: K": checked as kernel K, some answer must NOT match (the behaviour is K-specific).
//
// Written from a run's --dump directory (requests picked by their plan note; stateless requests
// such as the INFO queries can be picked alone, a SET_IRQS needs the requests before it):
//
//   node tests/kernel/cross/repro.mjs --dump DIR --stage zpci --series 7.2 --device 0001:00:00.0 \
//        --note '^region [0-9] argsz (32|64)$' --why '...' [--differs-from 6.12] > FILE
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { parseTranscript } from "../lib/transcript.mjs";
import { scriptLines } from "./check.mjs";
import { checkRun, seedFor } from "./stage.mjs";

const fromHex = (h) => Uint8Array.from(Buffer.from(h, "hex"));

/** Reproducer text: header, the facts commands, then USE and the picked items of each device. */
export function formatCrossRepro({ stage, kernel, version, why, differsFrom, facts, devices }) {
  const L = [
    "# vfio-abi cross reproducer",
    `# stage: ${stage}`,
    `# kernel: ${kernel}${version ? ` (${version})` : ""}`,
    `# why: ${why}`,
    ...(differsFrom ? [`# differs-from: ${differsFrom}`] : []),
  ];
  const add = (line, rec) => L.push(line, ...rec.extra.lines.map((l) => `#> ${l}`));
  for (const { line, rec } of facts) add(line, rec);
  for (const d of devices) {
    add(`USE ${d.name}`, d.use);
    for (const { item, rec } of d.picked) add(scriptLines([item])[0], rec);
  }
  return `${L.join("\n")}\n`;
}

/**
 * Parse a reproducer: { stage, kernel, why, differsFrom, devs: [{ name, bus?, items }], transcript }.
 * A device's bus (platform stage) comes from its sysfs paths.
 */
export function parseCrossRepro(text) {
  const out = { stage: null, kernel: null, why: "", differsFrom: null, devs: [] };
  const transcript = ["INFO vfio-replay ready api=0 efd_base=100 num_efd=32 guard=256"];
  let current = null,
    answered = true;
  const endCommand = () => {
    if (!answered) throw new Error("cross reproducer: a command has no recorded answer");
    transcript.push("END");
  };
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (!line) continue;
    let m;
    if ((m = /^#>\s?(.*)$/.exec(line))) {
      transcript.push(m[1]);
      answered = true;
      continue;
    }
    if ((m = /^#\s*(stage|kernel|why|differs-from):\s*(.*)$/.exec(line))) {
      const v = m[2].trim();
      if (m[1] === "stage") out.stage = v;
      else if (m[1] === "kernel") out.kernel = v.split(/\s+/)[0];
      else if (m[1] === "why") out.why = v;
      else out.differsFrom = v;
      continue;
    }
    if (line.startsWith("#")) continue;
    if (transcript.length > 1) endCommand();
    answered = false;
    const [cmd, arg] = line.split(/\s+/);
    if (cmd === "OPEN") out.devs.push({ name: arg, items: [] });
    else if (cmd === "READ_FILE") {
      const bus = /^\/sys\/bus\/(\w+)\/devices\/([^/]+)\//.exec(arg);
      const d = bus && out.devs.find((x) => x.name === bus[2]);
      if (d) d.bus = bus[1];
    } else if (cmd === "USE") current = out.devs.find((x) => x.name === arg);
    else if (cmd === "DEVICE_RESET") current.items.push({ ioctl: cmd, bytes: new Uint8Array(0), note: line });
    else if (cmd === "EFD_READ") current.items.push({ ioctl: cmd, efd: Number(arg), note: line });
    else if (cmd.startsWith("DEVICE_") && arg) current.items.push({ ioctl: cmd, bytes: fromHex(arg), note: line });
    else throw new Error(`cross reproducer: cannot read line "${line}"`);
  }
  if (transcript.length > 1) endCommand();
  transcript.push("DONE");
  if (!out.stage || !out.kernel) throw new Error('cross reproducer: needs "# stage:" and "# kernel:" lines');
  return { ...out, transcript: transcript.join("\n") };
}

/** Check a parsed reproducer with `stage` as kernel `kernel` (default its own): checkRun's result. */
export function checkCrossRepro(stage, rep, kernel = rep.kernel) {
  return checkRun({ stage, series: kernel, plan: { devs: rep.devs }, r: { transcript: rep.transcript } });
}

// ---- command line: write a reproducer from a --dump directory
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { intArg, parseOptions, seedArg, usageError } = await import("../../../scripts/lib/options.mjs");
  const USAGE =
    "node tests/kernel/cross/repro.mjs --dump DIR --stage platform|zpci --series 6.12|7.2 --device NAME" +
    " [--note REGEX] [--why TEXT] [--version TEXT] [--differs-from TEXT] [--seed N] [--random N]";
  const text = { type: "string" };
  const { values: args } = parseOptions("cross repro", {
    usage: USAGE,
    options: {
      stage: text,
      series: text,
      dump: text,
      device: text,
      note: { type: "string", default: "." },
      ...{ why: { type: "string", default: "" }, version: text, "differs-from": text, seed: text, random: text },
    },
  });
  const { stage: stageName, series, dump, device: deviceName } = args;
  for (const name of ["dump", "stage", "series", "device"])
    if (!args[name]) usageError("cross repro", `--${name} is required`, USAGE);
  if (!["platform", "zpci"].includes(stageName)) usageError("cross repro", `--stage: unknown ${stageName}`, USAGE);
  const note = new RegExp(args.note);
  const { platformStage } = await import("./platform.mjs");
  const { zpciStage } = await import("./zpci.mjs");
  const stage = { platform: platformStage, zpci: zpciStage }[stageName];
  let guest = { series };
  if (stage.arch === "arm64") {
    const { prepareGuest } = await import("./machines.mjs");
    guest = await prepareGuest({ arch: stage.arch, series, deadline: Date.now() });
  }
  const plan = stage.plan(guest, {
    seed: seedFor(seedArg("cross repro", "--seed", args.seed, 20201117), series),
    random: intArg("cross repro", "--random", args.random, 2000),
  });
  const base = path.join(dump, `${stageName}-${series}`);
  if (fs.readFileSync(`${base}.req.txt`, "utf8") !== plan.script)
    throw new Error(`${base}.req.txt is not the script this seed and count plan (pass --seed / --random of the run)`);
  const records = parseTranscript(fs.readFileSync(`${base}.txt`, "utf8"));
  const scriptCmds = plan.script.split("\n").filter((l) => l && !l.startsWith("#") && l !== "QUIT");
  const { next } = stage.facts(records, plan.devs, series);
  // the picked device's OPEN and files, and the guest's own files (not under /sys/bus)
  const ours = (line) => {
    const [cmd, arg] = line.split(" ");
    return cmd === "OPEN" ? arg === deviceName : !arg.startsWith("/sys/bus/") || arg.includes(`/${deviceName}/`);
  };
  const facts = scriptCmds
    .slice(0, next)
    .map((line, i) => ({ line, rec: records[i] }))
    .filter((f) => ours(f.line));
  let at = next;
  const devices = [];
  for (const d of plan.devs) {
    const use = records[at++];
    const picked = d.items.map((item, i) => ({ item, rec: records[at + i] }));
    at += d.items.length;
    if (d.name === deviceName)
      devices.push({ name: d.name, use, picked: picked.filter((p) => note.test(p.item.note)) });
  }
  if (!devices.length) throw new Error(`no device ${deviceName} in the plan`);
  process.stdout.write(
    formatCrossRepro({
      stage: stageName,
      kernel: series,
      version: args.version,
      why: args.why,
      differsFrom: args["differs-from"],
      facts,
      devices,
    }),
  );
}
