// packaging/schemas/preflight.schema.json is generated from the zod schema and must not drift
// from it. Rewrite it on purpose with UPDATE_GOLDEN=1 npx vitest run test/unit/core/preflight-schema.test.ts
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { preflightJsonSchema } from '../../../agent/core/preflight/schema.js';

const file = join(import.meta.dirname, '..', '..', '..', 'packaging', 'schemas', 'preflight.schema.json');

describe('preflight JSON Schema', () => {
  it('is the exported file, unchanged', () => {
    const text = `${JSON.stringify(preflightJsonSchema(), null, 2)}\n`;
    if (process.env.UPDATE_GOLDEN === '1') writeFileSync(file, text);
    expect(readFileSync(file, 'utf8'), 'packaging/schemas/preflight.schema.json is out of date').toBe(text);
  });
});
