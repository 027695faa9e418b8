// `edge-agent config validate` through a Host of fakes: a good config, a broken one, a drop-in.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../../agent/commands/config-validate/config-validate.js';
import { ExitCode } from '../../../agent/exit-codes.js';
import { putFile, runMain } from '../../fakes/command.js';
import { fakeHost, type FakeHost } from '../../fakes/host.js';

let host: FakeHost;
beforeEach(async () => {
  host = fakeHost({ root: await mkdtemp(join(tmpdir(), 'config-validate-')) });
});
afterEach(async () => rm(host.root, { recursive: true, force: true }));

describe('config validate', () => {
  it('with no files: ok on the defaults', async () => {
    const run = await runMain(main, host);
    expect(run).toMatchObject({ code: ExitCode.Ok, out: 'config ok: no files (defaults)\n' });
  });

  it('names the file, the key and what was expected for a wrong value, and exits 78', async () => {
    await putFile(host, '/etc/edge-agent/config.yaml', 'boots:\n  keep: many\n');
    const run = await runMain(main, host);
    expect(run.code).toBe(ExitCode.Config);
    expect(run.out).toMatch(/^error: .*\/etc\/edge-agent\/config\.yaml.*boots\.keep/m);
    expect(run.out).toContain('config invalid: 1 error(s)');
  });

  it('reads drop-ins and reports them as sources in --json', async () => {
    await putFile(host, '/etc/edge-agent/config.yaml', 'boots:\n  keep: 5\n');
    await putFile(host, '/etc/edge-agent/config.d/10-hub.yaml', 'log:\n  level: debug\n');
    const run = await runMain(main, host, { flags: { json: true } });
    expect(run.code).toBe(ExitCode.Ok);
    const result = JSON.parse(run.out) as { ok: boolean; sources: string[] };
    expect(result.ok).toBe(true);
    expect(result.sources).toEqual(['/etc/edge-agent/config.yaml', '/etc/edge-agent/config.d/10-hub.yaml']);
  });
});
