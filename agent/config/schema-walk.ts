// Read the shape of the config schema: which keys an object has, what a key holds, whether it is
// optional. describe.ts renders the default config from this and problems.ts uses it to list the
// keys allowed where an unknown one was found. Descriptions sit on the outermost wrapper of a key.
// Works on any zod 4 schema (the device config is zod/mini, the hub service's config classic zod):
// it reads the definition both share, never a class of one API.
import { globalRegistry, type core } from 'zod/mini';

export type AnySchema = core.$ZodType;

export interface FieldInfo {
  /** The one-line description of the key ('' when missing: a test forbids that). */
  description: string;
  /** The schema with default/optional wrappers removed. */
  inner: AnySchema;
  /** True when the key may be absent and has no default. */
  optional: boolean;
}

const wrappers = new Set(['default', 'prefault', 'optional']);

/** The kind of a schema as zod's definition names it: 'object', 'array', 'default', ... */
export const schemaType = (schema: AnySchema): string => schema._zod.def.type;

const descriptionOf = (schema: AnySchema) => globalRegistry.get(schema)?.description ?? '';

export function inspectField(schema: AnySchema): FieldInfo {
  let description = descriptionOf(schema);
  let current = schema;
  for (;;) {
    const type = schemaType(current);
    // A lazy schema (the lists' items) is built here, on the first look inside.
    if (type === 'lazy') current = (current as core.$ZodLazy)._zod.innerType;
    else if (wrappers.has(type)) current = (current._zod.def as core.$ZodOptionalDef).innerType;
    else break;
    description ||= descriptionOf(current);
  }
  return { description, inner: current, optional: schemaType(schema) === 'optional' };
}

/** The keys of an object schema, in declaration order; undefined for anything else. */
export function objectFields(schema: AnySchema): Array<[string, AnySchema]> | undefined {
  const inner = inspectField(schema).inner;
  return schemaType(inner) === 'object'
    ? Object.entries((inner._zod.def as core.$ZodObjectDef).shape as Record<string, AnySchema>)
    : undefined;
}

/** The element schema of a list, or undefined. */
export function listElement(schema: AnySchema): AnySchema | undefined {
  const inner = inspectField(schema).inner;
  return schemaType(inner) === 'array' ? (inner._zod.def as core.$ZodArrayDef).element : undefined;
}

/** The variants of a union (a discriminated union of check kinds), or undefined. */
export function unionOptions(schema: AnySchema): AnySchema[] | undefined {
  const inner = inspectField(schema).inner;
  return schemaType(inner) === 'union' ? [...(inner._zod.def as core.$ZodUnionDef).options] : undefined;
}

/** The values of a literal schema (a check's `kind`), or undefined. */
export function literalValues(schema: AnySchema): unknown[] | undefined {
  return schemaType(schema) === 'literal' ? [...(schema._zod.def as core.$ZodLiteralDef<never>).values] : undefined;
}

/**
 * The schema that governs `path` in `data`, following objects, list elements and, for unions,
 * the variant whose literal `kind` matches the data. Undefined when the path leaves the schema.
 */
export function schemaAt(root: AnySchema, path: ReadonlyArray<PropertyKey>, data: unknown): AnySchema | undefined {
  let schema: AnySchema | undefined = root;
  let value = data;
  for (const segment of path) {
    if (!schema) return undefined;
    const options = unionOptions(schema);
    if (options) schema = options.find((option) => matchesKind(option, value));
    if (!schema) return undefined;
    const element = listElement(schema);
    if (element) schema = element;
    else schema = objectFields(schema)?.find(([key]) => key === segment)?.[1];
    value = isRecord(value) || Array.isArray(value) ? (value as Record<PropertyKey, unknown>)[segment] : undefined;
  }
  if (schema) {
    const options = unionOptions(schema);
    if (options) return options.find((option) => matchesKind(option, value)) ?? schema;
  }
  return schema;
}

function matchesKind(option: AnySchema, value: unknown): boolean {
  const kind = objectFields(option)?.find(([key]) => key === 'kind')?.[1];
  const values = kind && literalValues(inspectField(kind).inner);
  return values !== undefined && isRecord(value) && values.includes(value.kind);
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
