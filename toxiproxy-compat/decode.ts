// Request body decoding with the rules of Go's encoding/json as Toxiproxy uses it: defaults that a
// body may override, case-insensitive keys, null meaning "keep", unknown keys ignored, and integer
// attributes. Error texts follow Go's, prefixed "bad request body: " as api.go joins them.
import { badRequestBody, invalidStream, invalidToxicType } from './errors.ts';
import { toxicDefinition, type Attributes, type Direction, type ToxicDefinition } from './toxics.ts';

type JsonObject = Record<string, unknown>;

export function parseBody(text: string): unknown {
  if (text.trim() === '') throw badRequestBody('EOF');
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw badRequestBody(err instanceof Error ? err.message : String(err));
  }
}

function jsonKind(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (value === null) return 'null';
  return typeof value === 'boolean' ? 'bool' : typeof value;
}

function unmarshalError(value: unknown, field: string, goType: string): Error {
  const shown = typeof value === 'number' ? `number ${value}` : jsonKind(value);
  return badRequestBody(`json: cannot unmarshal ${shown} into Go struct field ${field} of type ${goType}`);
}

function asObject(value: unknown, goType: string): JsonObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw badRequestBody(`json: cannot unmarshal ${jsonKind(value)} into Go value of type ${goType}`);
  }
  return value as JsonObject;
}

/** Go matches an exact key first, then any case-insensitive one. */
function field(object: JsonObject, key: string): unknown {
  if (key in object) return object[key];
  const lower = key.toLowerCase();
  const match = Object.keys(object).find((k) => k.toLowerCase() === lower);
  return match === undefined ? undefined : object[match];
}

function stringField(object: JsonObject, key: string, fallback: string, goStruct: string): string {
  const value = field(object, key);
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'string') throw unmarshalError(value, `${goStruct}.${key}`, 'string');
  return value;
}

function boolField(object: JsonObject, key: string, fallback: boolean, goStruct: string): boolean {
  const value = field(object, key);
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'boolean') throw unmarshalError(value, `${goStruct}.${key}`, 'bool');
  return value;
}

function numberField(object: JsonObject, key: string, fallback: number, goStruct: string): number {
  const value = field(object, key);
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'number') throw unmarshalError(value, `${goStruct}.${key}`, 'float32');
  return value;
}

export interface ProxyFields {
  readonly name: string;
  readonly listen: string;
  readonly upstream: string;
  readonly enabled: boolean;
}

/** A proxy body decoded over `defaults` (create: enabled true; update: the current values). */
export function decodeProxy(body: unknown, defaults: ProxyFields): ProxyFields {
  const object = asObject(body, 'main.Proxy');
  return {
    name: stringField(object, 'name', defaults.name, 'Proxy'),
    listen: stringField(object, 'listen', defaults.listen, 'Proxy'),
    upstream: stringField(object, 'upstream', defaults.upstream, 'Proxy'),
    enabled: boolField(object, 'enabled', defaults.enabled, 'Proxy'),
  };
}

export function decodeProxyList(body: unknown): ProxyFields[] {
  if (!Array.isArray(body)) {
    throw badRequestBody(`json: cannot unmarshal ${jsonKind(body)} into Go value of type []toxiproxy.Proxy`);
  }
  return body.map((entry) => decodeProxy(entry, { name: '', listen: '', upstream: '', enabled: true }));
}

export interface ToxicHeader {
  readonly name: string;
  readonly definition: ToxicDefinition;
  readonly stream: string;
  readonly direction: Direction;
  readonly toxicity: number;
  /** The raw attributes value, decoded once the name is known to be free (Go's order of checks). */
  readonly rawAttributes: unknown;
}

/** Everything of a toxic create body except its attributes, checked in Go's order. */
export function decodeToxicHeader(body: unknown): ToxicHeader {
  const object = asObject(body, 'toxics.ToxicWrapper');
  const type = stringField(object, 'type', '', 'ToxicWrapper');
  const stream = stringField(object, 'stream', 'downstream', 'ToxicWrapper');
  const toxicity = numberField(object, 'toxicity', 1, 'ToxicWrapper');
  let name = stringField(object, 'name', '', 'ToxicWrapper');
  const rawAttributes = field(object, 'attributes');
  if (rawAttributes !== undefined && rawAttributes !== null && jsonKind(rawAttributes) !== 'object') {
    throw unmarshalError(rawAttributes, 'ToxicWrapper.attributes', 'toxics.NoopToxic');
  }
  const lowered = stream.toLowerCase();
  if (lowered !== 'upstream' && lowered !== 'downstream') throw invalidStream();
  if (name === '') name = `${type}_${stream}`;
  const definition = toxicDefinition(type);
  if (definition === undefined) throw invalidToxicType();
  return { name, definition, stream, direction: lowered, toxicity, rawAttributes };
}

/** Integer attributes decoded over `base`: missing or null keep the base value, others must be integers. */
export function decodeAttributes(definition: ToxicDefinition, raw: unknown, base: Attributes): Attributes {
  const result: Record<string, number> = {};
  for (const { name } of definition.attributes) result[name] = base[name] ?? 0;
  if (raw === undefined || raw === null) return result;
  const object = asObject(raw, `toxics.${definition.goStruct}`);
  for (const { name, goType } of definition.attributes) {
    const value = field(object, name);
    if (value === undefined || value === null) continue;
    if (typeof value !== 'number' || !Number.isInteger(value)) {
      throw unmarshalError(value, `${definition.goStruct}.attributes.${name}`, goType);
    }
    result[name] = value;
  }
  return result;
}

export interface ToxicPatch {
  readonly attributes: Attributes;
  readonly toxicity: number;
}

/** A toxic update reads only attributes (merged) and toxicity; name, type and stream are ignored. */
export function decodeToxicPatch(body: unknown, definition: ToxicDefinition, current: { attributes: Attributes; toxicity: number }): ToxicPatch {
  const object = asObject(body, 'struct { Attributes interface {}; Toxicity float32 }');
  return {
    attributes: decodeAttributes(definition, field(object, 'attributes'), current.attributes),
    toxicity: numberField(object, 'toxicity', current.toxicity, 'Toxicity'),
  };
}
