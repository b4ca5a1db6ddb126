// Learning a server's device before fuzzing it: VERSION, DEVICE_GET_INFO, GET_IRQ_INFO for every
// index and GET_REGION_INFO for every region, with well-formed requests. The answers become the
// device description the model predicts with. Then the probe's own requests are replayed through
// the model: where the model would not have predicted the server's answer (a capability it does
// not know, an fd with a region it does not expect), that region or irq index is marked and left
// out of the campaign, and the probe says so.
import { decodeMessage, encodeMessage } from "../vfio-user.js";
import { fromHex } from "../hex.js";
import {
  SIZEOF_VFIO_REGION_INFO,
  VFIO_USER_DEVICE_GET_INFO,
  VFIO_USER_DEVICE_GET_IRQ_INFO,
  VFIO_USER_DEVICE_GET_REGION_INFO,
  VFIO_REGION_INFO_FLAG_CAPS,
} from "../generated/constants.js";
import {
  CLIENT_FD_ENV,
  VfioUserModel,
  vuCrashOnLeave,
  type VuDevice,
  type VuRegion,
} from "../oracle/model/vfio-user.js";
import { ClientError, runClient } from "./client.js";
import { check, hello, plan, type Step } from "./script.js";

type Msg = { body?: Record<string, unknown>; $: { message?: { error: boolean; errno: string | null } } };

export interface ProbeResult {
  device: VuDevice;
  /** What the model will not predict, in words (left out of campaigns). */
  notes: string[];
}

/** The server did not take a connection or dropped it before the handshake's reply. */
class ServerGone extends ClientError {}

/** Send `msgs` after the handshake; the decoded replies (null where none came or it did not decode). */
function ask(bin: string, socket: string, msgs: Uint8Array[]): { version: Msg | null; replies: (Msg | null)[] } {
  const h = (hello() as { bytes: Uint8Array }).bytes;
  const lines = [`CONNECT ${socket} 5000`, `SEND ${hex(h)}`, "RECV 3000"];
  for (const m of msgs) lines.push(`SEND ${hex(m)}`, "RECV 3000");
  lines.push("CLOSE", "QUIT");
  const t = runClient(bin, `${lines.join("\n")}\n`, 60_000);
  if (t[0] !== "CONNECT ok") throw new ServerGone(`cannot connect to ${socket}: ${t[0] ?? "no answer"}`);
  const decode = (line: string | undefined): Msg | null => {
    const m = /^RECV ([0-9a-f]+) fds=\d+$/.exec(line ?? "");
    if (!m) return null;
    try {
      return decodeMessage(fromHex(m[1])) as Msg;
    } catch {
      return null;
    }
  };
  const version = decode(t[2]);
  if (!t[2] || /^RECV (err|eof)/.test(t[2])) throw new ServerGone(`${socket}: no VERSION reply (${t[2] ?? "none"})`);
  if (!version || version.$.message?.error)
    throw new ClientError(`${socket}: the server refused the VERSION handshake (${t[2] ?? "no reply"})`);
  return { version, replies: msgs.map((_, i) => decode(t[4 + 2 * i])) };
}

/** INTx, MSI, MSI-X, ERR, REQ: the indices a libvfio-user PCI server has. */
const PCI_IRQ_INDICES = 5;

function firstIrqs(replies: (Msg | null)[], numIrqs: number): VuDevice["irqs"] {
  return replies
    .slice(0, numIrqs)
    .map((r, index) => ({ index, count: num(r?.body?.count), flags: num(r?.body?.flags) }));
}

/**
 * A later connection of the probe. If the server no longer accepts one, its first connection's
 * close ended it: say so, and name the known bug when the counts it reported explain the crash.
 */
function askAgain(bin: string, socket: string, msgs: Uint8Array[], irqs: VuDevice["irqs"]) {
  try {
    return ask(bin, socket, msgs);
  } catch (e) {
    if (!(e instanceof ServerGone)) throw e;
    const gap = vuCrashOnLeave({ irqs });
    const counts = irqs.map((q) => q.count).join(", ");
    throw new ClientError(
      `${socket}: the server stopped taking connections when the probe's first connection closed ` +
        `(irq counts ${counts}): it has probably crashed. ` +
        (gap ? `The counts explain it: ${gap}. ` : "") +
        "Restart the server before trying again.",
    );
  }
}

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
const num = (v: unknown) => Number(v ?? 0);

