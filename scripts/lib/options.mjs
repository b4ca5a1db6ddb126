// The command lines of the scripts, test runners and benches: node:util parseArgs, strict. A bad
// command line is a usage error (exit 2) that names the option, never a stack trace, and a numeric
// option is a whole number in range, never NaN read as 0 (`--seed abc` must not quietly run seed 0).
import { parseArgs } from "node:util";

/** Print `script: message` and the usage line, exit 2. */
export function usageError(script, message, usage) {
  console.error(`${script}: ${message}${usage ? `\nusage: ${usage}` : ""}`);
  process.exit(2);
}

/**
 * parseArgs({ options, allowPositionals }) on this process's arguments (or `args`), strict: an
 * unknown option, an option without its value, a value given to a flag or a stray argument is a
 * usage error naming it. `--help` / `-h` prints the usage and exits 0.
 */
export function parseOptions(script, { usage, options, allowPositionals = false }, args = process.argv.slice(2)) {
  const config = { args, options: { help: { type: "boolean", short: "h" }, ...options }, allowPositionals };
  let parsed;
  try {
    parsed = parseArgs({ ...config, strict: true });
  } catch (e) {
    if (!String(e?.code).startsWith("ERR_PARSE_ARGS")) throw e;
    usageError(script, e.message, usage);
  }
  if (parsed.values.help) {
    console.log(`usage: ${usage}`);
    process.exit(0);
  }
  return parsed;
}

/** The whole number an option gives (decimal, 0x hex, or 1e9 notation), or `dflt` when absent. */
export function intArg(script, name, text, dflt, min = 0, max = Number.MAX_SAFE_INTEGER) {
  if (text === undefined) return dflt;
  const t = String(text).trim();
  const n = /^0x[0-9a-f]+$/i.test(t) ? Number.parseInt(t, 16) : /^(\d+|\d+(\.\d+)?e\d+)$/i.test(t) ? Number(t) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max)
    usageError(script, `${name} wants a whole number from ${min} to ${max}, not ${JSON.stringify(text)}`);
  return n;
}

/** A seed: a u32. */
export const seedArg = (script, name, text, dflt) => intArg(script, name, text, dflt, 0, 0xffffffff);

/** A range of seeds `A..B` (A <= B, both u32), as the list A, A+1, ..., B. */
export function seedRange(script, name, text) {
  const m = /^(\d+)\.\.(\d+)$/.exec(String(text).trim());
  const [a, b] = m ? [Number(m[1]), Number(m[2])] : [];
  if (!m || b < a || b > 0xffffffff) usageError(script, `${name} wants A..B (A <= B), not ${JSON.stringify(text)}`);
  return Array.from({ length: b - a + 1 }, (_, i) => a + i);
}

/** A comma-separated list whose every item is one of `allowed`; `all` (when allowed) is all of them. */
export function listArg(script, name, text, allowed) {
  const items = text === "all" ? allowed : String(text).split(",");
  const bad = items.find((x) => !allowed.includes(x));
  if (bad !== undefined) usageError(script, `${name}: unknown ${JSON.stringify(bad)} (want ${allowed.join(", ")})`);
  return items;
}
