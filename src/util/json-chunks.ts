/**
 * `JSON.stringify(value, null, 2)` as a sequence of pieces, for documents too large to hold as
 * one string (V8's longest string is 2^29 − 24 characters; a 100,000-key report.json passes it).
 *
 * Joined, the pieces are exactly `JSON.stringify(value, null, 2)` for plain data (objects,
 * arrays, strings, numbers, booleans, null; `undefined`, functions and symbols omitted from
 * objects and written as `null` in arrays; `toJSON(key)` and boxed primitives as JSON.stringify
 * treats them; nothing at all for a value JSON.stringify gives `undefined` for) — the unit tests
 * hold it to that. Large
 * arrays and the upper levels of objects are walked; everything below is stringified whole,
 * so the pieces are few and large enough to write efficiently.
 *
 * @example
 * ```ts
 * for (const piece of jsonChunks(report)) stream.write(piece);
 * ```
 */
export function* jsonChunks(value: unknown): Generator<string, void, undefined> {
  const v = resolve(value, '');
  // JSON.stringify gives undefined for these; there is nothing to write.
  if (omitted(v)) return;
  yield* walk(v, '', 0);
}

/** Arrays longer than this are written element by element. */
const SPLIT_ARRAY_LENGTH = 32;
/** Objects this many levels deep or less are written member by member. */
const SPLIT_OBJECT_LEVELS = 3;

function omitted(v: unknown): boolean {
  return v === undefined || typeof v === 'function' || typeof v === 'symbol';
}

/**
 * What JSON.stringify writes for a member, as it decides it: `toJSON(key)` first, then boxed
 * numbers, strings and booleans unwrapped. (One difference remains: an object that a `toJSON`
 * returns and that has a `toJSON` of its own is asked again; JSON.stringify would not. No
 * kms-report data has a `toJSON` at all but dates.)
 */
function resolve(value: unknown, key: string): unknown {
  let v = value;
  if ((typeof v === 'object' && v !== null) || typeof v === 'bigint') {
    const toJSON = (v as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function') v = toJSON.call(v, key);
  }
  if (v instanceof Number) return Number(v);
  if (v instanceof String) return String(v);
  if (v instanceof Boolean) return v.valueOf();
  return v;
}

function whole(value: unknown, pad: string): string {
  const text = JSON.stringify(value, null, 2);
  // JSON strings never hold a raw line break, so every "\n" is layout.
  return pad && text.includes('\n') ? text.replace(/\n/g, `\n${pad}`) : text;
}

/** Writes a value already resolved by its parent (see {@link resolve}). */
function* walk(value: unknown, pad: string, level: number): Generator<string, void, undefined> {
  if (
    value === null ||
    typeof value !== 'object' ||
    typeof (value as { toJSON?: unknown }).toJSON === 'function'
  ) {
    yield whole(value, pad);
    return;
  }
  const inner = `${pad}  `;
  if (Array.isArray(value)) {
    if (value.length <= SPLIT_ARRAY_LENGTH && level >= SPLIT_OBJECT_LEVELS) {
      yield whole(value, pad);
      return;
    }
    if (value.length === 0) {
      yield '[]';
      return;
    }
    yield '[\n';
    for (let i = 0; i < value.length; i++) {
      yield inner;
      const v = resolve(value[i], String(i));
      if (omitted(v)) yield 'null';
      else yield* walk(v, inner, level + 1);
      yield i < value.length - 1 ? ',\n' : '\n';
    }
    yield `${pad}]`;
    return;
  }
  if (level >= SPLIT_OBJECT_LEVELS) {
    yield whole(value, pad);
    return;
  }
  const record = value as Record<string, unknown>;
  const members: [string, unknown][] = [];
  for (const name of Object.keys(record)) {
    const v = resolve(record[name], name);
    if (!omitted(v)) members.push([name, v]);
  }
  if (members.length === 0) {
    yield '{}';
    return;
  }
  yield '{\n';
  for (let i = 0; i < members.length; i++) {
    const [name, v] = members[i] as [string, unknown];
    yield `${inner}${JSON.stringify(name)}: `;
    yield* walk(v, inner, level + 1);
    yield i < members.length - 1 ? ',\n' : '\n';
  }
  yield `${pad}}`;
}

/** A JSON file's pieces: {@link jsonChunks} and the final line break (`JSON.stringify(value, null, 2) + "\n"`). */
export function* jsonFileChunks(value: unknown): Generator<string, void, undefined> {
  yield* jsonChunks(value);
  yield '\n';
}
