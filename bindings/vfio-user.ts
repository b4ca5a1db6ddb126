// vfio-user messages (QEMU docs/interop/vfio-user.rst): a 16-byte header, then the body its
// command selects — the same VFIO structs as the ioctls, bounded by msg_size instead of argsz.
// fds travel out of band (SCM_RIGHTS); a decoded message says how many the receiver expects.
//
// decode("vfio_user_message", bytes) / inspect() / encode() handle messages like any other struct;
// the header is parsed by the wasm core (framing checks, command table, fds expected), the body by
// a second parse of its struct in message mode.
import {
  inspectStruct,
  type InspectResult,
  type SpanNode,
  type Diagnostic,
  type RawRecord,
  type BodyMode,
  K,
} from "./decode.js";
import { encodeStruct } from "./encode.js";
import { bytesOf, intOf } from "./encode-check.js";
import { checkSize, describe } from "./memory.js";
import { structByName, structById, structFields, type SchemaStruct } from "./schema-index.js";
import { SCHEMA } from "./generated/schema.js";
import {
  VFIO_USER_F_TYPE_COMMAND,
  VFIO_USER_F_TYPE_REPLY,
  VFIO_USER_F_TYPE_MASK,
  VFIO_USER_F_NO_REPLY,
  VFIO_USER_F_ERROR,
  VFIO_IRQ_SET_DATA_TYPE_MASK,
  VFIO_IRQ_SET_DATA_EVENTFD,
  O_VFIO_IRQ_SET__DATA,
  SIZEOF_VFIO_USER_MESSAGE,
} from "./generated/constants.js";
import { FDS, REC_NO_REF, PROF_MSG_REPLY } from "./generated/wasm-abi.js";
import { Status, statusName, errorClassFor, EncodeError, UsageError, type VfioAbiError } from "./errors.js";
import { errnoName } from "./oracle/model/model.js";
import type { DecodeOptions, EncodeOptions, DecodeMeta } from "./types.js";

export const MESSAGE_STRUCT = "vfio_user_message";
/** Size of the header every message starts with (msg_size counts it). */
/** Bytes of the message header: struct vfio_user_message (the schema's protocol header size). */
export const HEADER_SIZE = SIZEOF_VFIO_USER_MESSAGE;
export {
  VFIO_USER_F_TYPE_COMMAND,
  VFIO_USER_F_TYPE_REPLY,
  VFIO_USER_F_TYPE_MASK,
  VFIO_USER_F_NO_REPLY,
  VFIO_USER_F_ERROR,
};

/** Command number by name (VFIO_USER_DEVICE_SET_IRQS or DEVICE_SET_IRQS) or number. */
export function commandNumber(c: string | number): number {
  if (typeof c === "number" && Number.isSafeInteger(c)) return c;
  if (typeof c !== "string")
    throw new UsageError("E_BAD_ARG", `command must be a name or a number, not ${describe(c)}`, 0, "command");
  const n = c.trim().toUpperCase();
  const hit = SCHEMA.vfioUser.commands.find((x) => x.name === n || x.name === `VFIO_USER_${n}`);
  if (!hit)
    throw new UsageError(
      "E_BAD_ARG",
      `unknown vfio-user command ${c} (known: ${SCHEMA.vfioUser.commands.map((x) => x.name).join(", ")})`,
      0,
      "command",
    );
  return hit.value;
}
export const commandName = (n: number): string | null =>
  SCHEMA.vfioUser.commands.find((x) => x.value === n)?.name ?? null;
export const commandInfo = (n: number) => SCHEMA.vfioUser.commands.find((x) => x.value === n) ?? null;

