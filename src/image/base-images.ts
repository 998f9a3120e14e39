// Which images a Dockerfile reads from the engine: each FROM that is not an earlier stage (or scratch), and each
// COPY --from that names an image. The inputs hash (inputs.ts) pins them by the engine's ID.

/** The image references, in order, without repeats; undefined when one depends on a variable we cannot resolve. */
export function baseImagesOf(dockerfile: string, buildArgs: Record<string, string> = {}): string[] | undefined {
  const globals: Record<string, string> = {};
  const stages: string[] = [];
  const images: string[] = [];
  const add = (ref: string) => {
    if (!images.includes(ref)) images.push(ref);
  };
  for (const instruction of instructionsOf(dockerfile)) {
    const [keyword = '', ...words] = instruction.split(/\s+/);
    const upper = keyword.toUpperCase();
    // Only the ARGs before the first FROM may appear in a FROM line.
    if (upper === 'ARG' && stages.length === 0) {
      for (const word of words) {
        const [name = '', value] = word.split(/=(.*)/s, 2);
        globals[name] = buildArgs[name] ?? unquote(value ?? '');
      }
    } else if (upper === 'FROM') {
      const [image, as, name] = words.filter((word) => !word.startsWith('--'));
      if (!image) return undefined;
      const ref = substitute(image, globals);
      if (ref === undefined) return undefined;
      if (ref.toLowerCase() !== 'scratch' && !stages.includes(ref.toLowerCase())) add(ref);
      stages.push(as?.toUpperCase() === 'AS' && name ? name.toLowerCase() : `#${stages.length}`);
    } else if (upper === 'COPY' || upper === 'ADD') {
      const from = words.find((word) => word.toLowerCase().startsWith('--from='))?.slice('--from='.length);
      if (!from) continue;
      const ref = substitute(from, globals);
      if (ref === undefined) return undefined;
      // A stage by name or by index is part of this build; anything else is an image.
      if (!stages.includes(ref.toLowerCase()) && !/^\d+$/.test(ref)) add(ref);
    }
  }
  return images;
}

/** Instructions with line continuations joined, comments and blank lines dropped. */
function instructionsOf(dockerfile: string): string[] {
  const lines = dockerfile.split(/\r?\n/).filter((line) => !/^\s*#/.test(line));
  return lines
    .join('\n')
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.length > 0);
}

const unquote = (value: string) => value.replace(/^(["'])(.*)\1$/s, '$2');

/** $NAME and ${NAME} (and ${NAME:-default}) from the global ARGs; undefined when one has no value. */
function substitute(text: string, values: Record<string, string>): string | undefined {
  let unresolved = false;
  const result = text.replace(/\$(?:\{([A-Za-z_]\w*)(?::-([^}]*))?\}|([A-Za-z_]\w*))/g, (_, braced, fallback, bare) => {
    const value = values[braced ?? bare] || fallback;
    if (value === undefined || value === '') unresolved = true;
    return value ?? '';
  });
  return unresolved || result.includes('$') ? undefined : result;
}
