// Shapes of the generated schema tables (bindings/generated/schema.ts).
export interface SchemaField {
  id: number;
  struct: string;
  /** Dotted path inside the struct, e.g. "header.next". */
  path: string;
  name: string;
  /** Scalar type, or "payload" | "array" | "bytes" for trailing members. */
  type: string;
  /** "ptr" = a user pointer (8 bytes on lp64, 4 on ilp32; `size` is the lp64 one). */
  scalar: "u8" | "u16" | "u32" | "s32" | "u64" | "ptr" | null;
  size: number;
  /** Offset per variant: lp64/6.1, lp64/6.6, ilp32/6.1, ilp32/6.6. */
  offsets: number[];
  since: string | null;
  proposal: string | null;
  version: number;
  flags: string | null;
  enum: string | null;
  of: string | null;
  count: string | null;
  encoding: string | null;
  /** Payload cases: (selector & mask) == value picks a scalar element type, a struct, a byte count or nothing. */
  cases: SchemaCase[] | null;
  aligned: boolean | string | null;
  countLocal: number;
  /** Payload: local index of the selector field. */
  selectorLocal: number;
  /** Other names of the same bytes (C union), each picked by a flag of the ioctl argument. */
  alt: SchemaAlt[] | null;
  /** Array: "needs" = a reply whose argsz cannot hold the elements asks for a larger argsz. */
  short: string | null;
}
export interface SchemaCase {
  mask: number;
  value: number;
  elem?: string;
  struct?: string;
  bytes?: number;
}
export interface SchemaAlt {
  name: string;
  since?: string;
  enum?: string;
  when: { flag: string; in?: string };
}
/** sizeof through the releases: from..until (null = current), per data model. */
export interface SchemaSizeEra {
  from: string;
  until: string | null;
  lp64: number;
  ilp32: number;
}
export interface SchemaStruct {
  id: number;
  name: string;
  kind: "plain" | "info" | "cap" | "message";
  doc: string | null;
  ioctl: string | null;
  cName: string;
  firstField: number;
  nfields: number;
  /** sizeof per variant without / with proposal fields. */
  size: number[];
  sizeProp: number[];
  align: number[];
  minsz: number;
  caps: { host: string; offsetField: string; flag: number; proposal?: string } | null;
  capOffsetLocal: number;
  capId: number;
  host: string | null;
  capName: string | null;
  versions: number[] | null;
  proposal: string | null;
  trailingLocal: number;
  trailingCountLocal: number;
  /** Release that added the struct (null: in every header the project checks). */
  since: string | null;
  /** sizeof through the releases (null for capabilities, which are sized by version). */
  history: SchemaSizeEra[] | null;
}
export interface SchemaPayloadCase {
  field: number;
  kind: "none" | "scalar" | "struct" | "bytes";
  elem: string | null;
  struct: string | null;
  bytes: number;
  mask: number;
  value: number;
}
export interface SchemaCapReg {
  host: string;
  id: number;
  name: string;
  struct: string;
  proposal: string | null;
  maxVersion: number;
}
export interface SchemaBit {
  name: string;
  value: number;
  proposal?: string;
  doc?: string;
  since?: string;
}
/** A multi-bit field inside a flags word (the vfio-user message type). */
export interface SchemaFlagField {
  name: string;
  mask: number;
  values: { name: string; value: number }[];
}
export interface SchemaVfioUserCommand {
  name: string;
  value: number;
  /** Body struct of the request / reply; null: no body; "raw": bytes not modelled. */
  request: string | null;
  reply: string | null;
  requestFds: string;
  replyFds: string;
  /** "client": client -> server; "server": server -> client (DMA_READ/WRITE). */
  direction: string;
}
export interface SchemaEnumValue {
  name: string;
  value: number;
  proposal?: string;
  doc?: string;
  type?: number;
  since?: string;
  ops?: string;
  aliases?: { name: string; until?: string }[];
}
export interface SchemaEnum {
  values?: SchemaEnumValue[];
  proposed?: SchemaEnumValue[];
  count?: { name: string; value: number; since?: string; was?: { value: number; until: string }[] };
  /** A C enum in the header (the others are #defines). */
  cEnum?: boolean;
  /** Names without a header constant (vfio-cdx index 0). */
  labels?: { label: string; value: number }[];
  vendorBit?: { name: string; value: number; mask: string; maskValue: number };
  byType?: Record<string, SchemaEnumValue[]>;
  proposedByType?: Record<string, SchemaEnumValue[]>;
}
export interface SchemaIoctl {
  name: string;
  nr: number;
  fd: string;
  dir: string;
  arg: string | null;
  since?: string;
}
export interface SchemaData {
  proposals: { name: string; bit: number; doc: string; source: string; implies?: string[] }[];
  arches: Record<string, { endian: "little" | "big"; model: "lp64" | "ilp32"; ioctl: string }>;
  epochs: string[];
  flagSets: Record<
    string,
    { bits: SchemaBit[]; proposed: SchemaBit[]; fields?: SchemaFlagField[]; valueMask?: { mask: string; enum: string } }
  >;
  masks: Record<string, number>;
  enums: Record<string, SchemaEnum>;
  structs: SchemaStruct[];
  fields: SchemaField[];
  capreg: SchemaCapReg[];
  cases: SchemaPayloadCase[];
  constants: Record<string, { value: number; doc?: string; since?: string }>;
  strings: Record<string, string>;
  irqIndexByDevice: Record<string, { flag: string; enum: string | null }>;
  headers: string[];
  epochAliases: Record<string, string>;
  ioctlBase: { type: number; base: number };
  ioctls: SchemaIoctl[];
  vfioUser: {
    protocol: { doc: string; headerSize: number; types: { command: number; reply: number } };
    commands: SchemaVfioUserCommand[];
    fdRules: Record<string, { id: number; doc: string }>;
  };
}
