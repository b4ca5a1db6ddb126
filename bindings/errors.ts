// Typed errors. Every decode/encode failure names the byte offset and the field.

/** Status codes of the wasm export ABI (assembly/status.ts). */
export const Status = {
  OK: 0,
  NEEDS_ARGSZ: 1,
  E_SHORT: -1,
  E_ARGSZ_MIN: -2,
  E_ARGSZ_OVER: -3,
  E_PAYLOAD_SHORT: -4,
  E_CAP_INTO_HEADER: -5,
  E_CAP_BACKWARDS: -6,
  E_CAP_SELF: -7,
  E_CAP_LOOP: -8,
  E_CAP_PAST_END: -9,
  E_CAP_MISALIGNED: -10,
  E_CAP_TOO_MANY: -11,
  E_CAP_ARRAY_OVERRUN: -12,
  E_CAP_OVERLAP: -13,
  E_MSG_SIZE_MIN: -14,
  E_MSG_SIZE_OVER: -15,
  E_MSG_TYPE: -16,
  E_MSG_COMMAND: -17,
  E_MSG_TRAILING: -18,
  E_MSG_FDS: -19,
  E_RANGE: -20,
  E_OUT_FULL: -21,
  E_BAD_ARG: -22,
  E_VALUE: -23,
  E_NO_MEMORY: -24,
} as const;
export type StatusName = keyof typeof Status;
export const statusName = (code: number): StatusName | "UNKNOWN" =>
  (Object.keys(Status) as StatusName[]).find((k) => Status[k] === code) ?? "UNKNOWN";

export class VfioAbiError extends Error {
  /** Status name, e.g. "E_CAP_LOOP". */
  readonly code: string;
  /** Byte offset the problem was found at. */
  readonly offset: number;
  /** Field path, e.g. "argsz", "header.next", "data". */
  readonly field: string | null;
  /** Whatever decoded before the failure (a partial tree), when available. */
  partial?: unknown;
  constructor(code: string, message: string, offset: number, field: string | null) {
    super(message);
    this.name = new.target.name;
    this.code = code;
    this.offset = offset;
    this.field = field;
  }
}
/** The buffer ends inside a required field. */
export class TruncatedError extends VfioAbiError {}
/** argsz is below minsz or above the bytes supplied. */
export class ArgszError extends VfioAbiError {}
/** vfio_irq_set payload shorter than count x element size. */
export class PayloadError extends VfioAbiError {}
/** Capability chain problems: into the header, backwards, self, loop, past the end, misaligned, overlap, arrays. */
export class CapChainError extends VfioAbiError {}
/** vfio-user framing: msg_size, type bits, command, bytes past the message, number of fds. */
export class FramingError extends VfioAbiError {}
/** Encode: inconsistent or out-of-range values. */
export class EncodeError extends VfioAbiError {}
/** Bad arguments to the API (unknown struct, profile). */
export class UsageError extends VfioAbiError {}

export function errorClassFor(code: number): typeof VfioAbiError {
  if (code === Status.E_SHORT) return TruncatedError;
  if (code === Status.E_ARGSZ_MIN || code === Status.E_ARGSZ_OVER) return ArgszError;
  if (code === Status.E_PAYLOAD_SHORT) return PayloadError;
  if (code <= -5 && code >= -13) return CapChainError;
  if (code <= -14 && code >= -19) return FramingError;
  if (code === Status.E_VALUE || code === Status.E_OUT_FULL) return EncodeError;
  return UsageError;
}
