// Command-line arguments: parseArgs with readable errors, "did you mean" for options, and numeric
// options that are checked (--seconds x, --seed abc and --port 1e9 are usage errors, not 0).
import { parseArgs, type ParseArgsConfig } from "node:util";
import { suggestion } from "./suggest.js";

/** A mistake in how a command was called: printed with a pointer to --help, exit status 2. */
export class CliUsageError extends Error {
  override name = "CliUsageError";
}

/** A usage error from any copy of the CLI's modules (the bundled CLI and the modules it loads on demand
 *  from dist/bindings each have their own classes, so instanceof alone cannot tell). */
export const isUsageError = (e: unknown): e is Error =>
  e instanceof Error && (e.name === "CliUsageError" || e.name === "UsageError");

/** parseArgs (strict, positionals allowed) whose errors are CliUsageErrors naming the closest option. */
type Options = NonNullable<ParseArgsConfig["options"]>;
type Parsed<O extends Options> = ReturnType<
  typeof parseArgs<{ args: string[]; options: O; allowPositionals: true; strict: true }>
>;
export function parseCommandArgs<O extends Options>(argv: string[], options: O): Parsed<O> {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    const opt = /'(-{1,2}[^' ]+)/.exec(msg)?.[1];
    const near =
      opt && /Unknown option/.test(msg) ? suggestion(opt.replace(/^-+/, ""), Object.keys(options), (s) => s) : "";
    throw new CliUsageError(
      `${msg.split("\n")[0].split(". ")[0].replace(/\.$/, "")}${near.replace("(did you mean ", "(did you mean --")}`,
    );
  }
}

/** An integer option in [min, max] (decimal or 0x hex), or the default when absent. */
export function intOption(name: string, v: string | undefined, dflt: number, min: number, max: number): number {
  if (v === undefined) return dflt;
  const t = v.trim();
  const n = /^0x[0-9a-f]+$/i.test(t) ? parseInt(t, 16) : /^[+-]?\d+$/.test(t) ? Number(t) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max)
    throw new CliUsageError(`--${name} must be an integer from ${min} to ${max}, not ${JSON.stringify(v)}`);
  return n;
}

/** A finite number option in (min, max], or the default when absent. */
export function numberOption(
  name: string,
  v: string | undefined,
  dflt: number | undefined,
  min: number,
  max: number,
): number | undefined {
  if (v === undefined) return dflt;
  const t = v.trim();
  const n = /^\d+(\.\d+)?$/.test(t) ? Number(t) : NaN;
  if (!Number.isFinite(n) || n <= min || n > max)
    throw new CliUsageError(`--${name} must be a number above ${min} and at most ${max}, not ${JSON.stringify(v)}`);
  return n;
}

/** One of a fixed set of words. */
export function choiceOption<T extends string>(name: string, v: string | undefined, dflt: T, choices: readonly T[]): T {
  if (v === undefined) return dflt;
  if (!choices.includes(v as T))
    throw new CliUsageError(
      `--${name} must be ${choices.join(", ")}, not ${JSON.stringify(v)}${suggestion(v, choices)}`,
    );
  return v as T;
}
