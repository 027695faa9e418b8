// `edge-agent preflight` flags through a Host of fakes: contradicting flags are refused before
// anything on the device is looked at.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../../agent/commands/preflight/preflight.js';
import { runMain } from '../../fakes/command.js';
import { fakeHost, type FakeHost } from '../../fakes/host.js';

let host: FakeHost;
beforeEach(async () => {
  host = fakeHost({ root: await mkdtemp(join(tmpdir(), 'preflight-')) });
});
afterEach(async () => rm(host.root, { recursive: true, force: true }));

describe('preflight flags', () => {
  it('refuses --offline with --online, naming both, and runs nothing', async () => {
    await expect(runMain(main, host, { flags: { offline: true, online: true } })).rejects.toMatchObject({
      code: 'usage',
      message: '--offline and --online exclude each other',
    });
    expect(host.fakeExec.ran).toEqual([]);
  });
});
