// Which ioctl argument (or vfio-user message) are these bytes? A ranking of every struct that
// starts with argsz (and the message framing) in both byte orders, scored by how well the bytes
// fit: they decode, argsz equals the buffer or the struct's size, the payload matches count, no
// warnings. Used by the inspector's "guess" line and when a binary file is opened.
import { inspect, type InspectResult } from "./decode.js";
import { SIZEOF_VFIO_IRQ_SET } from "./generated/constants.js";
import { SCHEMA } from "./generated/schema.js";
import { wasm } from "./loader.js";
import { resolveProfile } from "./profile.js";
import { irqSetElementSize } from "./schema-index.js";
import type { Endian, ProfileOptions } from "./types.js";

export interface StructGuess {
  struct: string;
  endian: Endian;
  score: number;
  ok: boolean;
  /** argsz as read under this guess (msg_size for a vfio-user message), if the bytes hold it. */
  argsz: number | null;
  /** The struct's fixed size under the profile. */
  fixed: number;
}

export interface GuessOptions extends ProfileOptions {
  /** The struct the caller has chosen: failing only inside its capability chain still favours it. */
  current?: string;
}

/** A score at or above this means "these bytes decode cleanly as that struct". */
export const CONFIDENT_GUESS = 5;
/** argsz values above this are unlikely in a real ioctl argument. */
const PLAUSIBLE_ARGSZ = 4096;
/** Known capabilities counted towards a guess (a long chain says no more than a few). */
const MAX_CAPS_SCORED = 4;

function score(
  s: (typeof SCHEMA.structs)[number],
  r: InspectResult,
  bytes: Uint8Array,
  fixed: number,
  o: GuessOptions,
) {
  const v = r.value as Record<string, unknown> & { caps?: { name?: string | null }[] };
  const size = s.kind === "message" ? v.msg_size : v.argsz;
  const argsz = typeof size === "number" ? size : null;
  let n = r.ok ? 10 : -10;
  if (argsz === bytes.length) n += 3;
  if (argsz !== null && argsz > PLAUSIBLE_ARGSZ) n -= 8;
  n -= 4 * r.diagnostics.filter((d) => d.severity === "warning").length;
  if (argsz === fixed) n += 2;
  if (bytes.length < s.minsz) n -= 5;
  if (s.name === "vfio_irq_set" && r.ok) {
    const elem = irqSetElementSize(Number(v.flags));
    if (elem && argsz === SIZEOF_VFIO_IRQ_SET + Number(v.count) * elem) n += 3;
  }
  // capabilities with known ids are strong evidence, even when the chain breaks later on
  const knownCaps = Math.min((v.caps ?? []).filter((c) => c.name).length, MAX_CAPS_SCORED);
  n += 3 * knownCaps;
  if (!r.ok && s.name === o.current && knownCaps) n += 20;
  return { score: n, argsz };
}

/** Every candidate, best first. */
export function guessStruct(bytes: Uint8Array, o: GuessOptions = {}): StructGuess[] {
  const base = resolveProfile(o);
  const out: StructGuess[] = [];
  for (const s of SCHEMA.structs) {
    if (s.kind !== "info" && s.kind !== "message") continue;
    for (const endian of ["little", "big"] as const) {
      const prof = { ...o, arch: undefined, endian, model: base.model };
      let r: InspectResult;
      try {
        r = inspect(s.name, bytes, prof) as unknown as InspectResult;
      } catch {
        continue;
      }
      const fixed = wasm().struct_size(s.id, resolveProfile(prof).word);
      const { score: n, argsz } = score(s, r, bytes, fixed, o);
      // the byte order the caller chose breaks ties
      out.push({ struct: s.name, endian, score: n + (endian === base.endian ? 0.5 : 0), ok: r.ok, argsz, fixed });
    }
  }
  return out.sort((a, b) => b.score - a.score);
}
