// The daemon's report of preflight to the hub: once per staged deployment, under an id kept in
// /var before reporting, so a daemon that dies between queueing and marking reports the same event.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultConfig } from '../../agent/config/schema.js';
import { reportStagedPreflight, type PreflightReportDeps } from '../../agent/commands/run/daemon-preflight.js';
import { createLogger } from '../../agent/host/log.js';
import type { Hub } from '../../agent/hub/hub.js';
import { FakeExec } from '../fakes/exec.js';
import { fakeHost } from '../fakes/host.js';
import { aDeployment } from '../fakes/rpm-ostree.js';

const result = {
  schema: 1,
  status: 'warn',
  exitCode: 2,
  checkedAt: '2026-12-04T20:00:00.000Z',
  items: [
    { id: 'transaction', title: 't', status: 'pass', reason: 'rpm-ostree is idle' },
    {
      id: 'journal',
      title: 'j',
      status: 'warn',
      reason: `Storage=auto keeps the journal in memory ${'x'.repeat(300)}`,
    },
  ],
};

let root: string;
let reports: { type: string; body: unknown; id?: string }[];
let ids: number;
let failReport: boolean;
let exec: FakeExec;
let lines: string[];

beforeEach(() => {
  root = mkdtempSync(`${tmpdir()}/daemon-preflight-`);
  reports = [];
  ids = 0;
  failReport = false;
  lines = [];
  exec = new FakeExec().on(process.execPath, { exitCode: 2, stdout: JSON.stringify(result) });
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

function deps(): PreflightReportDeps {
  const hub = {
    sink: {
      nextId: () => `01J0ZK4N2Q8V3W5X6Y7Z8A9B${String((ids += 1)).padStart(2, '0')}`,
      report: async (type: string, body: unknown, options: { id?: string } = {}) => {
        if (failReport) throw new Error('daemon killed');
        reports.push({ type, body, id: options.id });
        return { id: options.id!, stored: true };
      },
    },
  } as unknown as Hub;
  const host = fakeHost({ root, exec });
  return {
    host,
    config: defaultConfig(),
    log: createLogger({ format: 'text', native: false, write: (line) => lines.push(line.trimEnd()) }),
    signal: new AbortController().signal,
    hub,
    cliPath: '/usr/lib/edge-agent/cli.js',
  };
}

describe('reportStagedPreflight', () => {
  it('runs preflight once per staged deployment and reports what did not pass, reasons cut', async () => {
    const staged = aDeployment({ staged: true, version: '9.4.2' });
    await reportStagedPreflight(deps(), staged);
    await reportStagedPreflight(deps(), staged);
    expect(exec.ran).toEqual([`${process.execPath} /usr/lib/edge-agent/cli.js preflight --json`]);
    expect(reports).toHaveLength(1);
    const body = reports[0]!.body as {
      deployment: unknown;
      status: string;
      counts: unknown;
      items: { reason: string }[];
    };
    expect(body).toMatchObject({
      deployment: { version: '9.4.2', checksum: staged.checksum.slice(0, 12) },
      status: 'warn',
      counts: { pass: 1, warn: 1, fail: 0 },
    });
    expect(body.items).toHaveLength(1);
    expect(body.items[0]!.reason).toHaveLength(200);
    expect(lines.some((l) => l.includes('Preflight of the staged update 9.4.2: warn'))).toBe(true);

    await reportStagedPreflight(deps(), aDeployment({ staged: true, version: '9.4.3' }));
    expect(reports).toHaveLength(2);
    expect(reports[1]!.id).not.toBe(reports[0]!.id);
  });

  it('reports again under the same id when the first report did not finish', async () => {
    const staged = aDeployment({ staged: true });
    failReport = true;
    await expect(reportStagedPreflight(deps(), staged)).rejects.toThrow('daemon killed');
    failReport = false;
    await reportStagedPreflight(deps(), staged);
    expect(reports.map((r) => r.id)).toEqual(['01J0ZK4N2Q8V3W5X6Y7Z8A9B01']);
  });

  it('does nothing without a hub or a staged deployment, and logs a preflight that could not run', async () => {
    await reportStagedPreflight({ ...deps(), hub: undefined }, aDeployment({ staged: true }));
    await reportStagedPreflight(deps(), undefined);
    expect(exec.ran).toEqual([]);
    exec.on(process.execPath, { exitCode: 78, stderr: 'config: bad key' });
    await reportStagedPreflight(deps(), aDeployment({ staged: true }));
    expect(reports).toEqual([]);
    expect(
      lines.some((l) => l.includes('preflight of the staged update could not run: exit 78: config: bad key')),
    ).toBe(true);
  });
});
