// Hex helpers. toHex prints lowercase digits; fromHex (bindings/dump.ts) reads plain hex in
// memory order, and parseDump every dump format the CLI and the inspector accept.
export {
  fromHex,
  parseDump,
  detectFormat,
  DUMP_FORMATS,
  type Dump,
  type DumpFormat,
  type DumpOptions,
} from "./dump.js";

export function toHex(b: Uint8Array): string {
  let s = "";
  for (let i = 0; i < b.length; i++) s += (b[i] < 16 ? "0" : "") + b[i].toString(16);
  return s;
}
