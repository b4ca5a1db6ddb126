// Numeric options of the test scripts (seeds, counts): a whole number in range or a usage error
// (exit 2), never NaN read as 0. `--seed abc` must not quietly run seed 0.

/** The whole number an option gives (decimal, 0x hex, or 1e9 notation), or `dflt` when absent. */
export function intArg(script, name, text, dflt, min = 0, max = Number.MAX_SAFE_INTEGER) {
  if (text === undefined) return dflt;
  const t = String(text).trim();
  const n = /^0x[0-9a-f]+$/i.test(t) ? Number.parseInt(t, 16) : /^(\d+|\d+(\.\d+)?e\d+)$/i.test(t) ? Number(t) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    console.error(`${script}: ${name} wants a whole number from ${min} to ${max}, not ${JSON.stringify(text)}`);
    process.exit(2);
  }
  return n;
}

/** A seed: a u32. */
export const seedArg = (script, name, text, dflt) => intArg(script, name, text, dflt, 0, 0xffffffff);
