// Reproducer files: a device description and the client's steps, one per line, with what the
// model predicted and what the server answered as comments. `vfio-abi vfio-user --replay FILE` and
// the peer stage read them back.
//
//   # comment lines (the "#>" ones record the answers seen when the file was saved)
//   DEVICE {"driver":"libvfio-user",...}      the model's device (JSON, one line)
//   CONNECT | CLOSE | RECONNECT | DRAIN
//   SEND <hex> [fd,fd,...]                    one message, fds passed with it (SCM_RIGHTS)
//   EFD <fd>                                  read an eventfd's counter
import { fromHex, toHex } from "../hex.js";
import { checkDescription } from "../oracle/model/device.js";
import type { VuDevice } from "../oracle/model/vfio-user.js";
import { describeLine, describeStep, type Mismatch, type Step } from "./script.js";

export interface Reproducer {
  device: VuDevice;
  steps: Step[];
  /** Free text: why the file exists (the disagreement, the rule). */
  why: string[];
}

export class ReproError extends Error {}

/** The file's text. `seen`: the mismatches of the last run, recorded as comments under their step. */
export function formatRepro(r: Reproducer, seen: Mismatch[] = []): string {
  const out = [
    "# vfio-abi vfio-user reproducer: vfio-abi vfio-user --replay <this file> [--socket PATH]",
    ...r.why.map((w) => `# ${w}`),
    `DEVICE ${JSON.stringify(r.device)}`,
  ];
  r.steps.forEach((s, i) => {
    if (s.kind === "send") out.push(`# ${describeStep(s)}${s.note ? ` (${s.note})` : ""}`);
    out.push(stepLine(s));
    for (const m of seen.filter((x) => x.step === i)) {
      out.push(`#> model:  ${describeLine(m.expected)}`, `#> server: ${describeLine(m.got)}`);
    }
  });
  return `${out.join("\n")}\n`;
}

function stepLine(s: Step): string {
  switch (s.kind) {
    case "send":
      return `SEND ${toHex(s.bytes)}${s.fds.length ? ` ${s.fds.join(",")}` : ""}`;
    case "efd":
      return `EFD ${s.fd}`;
    default:
      return s.kind.toUpperCase();
  }
}

/** Parse a reproducer file; errors name the line. */
export function parseRepro(text: string, name = "reproducer"): Reproducer {
  let device: VuDevice | null = null;
  const steps: Step[] = [],
    why: string[] = [];
  text.split("\n").forEach((raw, i) => {
    const line = raw.trim();
    const fail = (msg: string): never => {
      throw new ReproError(`${name}:${i + 1}: ${msg}`);
    };
    if (!line) return;
    if (line.startsWith("#")) {
      if (!line.startsWith("#>") && i > 0 && !steps.length && !device) why.push(line.replace(/^#\s?/, ""));
      return;
    }
    const [word, ...args] = line.split(/\s+/);
    switch (word) {
      case "DEVICE":
        try {
          device = checkDescription(JSON.parse(line.slice("DEVICE".length))) as VuDevice;
        } catch (e) {
          fail(`bad DEVICE line: ${(e as Error).message}`);
        }
        if (device?.driver !== "libvfio-user" || !Array.isArray(device.vuRegions))
          fail('DEVICE must be a libvfio-user description (driver "libvfio-user", vuRegions)');
        return;
      case "CONNECT":
      case "CLOSE":
      case "RECONNECT":
      case "DRAIN":
        steps.push({ kind: word.toLowerCase() as "connect" });
        return;
      case "EFD": {
        const fd = Number(args[0]);
        if (!Number.isInteger(fd) || fd < 0) fail(`EFD needs an fd number, not ${args[0]}`);
        steps.push({ kind: "efd", fd });
        return;
      }
      case "SEND": {
        if (!args[0] || !/^[0-9a-fA-F]+$/.test(args[0]) || args[0].length % 2) fail("SEND needs the message in hex");
        const fds = args[1] ? args[1].split(",").map(Number) : [];
        if (fds.some((fd) => !Number.isInteger(fd) || fd < 0)) fail(`bad fd list ${args[1]}`);
        steps.push({ kind: "send", bytes: fromHex(args[0]), fds });
        return;
      }
      default:
        fail(`unknown line ${word} (want DEVICE, CONNECT, SEND, EFD, CLOSE, RECONNECT, DRAIN)`);
    }
  });
  if (!device) throw new ReproError(`${name}: no DEVICE line`);
  if (steps[0]?.kind !== "connect") throw new ReproError(`${name}: the steps must start with CONNECT`);
  return { device, steps, why };
}
