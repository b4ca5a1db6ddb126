// Shapes of the generated schema tables (bindings/generated/schema.ts).
export interface SchemaField {
  id: number;
  struct: string;
  /** Dotted path inside the struct, e.g. "header.next". */
  path: string;
  name: string;
  /** Scalar type, or "payload" | "array" | "bytes" for trailing members. */
  type: string;
  scalar: "u8" | "u16" | "u32" | "s32" | "u64" | null;
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
  cases: { flag: number; elem: string | null }[] | null;
  aligned: boolean | string | null;
  countLocal: number;
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
}
export interface SchemaEnum {
  values?: SchemaEnumValue[];
  proposed?: SchemaEnumValue[];
  count?: { name: string; value: number };
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
  flagSets: Record<string, { bits: SchemaBit[]; proposed: SchemaBit[]; fields?: SchemaFlagField[] }>;
  masks: Record<string, number>;
  enums: Record<string, SchemaEnum>;
  structs: SchemaStruct[];
  fields: SchemaField[];
  capreg: SchemaCapReg[];
  ioctlBase: { type: number; base: number };
  ioctls: SchemaIoctl[];
  vfioUser: {
    protocol: { doc: string; headerSize: number; types: { command: number; reply: number } };
    commands: SchemaVfioUserCommand[];
    fdRules: Record<string, { id: number; doc: string }>;
  };
}
