// Typed errors. Every decode/encode failure names the byte offset and the field.

import { type ErrorClassName, STATUS_CODES, Status, type StatusName } from "./generated/wasm-abi.js";

export { Status, type StatusName };
export const statusName = (code: number): StatusName | "UNKNOWN" =>
  STATUS_CODES.find((s) => s.value === code)?.name ?? "UNKNOWN";

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
/** Encode: inconsistent or out-of-range values. */
export class EncodeError extends VfioAbiError {}
/** Bad arguments to the API (unknown struct, profile). */
export class UsageError extends VfioAbiError {}
/** vfio-user framing: msg_size, type bits, command, bytes past the message, number of fds. */
export class FramingError extends VfioAbiError {}

const ERROR_CLASS: Record<ErrorClassName, typeof VfioAbiError> = {
  TruncatedError,
  ArgszError,
  PayloadError,
  CapChainError,
  EncodeError,
  UsageError,
  FramingError,
};
/** The error class the contract names for a status code (UsageError for codes it does not know). */
export function errorClassFor(code: number): typeof VfioAbiError {
  const name = STATUS_CODES.find((s) => s.value === code)?.error;
  return name ? ERROR_CLASS[name] : UsageError;
}

/** Text that is not a readable byte dump, or one that could be read more than one way. */
export class DumpError extends VfioAbiError {
  /** 1-based line of the text (0 when the problem is not on one line). */
  readonly line: number;
  constructor(message: string, line: number) {
    super("E_DUMP", message, 0, null);
    this.line = line;
  }
}
