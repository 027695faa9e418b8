// Shared pieces for the schemas on zod/mini, and zod's English issue messages for those whose
// messages reach an operator (rpm-ostree's JSON, hub payloads, release manifests).
//
// zod/mini rather than classic zod: it is split into functions, so the bundler keeps only those a
// schema calls. That holds only while every module imports it as `import * as z from 'zod/mini'`
// and uses `z.` directly: a re-exported namespace object keeps all of zod/mini (~570 KB) in the
// bundle and in the daemon's memory. zod/mini ships without messages ("Invalid input"), so English
// is set here, once (that locale only, not the index of every language): import this module for
// that even when none of its helpers is used.
import { config, describe, int, minimum, optional as zOptional, type ZodMiniType } from 'zod/mini';
import en from 'zod/v4/locales/en.js';

config(en());

/** The schema with a description for generated JSON Schemas (a copy: a shared part stays bare). */
export const about = <T extends ZodMiniType>(schema: T, description: string): T => schema.check(describe(description));

/** An optional field, described when `description` is given. */
export const optional = <T extends ZodMiniType>(schema: T, description?: string) =>
  description === undefined ? zOptional(schema) : about(zOptional(schema), description);

/** A whole number, at least `min` (default 0). */
export const count = (min = 0) => int().check(minimum(min));