/** How many fds (SCM_RIGHTS) the receiver expects with a message. */
export interface FdExpectation {
  /** The number that goes with the message as intended (SET_IRQS DATA_EVENTFD: count). */
  expected: number;
  /** No fds is also valid, with another meaning (SET_IRQS DATA_EVENTFD: de-assign the range). */
  orNone: boolean;
  /** Any number from 0 up to `expected`. */
  upTo: boolean;
  /** Any number at all. */
  any: boolean;
  description: string;
  /** With the `fds` decode option: how many arrived, and whether that fits. */
  received?: number;
  ok?: boolean;
}

export interface MessageMeta {
  type: "command" | "reply";
  command: string | null;
  noReply: boolean;
  error: boolean;
  /** errno name of an error reply's error_no (null when 0 or not an error reply). */
  errno: string | null;
  /** The body's struct name, "raw" (bytes not modelled) or null (no body). */
  body: string | null;
  fds: FdExpectation;
}

export interface MessageDecodeOptions extends DecodeOptions {
  /** How many fds arrived with the message (SCM_RIGHTS): checked against what the message expects. */
  fds?: number;
}

export function fdsAccept(e: FdExpectation, n: number): boolean {
  return e.any || n === e.expected || (e.orNone && n === 0) || (e.upTo && n <= e.expected);
}

function fdExpectation(rec: RawRecord | undefined): FdExpectation {
  const n = rec?.aux ?? 0,
    f = Number(rec?.value ?? 0n);
  const e = { expected: n, orNone: !!(f & FDS.OR_NONE), upTo: !!(f & FDS.UP_TO), any: !!(f & FDS.ANY) };
  const fd = (k: number) => `${k} fd${k === 1 ? "" : "s"}`;
  const description = e.any
    ? "any number of fds"
    : e.upTo
      ? `0 to ${fd(n)}`
      : e.orNone
        ? `${fd(n)} (one eventfd per vector), or none to de-assign the vectors`
        : fd(n);
  return { ...e, description };
}

const shift = (n: SpanNode, by: number, prefix: string): SpanNode => ({
  ...n,
  offset: n.offset + by,
  depth: n.depth + 1,
  path: n.path ? `${prefix}.${n.path}` : prefix,
  key: [prefix, ...n.key],
});

/** What inspectMessage() builds: the header's inspection, added to by the message meta and the body. */
interface MessageInspection {
  value: Record<string, unknown> & { $: DecodeMeta & { message?: MessageMeta } };
  nodes: SpanNode[];
  diagnostics: Diagnostic[];
  error: VfioAbiError | undefined;
  status: number;
}

const warn = (
  m: MessageInspection,
  code: string,
  message: string,
  offset: number,
  size: number,
  field: string | null,
) => m.diagnostics.push({ severity: "warning", code, message, offset, size, field });

/** inspect() of a vfio-user message: never throws on bad bytes. */
export function inspectMessage(
  bytes: Uint8Array,
  opts: MessageDecodeOptions = {},
): InspectResult<Record<string, unknown>> {
  const extra: RawRecord[] = [];
  const r = inspectStruct(structByName(MESSAGE_STRUCT), bytes, opts, extra);
  const m: MessageInspection = {
    value: r.value as MessageInspection["value"],
    nodes: r.nodes,
    diagnostics: r.diagnostics,
    error: r.error,
    status: r.status,
  };
  const bodyRec = extra.find((x) => x.kind === K.BODY);
  const fdsRec = extra.find((x) => x.kind === K.FDS);
  if (fdsRec) messageMeta(m, fdsRec, opts);
  if (bodyRec?.ref === REC_NO_REF) rawBody(m, bytes, bodyRec);
  else if (bodyRec) structBody(m, bytes, bodyRec, opts);
  const { value, nodes, diagnostics, error, status } = m;
  if (error) error.partial = value;
  return { ok: status >= 0, status, value: value as never, nodes, diagnostics, error };
}

