#!/usr/bin/env node
// The longest functions of the hand-written code, to keep functions small:
//
//   node scripts/function-lengths.mjs [--top N] [--min LINES] [--json]
//
// Lists every function, method, arrow function and function expression in bindings/, assembly/,
// scripts/, tests/, inspector/, bench/ and bin/ (generated folders left out) by its length in lines,
// from its first line to its closing brace. A function nested in another counts in both.
// --top N: the N longest (default 15); --min LINES: only those of at least LINES lines.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { intArg, parseOptions } from "./lib/options.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const FOLDERS = ["bindings", "assembly", "scripts", "tests", "inspector", "bench", "bin"];
/** Generated code, and what other tools own: not ours to split. */
const SKIP = new Set(["node_modules", "generated", "dist", "build", ".work", "cache"]);
const SOURCE = /\.(ts|mts|js|mjs)$/;

const { values: args } = parseOptions("function-lengths", {
  options: { top: { type: "string" }, min: { type: "string" }, json: { type: "boolean" } },
  usage: "node scripts/function-lengths.mjs [--top N] [--min LINES] [--json]",
});
const top = intArg("function-lengths", "--top", args.top, 15, 1);
const min = intArg("function-lengths", "--min", args.min, 0);

const sources = (dir) =>
  readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    if (SKIP.has(f) || f.startsWith(".")) return [];
    if (statSync(p).isDirectory()) return sources(p);
    return SOURCE.test(f) && !f.endsWith(".d.ts") ? [p] : [];
  });

/** The function's name as a reader would look it up: its own, its variable's, its property's or its method's. */
function nameOf(node) {
  if (node.name) return node.name.getText();
  const p = node.parent;
  if (p && (ts.isVariableDeclaration(p) || ts.isPropertyAssignment(p) || ts.isPropertyDeclaration(p)))
    return p.name.getText();
  if (p && ts.isBinaryExpression(p)) return p.left.getText();
  return "(anonymous)";
}

function functionsOf(file) {
  const text = readFileSync(file, "utf8");
  const src = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found = [];
  const visit = (node) => {
    if (ts.isFunctionLike(node) && "body" in node && node.body) {
      const first = src.getLineAndCharacterOfPosition(node.getStart(src)).line;
      const last = src.getLineAndCharacterOfPosition(node.getEnd()).line;
      found.push({ file: relative(root, file), line: first + 1, name: nameOf(node), lines: last - first + 1 });
    }
    ts.forEachChild(node, visit);
  };
  visit(src);
  return found;
}

const all = FOLDERS.flatMap((d) => sources(join(root, d)))
  .flatMap(functionsOf)
  .filter((f) => f.lines >= min)
  .sort((a, b) => b.lines - a.lines || a.file.localeCompare(b.file) || a.line - b.line)
  .slice(0, top);
if (args.json) console.log(JSON.stringify(all, null, 2));
else for (const f of all) console.log(`${String(f.lines).padStart(5)}  ${f.name}  ${f.file}:${f.line}`);
