// What one build of the API makes of a golden vector: the decoded value as JSON, or the typed error it
// throws (class, code, offset, field). Builds that must agree (unbundled, bundle, Node entry) are
// compared on this.
import { bytesOf } from "../vectors/golden.mjs";

/** `onError` sees the error before it is summarised (to check its class). */
export function goldenOutcome(lib, v, onError) {
  try {
    return lib.toJSONValue(lib.decode(v.struct, bytesOf(v.hex), { arch: v.arch, epoch: v.epoch }));
  } catch (e) {
    onError?.(e);
    return `${e.constructor.name} ${e.code} ${e.offset} ${e.field}`;
  }
}