/** The header's meaning (value.$.message): type, command, flags, errno and the fds it expects and got. */
function messageMeta(m: MessageInspection, fdsRec: RawRecord, opts: MessageDecodeOptions): void {
  const value = m.value;
  const flags = typeof value.flags === "number" ? value.flags : 0;
  const reply = (flags & VFIO_USER_F_TYPE_MASK) === VFIO_USER_F_TYPE_REPLY;
  const cmd = Number(value.command);
  const errnoVal = Number(value.error_no ?? 0);
  const isError = reply && !!(flags & VFIO_USER_F_ERROR);
  const meta: MessageMeta = {
    type: reply ? "reply" : "command",
    command: commandName(cmd),
    noReply: !!(flags & VFIO_USER_F_NO_REPLY),
    error: isError,
    errno: isError && errnoVal ? errnoName(errnoVal) : null,
    body: null,
    fds: fdExpectation(fdsRec),
  };
  value.$.message = meta;
  if (reply && meta.noReply)
    warn(
      m,
      "NO_REPLY_IN_REPLY",
      "a reply has the No_reply bit set (it only means something in a command)",
      8,
      4,
      "flags",
    );
  if (!reply && flags & VFIO_USER_F_ERROR)
    warn(m, "ERROR_IN_COMMAND", "a command has the Error bit set (it only means something in a reply)", 8, 4, "flags");
  if (!reply && errnoVal)
    warn(m, "ERROR_NO_IN_COMMAND", `error_no ${errnoVal} in a command: the field is reserved there`, 12, 4, "error_no");
  if (reply && !isError && errnoVal)
    warn(m, "ERROR_NO_WITHOUT_ERROR", `error_no ${errnoVal} without the Error bit: ignored`, 12, 4, "error_no");
  if (opts.fds === undefined) return;
  meta.fds.received = opts.fds;
  meta.fds.ok = fdsAccept(meta.fds, opts.fds);
  if (meta.fds.ok) return;
  const msg = `${opts.fds} fd${opts.fds === 1 ? "" : "s"} passed, ${meta.command} ${meta.type} expects ${meta.fds.description}`;
  m.diagnostics.push({
    severity: "error",
    code: "E_MSG_FDS",
    message: msg,
    offset: 0,
    size: HEADER_SIZE,
    field: "$fds",
  });
  m.error ??= new (errorClassFor(Status.E_MSG_FDS))("E_MSG_FDS", msg, 0, "$fds");
  if (m.status >= 0) m.status = Status.E_MSG_FDS;
}

/** A body the schema does not model (or one where none belongs): its bytes, and why they are odd. */
function rawBody(m: MessageInspection, bytes: Uint8Array, bodyRec: RawRecord): void {
  const at = bodyRec.offset,
    body = bytes.subarray(at, at + bodyRec.size);
  const meta = m.value.$.message!;
  m.value.body = body.slice();
  // the body code: 0 no body, REC_NO_REF raw bytes (not modelled)
  meta.body = bodyRec.value === BigInt(REC_NO_REF) ? "raw" : null;
  m.nodes.push({
    path: "body",
    key: ["body"],
    kind: "elem",
    offset: at,
    size: body.length,
    depth: 1,
    label: `${body.length} body bytes${meta.body ? " (not modelled)" : ""}`,
  });
  if (meta.error)
    warn(
      m,
      "ERROR_REPLY_BODY",
      `an error reply carries ${body.length} body bytes: the reply to a failed command holds only the header`,
      at,
      body.length,
      "body",
    );
  else if (!meta.body)
    warn(
      m,
      "UNEXPECTED_BODY",
      `${meta.command} ${meta.type} has no body, but ${body.length} bytes follow the header`,
      at,
      body.length,
      "body",
    );
}

