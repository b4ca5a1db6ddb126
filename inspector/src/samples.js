// Samples: the project's golden vectors (bytes from real kernels, gcc and the documented kernel
// rules, plus inputs the codec must reject) and a blank buffer of every struct the schema knows,
// so a struct added to the schema shows up here with nothing else to change.
import { badVectors, vectors } from "../../examples/vectors.mjs";
import * as lib from "./lib.js";

/** What a struct is for, from the ioctl table: a request you send, a reply, or a vfio-user message. */
function roleOf(structName) {
  const s = lib.SCHEMA.structs.find((x) => x.name === structName);
  if (s?.kind === "message") return "message";
  const io = lib.SCHEMA.ioctls.find((i) => i.arg === structName);
  return io?.dir === "in" ? "request" : "reply";
}

export const GROUPS = {
  request: "Requests you send (you → kernel)",
  reply: "Replies and in/out buffers (kernel → you)",
  message: "vfio-user messages",
  broken: "Broken inputs (must be rejected)",
  blank: "A blank buffer of each struct",
};

/** Every sample: {id, label, group, struct, hex, arch, epoch, note}; a golden vector's note says where its bytes come from. */
export function allSamples() {
  const out = [];
  for (const v of vectors)
    out.push({
      id: v.name,
      label: v.name.replace(/_/g, " "),
      group: roleOf(v.struct),
      struct: v.struct,
      hex: v.hex,
      arch: v.arch ?? null,
      epoch: v.epoch ?? null,
      note: v.source,
    });
  for (const v of badVectors)
    out.push({
      id: v.name,
      label: v.name.replace(/_/g, " "),
      group: "broken",
      struct: v.struct,
      hex: v.hex,
      arch: v.arch ?? null,
      epoch: v.epoch ?? null,
      note: `rejected with ${v.code} at offset ${v.offset}${v.field ? ` (${v.field})` : ""}`,
    });
  for (const s of lib.SCHEMA.structs)
    out.push({ id: `blank:${s.name}`, label: s.name, group: "blank", struct: s.name, hex: null, arch: null });
  return out;
}
