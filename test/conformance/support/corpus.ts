// The conformance corpus (corpus/corpus.json): third-party handler folders plus our own shapes, each case naming
// its task root, handler string, events and how outcomes are compared.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const CORPUS_DIR = fileURLToPath(new URL('../corpus/', import.meta.url));

export interface Origin {
  repository: string;
  path: string;
  commit?: string;
}

export interface Case {
  id: string;
  /** Folder under corpus/ used as the task root. */
  root: string;
  handler: string;
  /** Invoked in order in one process; `[{}]` when absent. */
  events?: unknown[];
  /** `firstLine`: only the first line of error messages is compared (the rest names each runtime's own files). */
  compare?: 'exact' | 'firstLine';
  origin: Origin;
  shape?: string;
  note?: string;
}

export function loadCorpus(): Case[] {
  const doc = JSON.parse(readFileSync(`${CORPUS_DIR}corpus.json`, 'utf8')) as { cases: Case[] };
  return doc.cases;
}