/** A modelled body: inspected as its struct, its spans, diagnostics and error moved under "body". */
function structBody(m: MessageInspection, bytes: Uint8Array, bodyRec: RawRecord, opts: MessageDecodeOptions): void {
  const at = bodyRec.offset,
    body = bytes.subarray(at, at + bodyRec.size);
  const mode: BodyMode = bodyRec.aux === PROF_MSG_REPLY ? "reply" : "request";
  const bs = structById(bodyRec.ref) as SchemaStruct;
  m.value.$.message!.body = bs.name;
  const b = inspectStruct(bs, body, { ...opts, message: mode });
  m.value.body = b.value;
  m.nodes.push(...b.nodes.map((n) => shift(n, at, "body")));
  for (const d of b.diagnostics)
    m.diagnostics.push({ ...d, offset: d.offset + at, field: d.field ? `body.${d.field}` : "body" });
  if (b.error && !m.error) {
    const Cls = b.error.constructor as typeof VfioAbiError;
    m.error = new Cls(
      b.error.code,
      b.error.message,
      b.error.offset + at,
      b.error.field ? `body.${b.error.field}` : "body",
    );
    m.status = b.status;
  }
  if (b.status === Status.NEEDS_ARGSZ && m.status >= 0) m.status = Status.NEEDS_ARGSZ;
  const json = versionJson(bs, m.value.body as Record<string, unknown>, at, m.diagnostics);
  if (json !== undefined) (m.value.body as Record<string, unknown>).json = json;
}

/** VERSION data: NUL-terminated UTF-8 JSON. Returns the parsed object (undefined when absent/bad). */
function versionJson(s: SchemaStruct, body: Record<string, unknown>, at: number, diagnostics: Diagnostic[]): unknown {
  if (s.name !== "vfio_user_version" || !(body.data instanceof Uint8Array) || body.data.length === 0) return undefined;
  const data = body.data,
    off = at + 4;
  const bad = (message: string) => {
    diagnostics.push({
      severity: "warning",
      code: "VERSION_JSON",
      message,
      offset: off,
      size: data.length,
      field: "body.data",
    });
    return undefined;
  };
  if (data[data.length - 1] !== 0)
    return bad("the version data is not NUL-terminated (libvfio-user rejects it with EINVAL)");
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(data.subarray(0, data.length - 1));
  } catch {
    return bad("the version data is not UTF-8");
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    return bad(`the version data is not JSON: ${(e as Error).message}`);
  }
}

/** Decode a vfio-user message; throws a typed error (FramingError, ArgszError, ...) with .partial. */
export function decodeMessage(
  bytes: Uint8Array,
  opts: MessageDecodeOptions = {},
): Record<string, unknown> & { body?: unknown; $: DecodeMeta & { message?: MessageMeta } } {
  const r = inspectMessage(bytes, opts);
  if (r.error) throw r.error;
  return r.value as never;
}

/** A message to encode: header fields (msg_size computed unless given) and the body value or bytes. */
export interface MessageValue {
  msg_id?: number;
  command: number | string;
  /** Type bits + NO_REPLY / ERROR; default: a command (0). */
  flags?: number;
  error_no?: number;
  /** Default 16 + body length; give it to make msg_size lie. */
  msg_size?: number;
  /** The body struct's value (as decode returns it) or raw bytes. */
  body?: Record<string, unknown> | Uint8Array;
  $?: Partial<DecodeMeta>;
}

/** The body struct of a command for a direction (null: none; "raw"). */
export function bodyStructOf(command: number, reply: boolean, error = false): string | null {
  if (error) return null;
  const c = commandInfo(command);
  if (!c) return null;
  return reply ? c.reply : c.request;
}

