// Golden outputs of `edge-agent status`: for each situation in test/fixtures/status/scenarios.ts,
// the result object (what --json prints) and the human view at 80 columns without colour. A
// change to either shows up as a diff of the golden files; rewrite them on purpose with
// UPDATE_GOLDEN=1 npx vitest run test/unit/core/status-golden.test.ts
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { buildStatus } from '../../../agent/core/status/status.js';
import { renderStatus } from '../../../agent/core/status/render.js';
import { StatusSchema, type StatusResult } from '../../../agent/core/status/schema.js';
import { NOW, scenarios } from '../../fixtures/status/scenarios.js';

const dir = join(import.meta.dirname, '..', '..', 'fixtures', 'status');
const update = process.env.UPDATE_GOLDEN === '1';
const exported = JSON.parse(
  readFileSync(join(import.meta.dirname, '..', '..', '..', 'packaging', 'schemas', 'status.schema.json'), 'utf8'),
) as Record<string, unknown>;
const fromFile = z.fromJSONSchema(exported as Parameters<typeof z.fromJSONSchema>[0]);

function golden(name: string, actual: string): void {
  const file = join(dir, name);
  if (update) writeFileSync(file, actual);
  expect(actual).toBe(readFileSync(file, 'utf8'));
}

const expected: Record<string, { state: StatusResult['state']; exitCode: number; codes: string[] }> = {
  'green-after-update': { state: 'green', exitCode: 0, codes: [] },
  'red-failing-check': { state: 'red', exitCode: 1, codes: ['boot-red', 'microshift-restarting'] },
  'red-greenboot-dns-check': { state: 'red', exitCode: 1, codes: ['boot-red'] },
  'checking-in-progress': {
    state: 'checking',
    exitCode: 2,
    codes: ['microshift-api-not-ready', 'microshift-workloads', 'journal-volatile', 'hub-disconnected'],
  },
  'fallback-after-rollback': { state: 'green', exitCode: 0, codes: ['rolled-back'] },
  'non-ostree-host': { state: 'unknown', exitCode: 3, codes: ['boot-unknown', 'not-ostree', 'daemon-down'] },
  'microshift-absent': { state: 'green', exitCode: 0, codes: [] },
  'non-root-user': { state: 'green', exitCode: 0, codes: ['needs-root'] },
  'hung-api': { state: 'green', exitCode: 0, codes: ['timed-out', 'daemon-down'] },
  'hub-waiting': { state: 'green', exitCode: 0, codes: ['hub-waiting'] },
  'hub-file-error': { state: 'green', exitCode: 0, codes: ['hub-file-error'] },
};

describe('status goldens', () => {
  it('covers every scenario', () => {
    expect(Object.keys(scenarios).sort()).toEqual(Object.keys(expected).sort());
  });

  describe.each(Object.keys(scenarios))('%s', (name) => {
    const result = buildStatus((scenarios[name] as () => Parameters<typeof buildStatus>[0])());
    const text = renderStatus(result, { width: 80, color: false, now: NOW, timeZone: 'UTC' });

    it('has the expected verdict, exit code and problems', () => {
      const want = expected[name];
      expect({ state: result.state, exitCode: result.exitCode, codes: result.problems.map((p) => p.code) }).toEqual(
        want,
      );
    });

    it('matches the golden JSON, which validates against the exported schema', () => {
      const json = `${JSON.stringify(result, null, 2)}\n`;
      golden(`${name}.json`, json);
      const parsed = JSON.parse(json) as unknown;
      expect(StatusSchema.safeParse(parsed).success).toBe(true);
      const check = fromFile.safeParse(parsed);
      expect(check.success, check.success ? '' : JSON.stringify(check.error.issues.slice(0, 3))).toBe(true);
    });

    it('matches the golden human view, which fits 80 columns', () => {
      golden(`${name}.txt`, text);
      for (const line of text.split('\n')) expect(line.length, line).toBeLessThanOrEqual(80);
    });

    it('puts problems first and in colour only when asked', () => {
      const lines = text.split('\n');
      if (result.problems.length) expect(lines.indexOf('Problems')).toBeGreaterThan(0);
      expect(lines.indexOf('Problems')).toBeLessThan(lines.indexOf('Device'));
      const coloured = renderStatus(result, { width: 80, color: true, now: NOW, timeZone: 'UTC' });
      expect(coloured).toContain('\x1b[');
      // eslint-disable-next-line no-control-regex
      expect(coloured.replace(/\x1b\[\d+m/g, '')).toBe(text);
    });
  });
});
