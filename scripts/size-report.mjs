#!/usr/bin/env node
// Lists the source files of src/ and runtime/ over 300 lines and the functions over 60 lines, longest first,
// against the size budget of docs/ARCHITECTURE.md. Function spans come from the TypeScript compiler's own parse.
// Usage: node scripts/size-report.mjs [--files N] [--functions N]   (the two thresholds, in lines)
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = fileURLToPath(new URL('..', import.meta.url));
const folders = ['src', 'runtime'];
const sourcePattern = /\.(ts|mts|cts|js|mjs|cjs)$/;

function threshold(flag, fallback) {
  const at = process.argv.indexOf(flag);
  if (at === -1) return fallback;
  const value = Number(process.argv[at + 1]);
  if (!Number.isInteger(value) || value < 1) {
    console.error(`size-report: ${flag} takes a whole number of lines, e.g. ${flag} ${fallback}`);
    process.exit(2);
  }
  return value;
}

function sourceFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return sourcePattern.test(entry.name) && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

function lineCount(text) {
  return text.endsWith('\n') ? text.split('\n').length - 1 : text.split('\n').length;
}

/** A readable name for a function node: its own name, or the variable, property or method holding it. */
function nameOf(node, source) {
  if (node.name) return node.name.getText(source);
  const parent = node.parent;
  if (
    (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent)) &&
    parent.name
  ) {
    return parent.name.getText(source);
  }
  if (ts.isConstructorDeclaration(node)) return 'constructor';
  return '(anonymous)';
}

/** Every function-like node with its span in lines, including nested ones (each counted in full). */
function functionsOf(path, text) {
  const source = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true);
  const found = [];
  const visit = (node) => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body) {
      const start = source.getLineAndCharacterOfPosition(node.getStart(source)).line;
      const end = source.getLineAndCharacterOfPosition(node.getEnd()).line;
      const owner = node.parent && ts.isClassLike(node.parent) && node.parent.name ? `${node.parent.name.text}.` : '';
      found.push({ name: owner + nameOf(node, source), line: start + 1, lines: end - start + 1 });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

const fileLimit = threshold('--files', 300);
const functionLimit = threshold('--functions', 60);
const bigFiles = [];
const longFunctions = [];
let fileTotal = 0;
let functionTotal = 0;
for (const path of folders.flatMap((folder) => sourceFiles(join(root, folder)))) {
  const text = readFileSync(path, 'utf8');
  const name = relative(root, path);
  const lines = lineCount(text);
  fileTotal += 1;
  if (lines > fileLimit) bigFiles.push({ name, lines });
  for (const fn of functionsOf(path, text)) {
    functionTotal += 1;
    if (fn.lines > functionLimit) longFunctions.push({ where: `${name}:${fn.line}`, name: fn.name, lines: fn.lines });
  }
}

bigFiles.sort((a, b) => b.lines - a.lines);
longFunctions.sort((a, b) => b.lines - a.lines);
console.log(`files over ${fileLimit} lines: ${bigFiles.length} of ${fileTotal} in ${folders.join('/, ')}/`);
for (const file of bigFiles) console.log(`  ${String(file.lines).padStart(5)}  ${file.name}`);
console.log(`functions over ${functionLimit} lines: ${longFunctions.length} of ${functionTotal}`);
for (const fn of longFunctions) console.log(`  ${String(fn.lines).padStart(5)}  ${fn.name}  (${fn.where})`);
