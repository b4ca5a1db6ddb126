// `vfio-abi predict` and `vfio-abi topology`.
import { parseArgs } from "node:util";
import { createInterface } from "node:readline";
import { readFileSync } from "node:fs";
import { fromHex, toHex } from "../hex.js";
import { checkDescription, DEFAULT_FD_ENV, type DeviceDescription, type FdEnv } from "./model/device.js";
import { DeviceModel } from "./model/model.js";
import { irqTopology, formatTopology } from "./model/topology.js";
import { qemuDevice, QEMU_DEVICE_NAMES } from "./model/qemu.js";
import { DEFAULT_KERNEL, KNOWN_KERNELS } from "./model/kernel.js";
import { resolveProfile } from "../profile.js";

const KERNELS = KNOWN_KERNELS.join("|");

const USAGE = `usage:
  vfio-abi predict [file]     JSON lines in, one answer line per ioctl out:
      {"device": {...description...}}          starts a new device (nothing enabled)
      {"device": "e1000e@6.1"}                 a shipped QEMU harness device (${QEMU_DEVICE_NAMES.join(", ")}; kernel ${KERNELS}, default ${DEFAULT_KERNEL})
      {"device": {"preset": "xhci", "kernel": "6.12", "fds": {"eventfds": "20-45", "files": "0-19"}}}   preset with overrides
      {"ioctl": "VFIO_DEVICE_SET_IRQS", "hex": "..."}   also VFIO_DEVICE_GET_IRQ_INFO, _GET_REGION_INFO,
                                                       _GET_INFO, _RESET; optional "tail": hex readable after the buffer,
                                                       optional "fds": fd environment change before the call
      {"fds": {"eventfds": "7", "closed": "100-103"}}   fds opened or closed since (listed fds change kind)
    The fd environment says which fds are open eventfds, open other files, and closed (every fd not
    listed); default eventfds 100-131 and files 0-2 (the kernel harness's).
    answers: {"ret":0,"errno":null} or {"ret":-1,"errno":"EINVAL","rule":"...","reason":"...","element":N};
    INFO ioctls add "reply" (the buffer after the call); "element" names the failing payload entry
  vfio-abi predict [--kernel ${KERNELS}] [--eventfds LIST] [--files LIST] [file]
    defaults for device lines that do not say (LIST like "20-45,7")
  vfio-abi predict --describe e1000e@6.1   print a shipped description as a device line (to edit)
  vfio-abi predict --arch s390x [file]     the caller's byte order (big-endian requests and replies)
  vfio-abi topology [preset] [--kernel ${KERNELS}] [--json] [--proposal NAME]...
    label the IRQ indexes of a shipped device, or of each device line on standard input`;

interface Defaults {
  kernel?: string;
  fds?: FdEnv;
}

function resolveDevice(v: unknown, dflt: Defaults = {}): DeviceDescription {
  const kernel = dflt.kernel ?? DEFAULT_KERNEL;
  // a preset carries the harness's fd lists; an explicit default environment replaces them
  const env = (d: DeviceDescription, own: boolean): DeviceDescription =>
    dflt.fds && !own ? { ...d, eventfds: undefined, openFds: undefined, fds: dflt.fds } : d;
  if (typeof v === "string") {
    const [name, k] = v.split("@");
    return env(qemuDevice(name, k ?? kernel), false);
  }
  const o = v as Record<string, unknown>;
  const own = !!o && typeof o === "object" && ("fds" in o || "eventfds" in o || "openFds" in o);
  if (o && typeof o === "object" && typeof o.preset === "string") {
    const { preset, ...rest } = o;
    return checkDescription({ ...env(qemuDevice(preset as string, (o.kernel as string) ?? kernel), own), ...rest });
  }
  return checkDescription(env({ kernel, ...(o as object) } as DeviceDescription, own));
}

async function* lines(file: string | undefined): AsyncGenerator<string> {
  if (file) {
    for (const l of readFileSync(file, "utf8").split(/\r?\n/)) yield l;
    return;
  }
  const rl = createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const l of rl) yield l;
}

