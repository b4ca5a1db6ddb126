// The caller's ioctl argument as the kernel sees it: copy_from_user / copy_to_user over the bytes
// supplied, and over whatever lies after them. `beyond` says what that is: "fault" (unmapped, so
// EFAULT) or a byte value (mapped memory filled with it, e.g. the replay program's 0xA5 guard).
import { KErr } from "./kerr.js";

export type Beyond = "fault" | number;

export class UserBuf {
  readonly input: Uint8Array;
  readonly out: Uint8Array;
  private past = new Map<number, number>();
  wrote = false;
  constructor(bytes: Uint8Array, readonly beyond: Beyond = "fault", readonly little = true) {
    this.input = bytes;
    this.out = bytes.slice();
  }
  get length(): number { return this.input.length; }

  /** copy_from_user of n bytes at off (reads see the caller's bytes, not the kernel's writes). */
  read(off: number, n: number, what: string): Uint8Array {
    const r = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const p = off + i;
      if (p < this.input.length) r[i] = this.input[p];
      else if (this.beyond === "fault") throw new KErr("EFAULT", "copy.read-past-buffer", `reading ${what} (${n} bytes at ${off}) runs past the ${this.input.length} bytes supplied`, "copy");
      else r[i] = this.past.get(p) ?? this.beyond;
    }
    return r;
  }
  u32(off: number, what: string): number {
    const b = this.read(off, 4, what);
    return new DataView(b.buffer).getUint32(0, this.little);
  }

  /** copy_to_user. */
  write(off: number, data: Uint8Array, what: string): void {
    for (let i = 0; i < data.length; i++) {
      const p = off + i;
      if (p < this.out.length) this.out[p] = data[i];
      else if (this.beyond === "fault") throw new KErr("EFAULT", "copy.write-past-buffer", `writing ${what} (${data.length} bytes at ${off}) runs past the ${this.input.length} bytes supplied`, "copy");
      else this.past.set(p, data[i]);
    }
    this.wrote = true;
  }

  /** Bytes written past the end of the buffer supplied: offset (from the buffer start) and bytes. */
  pastEnd(): { offset: number; bytes: Uint8Array } | undefined {
    if (!this.past.size) return undefined;
    const offs = [...this.past.keys()].sort((a, b) => a - b);
    const first = offs[0], last = offs[offs.length - 1];
    const bytes = new Uint8Array(last - first + 1);
    for (let p = first; p <= last; p++) bytes[p - first] = this.past.get(p) ?? (this.beyond === "fault" ? 0 : this.beyond);
    return { offset: first, bytes };
  }
}

/** Little helper to lay out u32/u64 fields into a byte array. */
export function packer(size: number, little: boolean) {
  const b = new Uint8Array(size);
  const dv = new DataView(b.buffer);
  return {
    bytes: b,
    u16: (off: number, v: number) => dv.setUint16(off, v, little),
    u32: (off: number, v: number) => dv.setUint32(off, v >>> 0, little),
    u64: (off: number, v: bigint) => dv.setBigUint64(off, BigInt.asUintN(64, v), little),
  };
}
