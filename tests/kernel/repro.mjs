// Reproducer files: one segment (fd environment, device, request sequence) with the answers a real
// kernel gave, as a replay script. The file replays as it is (vfio-replay skips # lines); the "#>"
// line after each command is the kernel's recorded reply line, so a test can check the model
// against the real kernel's answers without booting it.
//
//   # vfio-abi kernel reproducer: npm run test:kernel -- --replay <file>
//   # kernel: 6.1 (6.1.0-57-cloud-amd64, 6.1.192-3)
//   # device: virtio-rng
//   FDS 100-131 0-2
//   OPEN 0000:00:12.0
//   DEVICE_SET_IRQS 1400000024000000020000000100000000000000
//   #> RSP DEVICE_SET_IRQS ret=-1 errno=22(EINVAL) = guard=ok
//   CLOSE
import { scriptLine } from "./check.mjs";
import { formatFds, parseFds } from "./walk.mjs";

const fromHex = (h) => Uint8Array.from(Buffer.from(h, "hex"));

/**
 * Text of a reproducer. `records`: the segment's transcript records (FDS, OPEN, items..., CLOSE) or
 * null to leave the answers out; `notes`: extra header lines.
 */
export function formatRepro({ kernel, version, packageVersion, segment, records, notes = [] }) {
  const rspOf = (rec) => rec?.extra.lines.find((l) => l.startsWith("RSP ")) ?? null;
  const L = [
    "# vfio-abi kernel reproducer: npm run test:kernel -- --replay <this file>",
    `# kernel: ${kernel}${version ? ` (${version}${packageVersion ? `, ${packageVersion}` : ""})` : ""}`,
    `# device: ${segment.device.name}`,
    ...notes.map((n) => `# ${n}`),
    `FDS ${formatFds(segment.env.eventfds)} ${formatFds(segment.env.files)}`,
    `OPEN ${segment.device.bdf}`,
  ];
  segment.items.forEach((it, i) => {
    L.push(scriptLine(it));
    const rsp = records ? rspOf(records[i + 2]) : null;
    if (rsp) L.push(`#> ${rsp}`);
  });
  L.push("CLOSE", "");
  return L.join("\n");
}

/** Parse a reproducer: { kernel, deviceName, bdf, env, items, answers: [RSP line|null per item], notes }. */
export function parseRepro(text) {
  const out = { kernel: null, deviceName: null, bdf: null, env: null, items: [], answers: [], notes: [] };
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (!line) continue;
    let m;
    if ((m = /^#>\s*(.*)$/.exec(line))) {
      out.answers[out.items.length - 1] = m[1];
      continue;
    }
    if ((m = /^#\s*kernel:\s*(\S+)/.exec(line))) {
      out.kernel = m[1];
      continue;
    }
    if ((m = /^#\s*device:\s*(\S+)/.exec(line))) {
      out.deviceName = m[1];
      continue;
    }
    if (line.startsWith("#")) {
      out.notes.push(line.replace(/^#\s?/, ""));
      continue;
    }
    const t = line.split(/\s+/);
    switch (t[0]) {
      case "FDS":
        out.env = { eventfds: parseFds(t[1]), files: parseFds(t[2]) };
        break;
      case "OPEN":
        out.bdf = t[1];
        break;
      case "CLOSE":
      case "QUIT":
      case "MODE":
        break;
      case "DEVICE_RESET":
        out.items.push({ ioctl: "DEVICE_RESET", bytes: new Uint8Array(0) });
        break;
      case "EFD_READ":
        out.items.push({ ioctl: "EFD_READ", efd: Number(t[1]) });
        break;
      case "FD_READ":
      case "FD_WRITE":
        out.items.push({ ioctl: t[0], fd: Number(t[1]) });
        break;
      case "REGION_WRITE":
        out.items.push({ ioctl: "REGION_WRITE", region: Number(t[1]), offset: Number(t[2]), bytes: fromHex(t[3]) });
        break;
      default:
        if (!t[0].startsWith("DEVICE_") || !t[1]) throw new Error(`reproducer: cannot read line "${line}"`);
        out.items.push({ ioctl: t[0], bytes: fromHex(t[1]) });
    }
    if (out.answers.length < out.items.length) out.answers.length = out.items.length;
  }
  if (!out.kernel || !out.bdf || !out.env) throw new Error('reproducer: needs "# kernel:", FDS and OPEN lines');
  return out;
}

/** The recorded answers as transcript text (FDS, OPEN, items, CLOSE records) for parseTranscript. */
export function recordedTranscript(repro) {
  const L = [
    "INFO vfio-replay ready api=0 efd_base=100 num_efd=32 guard=256",
    "INFO FDS",
    "END",
    `INFO OPEN ${repro.bdf} group=0 devfd=0`,
    "END",
  ];
  repro.items.forEach((it, i) => {
    if (!repro.answers[i]) throw new Error(`reproducer: item ${i + 1} (${scriptLine(it)}) has no recorded answer`);
    L.push(repro.answers[i], "END");
  });
  L.push("INFO CLOSE", "END", "DONE");
  return L.join("\n");
}
