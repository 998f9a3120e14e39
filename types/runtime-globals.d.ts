// Globals the runtime loop (runtime/*.cjs) adds or relies on, for `tsc -p tsconfig.runtime.json` only: the runtime
// ships as plain JavaScript and this file never reaches an image.

declare global {
  interface Console {
    /** Lambda's console adds a FATAL level (runtime/logging.cjs). */
    fatal(...data: unknown[]): void;
  }
}

export {};