async function predict(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      help: { type: "boolean", short: "h" },
      describe: { type: "string" },
      kernel: { type: "string" },
      eventfds: { type: "string" },
      files: { type: "string" },
      arch: { type: "string" },
    },
    allowPositionals: true,
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const dflt: Defaults = { kernel: values.kernel as string | undefined };
  if (values.eventfds !== undefined || values.files !== undefined) {
    dflt.fds = {
      eventfds: (values.eventfds as string | undefined) ?? DEFAULT_FD_ENV.eventfds,
      files: (values.files as string | undefined) ?? DEFAULT_FD_ENV.files,
    };
  }
  if (values.describe) {
    console.log(JSON.stringify({ device: resolveDevice(values.describe, dflt) }));
    return 0;
  }
  const out = (o: unknown) => process.stdout.write(`${JSON.stringify(o)}\n`);
  const bigEndian = values.arch !== undefined && resolveProfile({ arch: values.arch }).endian === "big";
  let model: DeviceModel | null = null;
  let failed = 0,
    n = 0;
  for await (const line of lines(positionals[0])) {
    n++;
    if (!line.trim() || line.trim().startsWith("#")) continue;
    try {
      const o = JSON.parse(line) as Record<string, unknown>;
      if ("device" in o) {
        model = new DeviceModel(resolveDevice(o.device, dflt));
        continue;
      }
      const fds = o.fds as FdEnv | undefined;
      if (fds !== undefined && (typeof fds !== "object" || fds === null))
        throw new TypeError('"fds" must be {"eventfds": LIST, "files": LIST, "closed": LIST}');
      if (fds && !("ioctl" in o)) {
        if (!model) throw new TypeError("fds line before any device line");
        model.setFds(fds);
        continue;
      }
      if (typeof o.ioctl !== "string")
        throw new TypeError('expected {"device": ...}, {"ioctl": NAME, "hex": HEX} or {"fds": {...}}');
      if (!model) throw new TypeError("ioctl line before any device line");
      const bytes = fromHex(typeof o.hex === "string" ? o.hex : "");
      const tail = typeof o.tail === "string" ? fromHex(o.tail) : undefined;
      const p = model.predict(o.ioctl, bytes, { tail, fds, bigEndian });
      const r: Record<string, unknown> = { ret: p.ret, errno: p.errno };
      if (p.errno || p.ret > 0) {
        r.rule = p.rule;
        r.reason = p.reason;
      }
      if (p.element !== undefined && p.element !== null) r.element = p.element;
      if (o.ioctl.includes("INFO") && p.ret >= 0) r.reply = toHex(p.after.subarray(0, bytes.length));
      if (tail && p.ret >= 0 && toHex(p.after.subarray(bytes.length)) !== toHex(tail))
        r.pastEnd = toHex(p.after.subarray(bytes.length));
      out(r);
    } catch (e) {
      failed++;
      process.stderr.write(`vfio-abi predict: line ${n}: ${e instanceof Error ? e.message : String(e)}\n`);
      out({ error: e instanceof Error ? e.message : String(e), line: n });
    }
  }
  return failed ? 1 : 0;
}

async function topology(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      kernel: { type: "string" },
      json: { type: "boolean" },
      proposal: { type: "string", multiple: true },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const opts = { proposals: (values.proposal as string[] | undefined) ?? [] };
  const show = (d: DeviceDescription) => {
    const t = irqTopology(d, opts);
    console.log(
      values.json
        ? JSON.stringify(t)
        : (d.name ? `${d.name} (${d.kernel ?? DEFAULT_KERNEL}): ` : "") + formatTopology(t),
    );
  };
  if (positionals[0]) {
    const [name, k] = positionals[0].split("@");
    show(qemuDevice(name, (values.kernel as string | undefined) ?? k ?? DEFAULT_KERNEL));
    return 0;
  }
  let failed = 0;
  for await (const line of lines(undefined)) {
    if (!line.trim()) continue;
    try {
      const o = JSON.parse(line) as Record<string, unknown>;
      show(resolveDevice("device" in o ? o.device : o));
    } catch (e) {
      failed++;
      process.stderr.write(`vfio-abi topology: ${e instanceof Error ? e.message : String(e)}\n`);
    }
  }
  return failed ? 1 : 0;
}

export async function run(cmd: string, argv: string[]): Promise<number> {
  if (cmd === "predict") return predict(argv);
  if (cmd === "topology") return topology(argv);
  console.error(USAGE);
  return 2;
}
