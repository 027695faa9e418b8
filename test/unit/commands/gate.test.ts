// `edge-agent gate add|remove|list` through a Host of fakes: the drop-in under the fake root and a
// daemon-reload on the in-memory systemd.
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { add, list, remove } from '../../../agent/commands/gate/gate.js';
import { ExitCode } from '../../../agent/exit-codes.js';
import { putFile, runMain } from '../../fakes/command.js';
import { fakeHost, type FakeHost } from '../../fakes/host.js';
import { aUnit, FakeSystemd } from '../../fakes/systemd.js';

const DROP_IN = '/etc/systemd/system/my-app.service.d/50-edge-agent-gate.conf';
let root: string;
let host: FakeHost;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'gate-'));
  host = fakeHost({ root, systemd: new FakeSystemd([aUnit('my-app.service', { activeState: 'inactive' })]) });
});
afterEach(async () => rm(root, { recursive: true, force: true }));

describe('gate', () => {
  it('add writes the drop-in and reloads systemd once; a second add changes nothing', async () => {
    const first = await runMain(add, host, { positionals: ['my-app.service'] });
    expect(first.code).toBe(ExitCode.Ok);
    expect(first.out).toContain('Gated my-app.service: it starts only after boot-complete.target');
    expect(await readFile(join(root, DROP_IN), 'utf8')).toMatch(/Requires=boot-complete\.target/);
    expect(host.fakeSystemd.reloads).toBe(1);

    const again = await runMain(add, host, { positionals: ['my-app.service'], flags: { json: true } });
    expect(JSON.parse(again.out)).toMatchObject({ action: 'add', unit: 'my-app.service', changed: false });
    expect(host.fakeSystemd.reloads).toBe(1);
  });

  it('list shows the gated unit with its state; remove takes the gate and its directory away', async () => {
    await runMain(add, host, { positionals: ['my-app.service'] });
    const listed = await runMain(list, host, { flags: { json: true } });
    expect(JSON.parse(listed.out).gates).toEqual([
      { unit: 'my-app.service', dropIn: DROP_IN, activeState: 'inactive', unitFileState: 'enabled' },
    ]);
    const removed = await runMain(remove, host, { positionals: ['my-app.service'] });
    expect(removed.out).toContain('Removed the gate of my-app.service');
    await expect(stat(join(root, '/etc/systemd/system/my-app.service.d'))).rejects.toMatchObject({ code: 'ENOENT' });
    expect((await runMain(list, host)).out).toContain('No gated units');
  });

  it('leaves a drop-in someone else wrote alone', async () => {
    await putFile(host, DROP_IN, '[Unit]\nAfter=network.target\n');
    await expect(runMain(add, host, { positionals: ['my-app.service'] })).rejects.toMatchObject({
      code: 'gate-not-ours',
    });
    expect(await readFile(join(root, DROP_IN), 'utf8')).toBe('[Unit]\nAfter=network.target\n');
  });

  it('refuses a non-root caller and a unit name it cannot gate, before touching anything', async () => {
    const user = fakeHost({ root, isRoot: false });
    await expect(runMain(add, user, { positionals: ['my-app.service'] })).rejects.toMatchObject({
      code: 'needs-root',
    });
    await expect(runMain(add, host, { positionals: ['../etc/passwd'] })).rejects.toMatchObject({ code: 'usage' });
    expect(host.fakeSystemd.reloads).toBe(0);
  });
});
