// Checks for messages that cross a process boundary: the IPC channel carries whatever the other
// side sent, so a protocol's validator (chaos/worker-protocol.ts, bench/worker-protocol.ts) checks
// each field it relies on and says which one is wrong, instead of letting a bad value travel on and
// fail far from where it came in.

/** A message that does not fit its protocol; `path` names the field ("counts.acquires"). */
export class ShapeError extends Error {
  override readonly name = 'ShapeError';
  constructor(
    readonly path: string,
    readonly problem: string,
  ) {
    super(`${path}: ${problem}`);
  }
}

export type Fields = Readonly<Record<string, unknown>>;

/** A short rendering of a received value for an error message (bounded: messages can be large). */
export function excerpt(raw: unknown, max = 200): string {
  let text: string;
  try {
    // JSON.stringify gives undefined (despite its type) for undefined and functions.
    const json = JSON.stringify(raw, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : ArrayBuffer.isView(v) ? `<${v.constructor.name} of ${v.byteLength} bytes>` : v)) as string | undefined;
    text = json ?? String(raw);
  } catch {
    text = String(raw);
  }
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

const got = (v: unknown): string => `got ${excerpt(v, 60)}`;

export function record(raw: unknown, path: string): Fields {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ShapeError(path, `expected an object, ${got(raw)}`);
  return raw as Fields;
}

export function field(o: Fields, key: string, path: string): Fields {
  return record(o[key], `${path}.${key}`);
}

export function str(o: Fields, key: string, path: string): string {
  const v = o[key];
  if (typeof v !== 'string') throw new ShapeError(`${path}.${key}`, `expected a string, ${got(v)}`);
  return v;
}

export function num(o: Fields, key: string, path: string): number {
  const v = o[key];
  if (typeof v !== 'number' || Number.isNaN(v)) throw new ShapeError(`${path}.${key}`, `expected a number, ${got(v)}`);
  return v;
}

export function int(o: Fields, key: string, path: string): number {
  const v = num(o, key, path);
  if (!Number.isSafeInteger(v)) throw new ShapeError(`${path}.${key}`, `expected a whole number, ${got(v)}`);
  return v;
}

export function bool(o: Fields, key: string, path: string): boolean {
  const v = o[key];
  if (typeof v !== 'boolean') throw new ShapeError(`${path}.${key}`, `expected true or false, ${got(v)}`);
  return v;
}

export function optional<T>(o: Fields, key: string, path: string, check: (o: Fields, key: string, path: string) => T): T | undefined {
  return o[key] === undefined ? undefined : check(o, key, path);
}

export function oneOf<const T extends string>(o: Fields, key: string, path: string, values: readonly T[]): T {
  const v = o[key];
  if (typeof v !== 'string' || !(values as readonly string[]).includes(v)) throw new ShapeError(`${path}.${key}`, `expected one of ${values.join(', ')}, ${got(v)}`);
  return v as T;
}

export function array(o: Fields, key: string, path: string): readonly unknown[] {
  const v = o[key];
  if (!Array.isArray(v)) throw new ShapeError(`${path}.${key}`, `expected an array, ${got(v)}`);
  return v;
}

export function float64s(o: Fields, key: string, path: string): Float64Array {
  const v = o[key];
  if (!(v instanceof Float64Array)) throw new ShapeError(`${path}.${key}`, `expected a Float64Array, ${got(v)}`);
  return v;
}

/** Each named field is a number (counters, timings). */
export function numbers(o: Fields, keys: readonly string[], path: string): void {
  for (const k of keys) num(o, k, path);
}
