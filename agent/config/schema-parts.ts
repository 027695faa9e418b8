// Building blocks shared by the config schemas, in zod/mini: the config is read by `status` and
// the daemon too, and zod/mini loads in a fraction of the time and memory of zod's classic API
// (status already loads it for the records). A format rule carries its expectation in words
// ("expected an absolute path"): problems.ts shows that instead of a raw regular expression.
import * as z from 'zod/mini';

/**
 * A copy of `schema` with its one-line description (read back by schema-walk.ts). A copy, as the
 * same schema may be described twice; and not through `.check(z.describe())`, whose copy reads a
 * default's getter once, so that every parse would share one default list.
 */
export function described<T extends z.ZodMiniType>(schema: T, text: string): T {
  const copy = schema.clone();
  z.globalRegistry.add(copy, { description: text });
  return copy;
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
