// packaging/schemas/status.schema.json is generated from the zod schema and must never drift from
// it: hub and tooling developers validate `edge-agent status --json` against the file. Rewrite it
// on purpose with UPDATE_GOLDEN=1 npx vitest run test/unit/core/status-schema.test.ts
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BOOT_VERDICTS, SECTION_STATES, STATUS_SCHEMA_VERSION } from '../../../agent/core/status/enums.js';
import { statusJsonSchema } from '../../../agent/core/status/schema.js';

const file = join(import.meta.dirname, '..', '..', '..', 'packaging', 'schemas', 'status.schema.json');

describe('status JSON Schema', () => {
  it('is the exported file, unchanged', () => {
    const text = `${JSON.stringify(statusJsonSchema(), null, 2)}\n`;
    if (process.env.UPDATE_GOLDEN === '1') {
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, text);
    }
    expect(
      readFileSync(file, 'utf8'),
      'packaging/schemas/status.schema.json is out of date: run UPDATE_GOLDEN=1 npx vitest run test/unit/core/status-schema.test.ts',
    ).toBe(text);
  });

  it('pins the version and lets newer agents add fields', () => {
    const schema = statusJsonSchema() as {
      properties: Record<string, { const?: unknown; enum?: unknown[] }>;
      additionalProperties: unknown;
      required: string[];
    };
    expect(schema.properties.schema?.const).toBe(STATUS_SCHEMA_VERSION);
    expect(schema.additionalProperties).toEqual({});
    expect(schema.required).toEqual(
      expect.arrayContaining([
        'schema',
        'state',
        'exitCode',
        'summary',
        'problems',
        'device',
        'deployments',
        'boot',
        'checks',
        'lastRollback',
        'microshift',
        'journal',
        'agent',
      ]),
    );
    const boot = schema.properties.boot as unknown as {
      properties: { verdict: { enum: string[] }; state: { enum: string[] } };
    };
    expect(boot.properties.verdict.enum).toEqual([...BOOT_VERDICTS]);
    expect(boot.properties.state.enum).toEqual([...SECTION_STATES]);
  });
});
