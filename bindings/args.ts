// Argument checks of the public functions, in one place. Each function the package exports declares
// the kinds of its arguments; guard() checks them before the function runs and throws a UsageError
// (E_BAD_ARG) naming the argument, so no public function fails with a TypeError from deep inside.
// Byte arguments are taken as the bytes of any typed-array view, DataView or ArrayBuffer (offset and
// byte length of the view, never its element count).
import { UsageError, VfioAbiError } from "./errors.js";
import { describe, inputBytes } from "./memory.js";

/**
 * name: a string (struct, flag set, enum, command); text: a string; bytes: bytes as above;
 * options: an options object; object: any non-null object; array: an array; integer: a safe
 * integer; int: a number or a bigint; id: a name or an integer; any: checked by the function
 * itself. A trailing "?" allows undefined.
 */
type Kind = "name" | "text" | "bytes" | "options" | "object" | "array" | "integer" | "int" | "id" | "any";
type Spec = `${string}:${Kind}` | `${string}:${Kind}?`;

const isObject = (v: unknown): v is object => v !== null && typeof v === "object";

function kindError(fn: string, arg: string, want: string, v: unknown): UsageError {
  return new UsageError("E_BAD_ARG", `${fn}: ${arg} must be ${want}, not ${describe(v)}`, 0, arg);
}

/** The argument as the function gets it: checked, and bytes made a Uint8Array over the same memory. */
function check(fn: string, arg: string, kind: Kind, v: unknown): unknown {
  switch (kind) {
    case "name":
    case "text":
      if (typeof v !== "string") throw kindError(fn, arg, "a string", v);
      return v;
    case "bytes":
      try {
        return inputBytes(v, arg);
      } catch {
        throw kindError(fn, arg, "bytes (a Uint8Array, another typed array, a DataView or an ArrayBuffer)", v);
      }
    case "options":
      if (!isObject(v) || Array.isArray(v)) throw kindError(fn, arg, "an options object", v);
      return v;
    case "object":
      if (!isObject(v)) throw kindError(fn, arg, "an object", v);
      return v;
    case "array":
      if (!Array.isArray(v)) throw kindError(fn, arg, "an array", v);
      return v;
    case "integer":
      if (!Number.isSafeInteger(v)) throw kindError(fn, arg, "an integer", v);
      return v;
    case "int":
      if (typeof v !== "bigint" && !Number.isSafeInteger(v)) throw kindError(fn, arg, "an integer or a bigint", v);
      return v;
    case "id":
      if (typeof v !== "string" && !Number.isSafeInteger(v)) throw kindError(fn, arg, "a name or an integer", v);
      return v;
    default:
      return v;
  }
}

/** JavaScript's own argument errors: what a malformed argument makes deep inside a function. */
const jsArgumentError = (e: unknown): e is Error =>
  !(e instanceof VfioAbiError) && (e instanceof TypeError || e instanceof RangeError || e instanceof SyntaxError);

/**
 * `f` with its arguments checked against `specs` ("name:kind", "name:kind?"). A TypeError,
 * RangeError or SyntaxError that still escapes (a malformed nested value, such as a span tree
 * with holes) becomes a UsageError naming the function, with the original as its cause.
 */
export function guard<F extends (...args: never[]) => unknown>(fn: string, f: F, ...specs: Spec[]): F {
  const parsed = specs.map((s) => {
    const [arg, k] = s.split(":");
    const optional = k.endsWith("?");
    return { arg, kind: (optional ? k.slice(0, -1) : k) as Kind, optional };
  });
  const g = function (this: unknown, ...args: unknown[]): unknown {
    for (let i = 0; i < parsed.length; i++) {
      const p = parsed[i];
      if (args[i] === undefined && p.optional) continue;
      args[i] = check(fn, p.arg, p.kind, args[i]);
    }
    try {
      return f.apply(this, args as never[]);
    } catch (e) {
      if (!jsArgumentError(e)) throw e;
      const u = new UsageError("E_BAD_ARG", `${fn}: bad argument (${e.message})`, 0, null);
      (u as { cause?: unknown }).cause = e;
      throw u;
    }
  };
  Object.defineProperty(g, "name", { value: fn });
  return g as unknown as F;
}