/** Encode a vfio-user message. */
export function encodeMessage(v: MessageValue, opts: EncodeOptions = {}): Uint8Array {
  if (!v || typeof v !== "object")
    throw new UsageError("E_BAD_ARG", "encode vfio_user_message: value must be an object", 0, null);
  const command = commandNumber(v.command as string | number);
  const flags = Number(intOf(v.flags ?? 0, "u32", "flags"));
  const reply = (flags & VFIO_USER_F_TYPE_MASK) === VFIO_USER_F_TYPE_REPLY;
  let body: Uint8Array = new Uint8Array(0);
  if (v.body instanceof Uint8Array) body = v.body;
  else if (v.body !== undefined) {
    const name = bodyStructOf(command, reply, reply && !!(flags & VFIO_USER_F_ERROR));
    if (!name || name === "raw")
      throw new EncodeError(
        "E_VALUE",
        `${commandName(command) ?? `command ${command}`} ${reply ? "reply" : "request"} has no modelled body: pass the body as bytes`,
        HEADER_SIZE,
        "body",
      );
    body = encodeBody(structByName(name), v.body, opts, reply ? "reply" : "request");
  }
  const hdr = {
    msg_id: v.msg_id ?? 0,
    command,
    msg_size: v.msg_size ?? HEADER_SIZE + body.length,
    flags,
    error_no: v.error_no ?? 0,
  };
  const head = encodeStruct(structByName(MESSAGE_STRUCT), hdr, opts);
  const tail = v.$?.tail === undefined || v.$?.tail === null ? new Uint8Array(0) : bytesOf(v.$.tail, "$.tail");
  checkSize(HEADER_SIZE + body.length + tail.length, opts, "encode vfio_user_message");
  const out = new Uint8Array(HEADER_SIZE + body.length + tail.length);
  out.set(head.subarray(0, HEADER_SIZE));
  out.set(body, HEADER_SIZE);
  out.set(tail, HEADER_SIZE + body.length);
  return out;
}

/** Encode a message body: the struct, then its trailing data bytes (region data, VERSION JSON). */
export function encodeBody(
  s: SchemaStruct,
  value: Record<string, unknown>,
  opts: EncodeOptions,
  _mode: BodyMode,
): Uint8Array {
  const v = { ...value };
  if (s.name === "vfio_irq_set" && (Number(v.flags ?? 0) & VFIO_IRQ_SET_DATA_TYPE_MASK) === VFIO_IRQ_SET_DATA_EVENTFD) {
    if (Array.isArray(v.data) && v.data.length)
      throw new EncodeError(
        "E_VALUE",
        "vfio-user passes eventfds out of band (SCM_RIGHTS): send them with the message, not in data[]",
        O_VFIO_IRQ_SET__DATA,
        "body.data",
      );
    delete v.data;
  }
  const tf = structFields(s).find((f) => f.type === "bytes");
  if (!tf) return encodeStruct(s, v, opts);
  let data = v[tf.name] as Uint8Array | undefined;
  if (s.name === "vfio_user_version" && data === undefined && v.json !== undefined)
    data = new TextEncoder().encode(`${JSON.stringify(v.json)}\0`);
  data ??= new Uint8Array(0);
  delete v[tf.name];
  delete v.json;
  if (tf.count && v[tf.count] === undefined) v[tf.count] = data.length;
  const fixed = encodeStruct(s, v, opts);
  const off = tf.offsets[0];
  const out = new Uint8Array(Math.max(fixed.length, off + data.length));
  out.set(fixed);
  out.set(data, off);
  return out;
}

/** Split a byte stream into messages by msg_size. `rest` holds an incomplete last message. */
export function splitMessages(
  bytes: Uint8Array,
  opts: { endian?: "little" | "big" } = {},
): { messages: Uint8Array[]; rest: Uint8Array; error?: string } {
  const le = (opts.endian ?? "little") === "little";
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const messages: Uint8Array[] = [];
  let off = 0;
  while (off < bytes.length) {
    if (bytes.length - off < HEADER_SIZE) return { messages, rest: bytes.subarray(off) };
    const size = dv.getUint32(off + 4, le);
    if (size < HEADER_SIZE)
      return {
        messages,
        rest: bytes.subarray(off),
        error: `${statusName(Status.E_MSG_SIZE_MIN)}: msg_size ${size} at ${off}`,
      };
    if (off + size > bytes.length) return { messages, rest: bytes.subarray(off) };
    messages.push(bytes.subarray(off, off + size));
    off += size;
  }
  return { messages, rest: bytes.subarray(off) };
}
