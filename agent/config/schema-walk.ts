// Read the shape of the config schema: which keys an object has, what a key holds, whether it is
// optional. describe.ts renders the default config from this and problems.ts uses it to list the
// keys allowed where an unknown one was found. Descriptions sit on the outermost wrapper of a key.
import * as z from 'zod';

export interface FieldInfo {
  /** The one-line description of the key ('' when missing: a test forbids that). */
  description: string;
  /** The schema with default/optional wrappers removed. */
  inner: z.ZodType;
  /** True when the key may be absent and has no default. */
  optional: boolean;
}

export function inspectField(schema: z.ZodType): FieldInfo {
  let description = schema.description ?? '';
  let current: z.ZodType = schema;
  while (current instanceof z.ZodDefault || current instanceof z.ZodPrefault || current instanceof z.ZodOptional) {
    current = current.def.innerType as z.ZodType;
    description ||= current.description ?? '';
  }
  return { description, inner: current, optional: schema instanceof z.ZodOptional };
}

/** The keys of an object schema, in declaration order; undefined for anything else. */
export function objectFields(schema: z.ZodType): Array<[string, z.ZodType]> | undefined {
  const inner = inspectField(schema).inner;
  return inner instanceof z.ZodObject ? Object.entries(inner.shape as Record<string, z.ZodType>) : undefined;
}

/** The element schema of a list, or undefined. */
export function listElement(schema: z.ZodType): z.ZodType | undefined {
  const inner = inspectField(schema).inner;
  return inner instanceof z.ZodArray ? (inner.def.element as z.ZodType) : undefined;
}

/** The variants of a union (a discriminated union of check kinds), or undefined. */
export function unionOptions(schema: z.ZodType): z.ZodType[] | undefined {
  const inner = inspectField(schema).inner;
  return inner instanceof z.ZodUnion ? (inner.def.options as z.ZodType[]) : undefined;
}

/**
 * The schema that governs `path` in `data`, following objects, list elements and, for unions,
 * the variant whose literal `kind` matches the data. Undefined when the path leaves the schema.
 */
export function schemaAt(root: z.ZodType, path: ReadonlyArray<PropertyKey>, data: unknown): z.ZodType | undefined {
  let schema: z.ZodType | undefined = root;
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

function matchesKind(option: z.ZodType, value: unknown): boolean {
  const kind = objectFields(option)?.find(([key]) => key === 'kind')?.[1];
  return kind instanceof z.ZodLiteral && isRecord(value) && kind.def.values.includes(value.kind as never);
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
