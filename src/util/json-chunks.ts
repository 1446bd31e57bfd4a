/**
 * `JSON.stringify(value, null, 2)` as a sequence of pieces, for documents too large to hold as
 * one string (V8's longest string is 2^29 − 24 characters; a 100,000-key report.json passes it).
 *
 * Joined, the pieces are exactly `JSON.stringify(value, null, 2)` for plain data (objects,
 * arrays, strings, numbers, booleans, null; `undefined`, functions and symbols omitted from
 * objects and written as `null` in arrays; `toJSON(key)` and boxed primitives as JSON.stringify
 * treats them; nothing at all for a value JSON.stringify gives `undefined` for) — the unit tests
 * hold it to that. Large
 * arrays and the upper levels of objects are walked; everything below (and each object in an
 * array two levels down or more: a key, a finding) is stringified whole, and the text is handed
 * out in pieces of about {@link PIECE_LENGTH} characters, so the pieces are few and large enough
 * to write efficiently and none holds much more than one record.
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
  const out: Out = { text: '' };
  if (isWhole(v, 0)) out.text = whole(v, '');
  else yield* walk(v as object, '', 0, out);
  if (out.text) yield out.text;
}

/** Arrays longer than this are written element by element. */
const SPLIT_ARRAY_LENGTH = 32;
/** Objects this many levels deep or less are written member by member. */
const SPLIT_OBJECT_LEVELS = 3;
/** Objects in arrays this many levels deep or more are written whole (one record each). */
const WHOLE_ELEMENT_LEVEL = 2;
/** Text is handed out once this many characters are gathered. */
const PIECE_LENGTH = 64 * 1024;

/** The text gathered and not yet handed out. */
interface Out {
  text: string;
}

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

/** Whether a value (resolved, at this level) is written in one piece rather than walked. */
function isWhole(value: unknown, level: number): boolean {
  if (value === null || typeof value !== 'object') return true;
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return true;
  if (Array.isArray(value)) return value.length <= SPLIT_ARRAY_LENGTH && level >= SPLIT_OBJECT_LEVELS;
  return level >= SPLIT_OBJECT_LEVELS;
}

/**
 * Writes a container already resolved by its parent (see {@link resolve}) that is not written
 * whole, into `out`; hands out the gathered text whenever it reaches {@link PIECE_LENGTH}.
 */
function* walk(value: object, pad: string, level: number, out: Out): Generator<string, void, undefined> {
  const inner = `${pad}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) {
      out.text += '[]';
      return;
    }
    out.text += '[\n';
    const last = value.length - 1;
    for (let i = 0; i <= last; i++) {
      const v = resolve(value[i], String(i));
      if (omitted(v)) out.text += `${inner}null`;
      else if (
        isWhole(v, level + 1) ||
        (level + 1 >= WHOLE_ELEMENT_LEVEL && v !== null && typeof v === 'object' && !Array.isArray(v))
      )
        out.text += inner + whole(v, inner);
      else {
        out.text += inner;
        yield* walk(v as object, inner, level + 1, out);
      }
      out.text += i < last ? ',\n' : '\n';
      if (out.text.length >= PIECE_LENGTH) {
        yield out.text;
        out.text = '';
      }
    }
    out.text += `${pad}]`;
    return;
  }
  const record = value as Record<string, unknown>;
  const members: [string, unknown][] = [];
  for (const name of Object.keys(record)) {
    const v = resolve(record[name], name);
    if (!omitted(v)) members.push([name, v]);
  }
  if (members.length === 0) {
    out.text += '{}';
    return;
  }
  out.text += '{\n';
  const last = members.length - 1;
  for (let i = 0; i <= last; i++) {
    const [name, v] = members[i] as [string, unknown];
    out.text += `${inner}${JSON.stringify(name)}: `;
    if (isWhole(v, level + 1)) out.text += whole(v, inner);
    else yield* walk(v as object, inner, level + 1, out);
    out.text += i < last ? ',\n' : '\n';
    if (out.text.length >= PIECE_LENGTH) {
      yield out.text;
      out.text = '';
    }
  }
  out.text += `${pad}}`;
}

/** A JSON file's pieces: {@link jsonChunks} and the final line break (`JSON.stringify(value, null, 2) + "\n"`). */
export function* jsonFileChunks(value: unknown): Generator<string, void, undefined> {
  yield* jsonChunks(value);
  yield '\n';
}
