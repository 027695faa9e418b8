// zod/mini, with zod's English issue messages, for the schemas whose messages reach an operator
// (rpm-ostree's JSON, hub payloads, release manifests). zod/mini rather than classic zod: bundled,
// classic zod brings ~450 KB of code and ~10 MB of resident memory into every process that loads
// it (the daemon among them), zod/mini ~20 KB. zod/mini ships without messages ("Invalid input"),
// so English is set here, once: only that locale, not the index of every language.
import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';

z.config(en());

export { z };
