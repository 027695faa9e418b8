// Building blocks shared by the config schemas, in zod/mini: the config is read by `status` and
// the daemon too, and zod/mini loads in a fraction of the time and memory of zod's classic API
// (status already loads it for the records). A format rule carries its expectation in words
// ("expected an absolute path"): problems.ts shows that instead of a raw regular expression.
import * as z from 'zod/mini';

/**
 * `schema`, a fresh one, with its one-line description (read back by schema-walk.ts). Not a copy
 * (a third of the schema's cost to build): a schema described twice is refused here, at load.
 * Not `.check(z.describe())` either: its copy reads a default's getter once, so that every parse
 * would share one default list.
 */
export function described<T extends z.ZodMiniType>(schema: T, text: string): T {
  if (z.globalRegistry.has(schema)) throw new Error(`a config schema is described twice: "${text}"`);
  z.globalRegistry.add(schema, { description: text });
  return schema;
}

/** A string matching `pattern`; `what` says in words what is expected. */
export const matching = (pattern: RegExp, what: string) =>
  z.string().check(z.regex(pattern, { error: `expected ${what}` }));

export const absolutePath = () => matching(/^\//, 'an absolute path (starting with /)');

/** A whole number from `min` to `max`. */
export const wholeNumber = (min: number, max?: number) =>
  max === undefined ? z.int().check(z.gte(min)) : z.int().check(z.gte(min), z.lte(max));

export const seconds = (min: number, max: number) => wholeNumber(min, max);

export const argv = () => z.array(z.string().check(z.minLength(1))).check(z.minLength(1));