/** Probe the server at `socket` with the client binary `bin`. */
export function probe(bin: string, socket: string): ProbeResult {
  let id = 1;
  const msg = (command: number, body: Record<string, unknown>) => encodeMessage({ msg_id: id++, command, body });
  const notes: string[] = [];
  // The first connection also asks the PCI indices' irq info: a libvfio-user server with the
  // ERR/REQ array bug crashes when that connection closes, and these counts are what names the bug.
  const first = ask(bin, socket, [
    msg(VFIO_USER_DEVICE_GET_INFO, { argsz: 16 }),
    ...Array.from({ length: PCI_IRQ_INDICES }, (_, index) => msg(VFIO_USER_DEVICE_GET_IRQ_INFO, { argsz: 16, index })),
  ]);
  const info = first.replies[0]?.body;
  if (!info) throw new ClientError(`${socket}: no DEVICE_GET_INFO reply`);
  const numIrqs = num(info.num_irqs),
    numRegions = num(info.num_regions);
  const data = first.version?.body?.data;
  const versionJson = data instanceof Uint8Array ? new TextDecoder().decode(data).replace(/\0$/, "") : undefined;

  const irqMsgs = Array.from({ length: Math.min(numIrqs, 64) }, (_, index) =>
    msg(VFIO_USER_DEVICE_GET_IRQ_INFO, { argsz: 16, index }),
  );
  const regionMsgs = Array.from({ length: Math.min(numRegions, 64) }, (_, index) =>
    msg(VFIO_USER_DEVICE_GET_REGION_INFO, { argsz: SIZEOF_VFIO_REGION_INFO, index }),
  );
  const second = askAgain(bin, socket, [...irqMsgs, ...regionMsgs], firstIrqs(first.replies.slice(1), numIrqs));
  const irqs = irqMsgs.map((_, index) => {
    const r = second.replies[index]?.body;
    return { index, count: num(r?.count), flags: num(r?.flags) };
  });
  const small = regionMsgs.map((_, i) => second.replies[irqMsgs.length + i]?.body);
  // regions whose reply asks for more room (capabilities): ask again with that argsz
  const bigger = small
    .map((r, index) => ({ index, argsz: num(r?.argsz) }))
    .filter((x) => x.argsz > SIZEOF_VFIO_REGION_INFO);
  const third = bigger.length
    ? ask(
        bin,
        socket,
        bigger.map((x) => msg(VFIO_USER_DEVICE_GET_REGION_INFO, { argsz: x.argsz, index: x.index })),
      )
    : { replies: [] };
  const regions: VuRegion[] = [];
  small.forEach((r, index) => {
    if (!r || num(r.size) === 0) return;
    const full = third.replies[bigger.findIndex((x) => x.index === index)]?.body ?? r;
    const caps = (full.caps as { name?: string; areas?: { offset: unknown; size: unknown }[] }[] | undefined) ?? [];
    const sparse = caps.find((c) => c.name === "VFIO_REGION_INFO_CAP_SPARSE_MMAP");
    const region: VuRegion = {
      index,
      size: num(r.size),
      flags: num(r.flags) & ~VFIO_REGION_INFO_FLAG_CAPS,
      offset: String(r.offset ?? 0),
      access: "unknown",
      ...(sparse ? { sparse: (sparse.areas ?? []).map((a) => [num(a.offset), num(a.size)] as [number, number]) } : {}),
    };
    if (caps.some((c) => c.name !== "VFIO_REGION_INFO_CAP_SPARSE_MMAP")) region.unknownCaps = true;
    regions.push(region);
  });
  const device: VuDevice = {
    name: `vfio-user server at ${socket}`,
    driver: "libvfio-user",
    info: { flags: num(info.flags), numRegions, numIrqs },
    irqs,
    vuRegions: regions,
    fds: CLIENT_FD_ENV,
    ...(versionJson !== undefined ? { versionJson } : {}),
  };
  verify(bin, socket, device, [...irqMsgs, ...regionMsgs], notes);
  for (const r of regions) if (r.unknownCaps) notes.push(`region ${r.index}: capabilities the model does not know`);
  return { device, notes };
}

/** Replay the probe's requests through the model; mark what it mispredicts. */
function verify(bin: string, socket: string, device: VuDevice, msgs: Uint8Array[], notes: string[]): void {
  const steps: Step[] = [
    { kind: "connect" },
    hello(),
    ...msgs.map((bytes) => ({ kind: "send", bytes, fds: [] }) as Step),
    { kind: "close" },
  ];
  const { script, expect } = plan(new VfioUserModel(device), steps, socket);
  const res = check(expect, runClient(bin, script, 60_000));
  const numIrqMsgs = Math.min(device.info?.numIrqs ?? 0, 64);
  for (const m of res.mismatches) {
    const i = m.step - 2;
    if (i < 0) {
      notes.push(`VERSION: the model's reply differs (${m.got.slice(0, 80)})`);
      continue;
    }
    if (i < numIrqMsgs) {
      notes.push(`irq index ${i}: GET_IRQ_INFO reply differs from the model's`);
      continue;
    }
    const index = i - numIrqMsgs;
    const r = device.vuRegions.find((x) => x.index === index);
    if (r && !r.unknownCaps) {
      r.unknownCaps = true;
      notes.push(`region ${index}: GET_REGION_INFO reply differs from the model's (left out)`);
    }
  }
}
