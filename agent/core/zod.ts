// zod/mini, with zod's English issue messages, for the schemas whose messages reach an operator
// (rpm-ostree's JSON, hub payloads, release manifests). zod/mini rather than classic zod: bundled,
// classic zod brings ~450 KB of code and ~10 MB of resident memory into every process that loads
// it (the daemon among them), zod/mini ~20 KB. zod/mini ships without messages ("Invalid input"),
// so English is set here, once: only that locale, not the index of every language.
import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';

z.config(en());

export { z };

/** The schema with a description for generated JSON Schemas (a copy: a shared part stays bare). */
export const about = <T extends z.ZodMiniType>(schema: T, description: string): T =>
  schema.check(z.describe(description));

/** An optional field, described when `description` is given. */
export const optional = <T extends z.ZodMiniType>(schema: T, description?: string) =>
  description === undefined ? z.optional(schema) : about(z.optional(schema), description);

/** A whole number, at least `min` (default 0). */
export const count = (min = 0) => z.int().check(z.minimum(min));
