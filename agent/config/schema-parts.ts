// Building blocks shared by the config schemas. A format rule carries its expectation in words
// ("expected an absolute path"): problems.ts shows that instead of a raw regular expression.
import * as z from 'zod';

/** A string matching `pattern`; `what` says in words what is expected. */
export const matching = (pattern: RegExp, what: string) => z.string().regex(pattern, { error: `expected ${what}` });

export const absolutePath = () => matching(/^\//, 'an absolute path (starting with /)');

export const seconds = (min: number, max: number) => z.number().int().min(min).max(max);

export const argv = () => z.array(z.string().min(1)).min(1);
