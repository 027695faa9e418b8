import { describe, expect, it } from 'vitest';
import { planPreflight, type PreflightFacts } from '../../../agent/core/preflight/plan.js';
import { preflightJson, renderPreflight } from '../../../agent/core/preflight/report.js';
import { PreflightSchema } from '../../../agent/core/preflight/schema.js';
import { checkCompatibility } from '../../../agent/core/readiness/compat.js';
import { compareImages } from '../../../agent/core/readiness/offline.js';

const GIB = 2 ** 30;
const manifest = {
  file: '/usr/share/microshift/release/release-x86_64.json',
  images: ['q.io/a@sha256:1', 'q.io/b@sha256:2'],
};

/** A device ready for an update: MicroShift 4.15.2 on RHEL 9.2, 4.15.5 staged, all images present. */
function healthy(): PreflightFacts {
  return {
    rpmOstree: { ok: true, value: { booted: '9.2.1 (aaaaaaa)', staged: '9.2.2 (bbbbbbb)', rollback: undefined } },
    greenboot: 'bash',
    healthcheckEnabled: 'enabled',
    budget: { maxAttempts: 3, worstCaseSec: 3600, warnings: [] },
    journal: { ok: true, value: { target: 'disk', storage: 'persistent' } },
    space: [
      { path: '/var', freeBytes: 10 * GIB, neededBytes: GIB, why: 'backup' },
      { path: '/sysroot', freeBytes: 10 * GIB, neededBytes: 0.25 * GIB, why: 'staged' },
    ],
    microshift: { installed: true, backups: 2 },
    compat: checkCompatibility({ rhel: '9.2', microshift: '4.15.2', staged: { rhel: '9.2', microshift: '4.15.5' } }),
    offline: {
      noRegistry: true,
      why: 'mirror configured',
      tree: 'staged',
      result: {
        ok: true,
        value: compareImages([manifest], [{ repoTags: [], repoDigests: ['q.io/a@sha256:1', 'q.io/b@sha256:2'] }]),
      },
    },
  };
}

const statusOf = (facts: PreflightFacts, id: string) => planPreflight(facts).items.find((i) => i.id === id);

describe('planPreflight', () => {
  it('passes every item on a device ready for an update', () => {
    const result = planPreflight(healthy());
    expect(result.items.filter((i) => i.status !== 'pass')).toEqual([]);
    expect(result.items.map((i) => i.id)).toEqual([
      'transaction',
      'rollback',
      'greenboot',
      'boot-attempts',
      'journal',
      'space-var',
      'space-sysroot',
      'microshift-backup',
      'compatibility',
      'offline-images',
    ]);
    expect(result.status).toBe('pass');
  });

  it.each<[string, (f: PreflightFacts) => void, string, 'warn' | 'fail', RegExp]>([
    [
      'transaction running',
      (f) => {
        f.rpmOstree = {
          ok: true,
          value: { booted: 'x', transaction: { title: 'upgrade', initiator: 'client(id:cli)' } },
        };
      },
      'transaction',
      'fail',
      /"upgrade" is running \(started by client\(id:cli\)\)/,
    ],
    [
      'rpm-ostree failing',
      (f) => {
        f.rpmOstree = { ok: false, reason: 'rpm-ostree status --json failed: busy' };
      },
      'rollback',
      'fail',
      /busy/,
    ],
    [
      'no greenboot',
      (f) => {
        f.greenboot = 'none';
      },
      'greenboot',
      'fail',
      /not installed/,
    ],
    [
      'healthcheck disabled',
      (f) => {
        f.healthcheckEnabled = 'disabled';
      },
      'greenboot',
      'fail',
      /greenboot-healthcheck.service is disabled/,
    ],
    [
      'one boot attempt',
      (f) => {
        f.budget = { maxAttempts: 1, worstCaseSec: 600, warnings: [] };
      },
      'boot-attempts',
      'warn',
      /without a second try/,
    ],
    [
      'a very long rollback',
      (f) => {
        f.budget = { maxAttempts: 9, worstCaseSec: 27000, warnings: [] };
      },
      'boot-attempts',
      'warn',
      /up to 7\.5 h .*more than 2\.0 h/,
    ],
    [
      'invalid greenboot.conf value',
      (f) => {
        f.budget.warnings = ["GREENBOOT_MAX_BOOT_ATTEMPTS value 'x' is not in the [1..9] range"];
      },
      'boot-attempts',
      'warn',
      /\[1\.\.9\]/,
    ],
    [
      'volatile journal',
      (f) => {
        f.journal = { ok: true, value: { target: 'memory', storage: 'auto' } };
      },
      'journal',
      'warn',
      /in memory: a red boot's evidence is lost/,
    ],
    [
      'full /var',
      (f) => {
        f.space[0]!.freeBytes = 0.5 * GIB;
      },
      'space-var',
      'fail',
      /0\.5 GiB free, 1\.0 GiB assumed \(backup\)/,
    ],
    [
      'tight /sysroot',
      (f) => {
        f.space[1]!.freeBytes = 0.4 * GIB;
      },
      'space-sysroot',
      'warn',
      /less than twice/,
    ],
    [
      'no backup',
      (f) => {
        f.microshift.backups = 0;
      },
      'microshift-backup',
      'warn',
      /no backup in \/var\/lib\/microshift-backups/,
    ],
    [
      'unsupported jump',
      (f) => {
        f.compat = checkCompatibility({
          rhel: '9.2',
          microshift: '4.14.1',
          staged: { rhel: '9.4', microshift: '4.17.0' },
        });
      },
      'compatibility',
      'warn',
      /4\.14 -> 4\.17 is not a supported update path/,
    ],
    [
      'images missing offline',
      (f) => {
        f.offline.result = { ok: true, value: compareImages([manifest], []) };
      },
      'offline-images',
      'fail',
      /2 of 2 images would need a pull: .*\(no registry access: mirror configured\)/,
    ],
    [
      'images unreadable',
      (f) => {
        f.offline.result = { ok: false, reason: "cannot list CRI-O's images: crictl images: rpc error" };
      },
      'offline-images',
      'warn',
      /cannot list CRI-O's images/,
    ],
  ])('%s', (_name, change, id, status, reason) => {
    const facts = healthy();
    change(facts);
    const found = statusOf(facts, id);
    expect(found?.status).toBe(status);
    expect(found?.reason).toMatch(reason);
    expect(planPreflight(facts).status).toBe(status);
  });

  it('lets a registry pull fill in missing images when the registry is reachable', () => {
    const facts = healthy();
    facts.offline = {
      noRegistry: false,
      why: 'no mirror',
      tree: 'staged',
      result: { ok: true, value: compareImages([manifest], []) },
    };
    expect(statusOf(facts, 'offline-images')).toMatchObject({
      status: 'pass',
      reason: expect.stringMatching(/assumed reachable/),
    });
  });

  it('takes a fail over a warning', () => {
    const facts = healthy();
    facts.microshift.backups = 0;
    facts.greenboot = 'none';
    expect(planPreflight(facts).status).toBe('fail');
  });
});

describe('preflight report', () => {
  it('gives JSON that validates against the schema, with the exit code of its status', () => {
    const facts = healthy();
    facts.journal = { ok: true, value: { target: 'memory', storage: 'volatile' } };
    const json = preflightJson(planPreflight(facts), facts, new Date('2026-12-04T20:00:00Z'));
    expect(PreflightSchema.safeParse(json).success).toBe(true);
    expect(json).toMatchObject({ schema: 1, status: 'warn', exitCode: 2, checkedAt: '2026-12-04T20:00:00.000Z' });
    expect(json.offline).toEqual({
      tree: 'staged',
      noRegistry: true,
      why: 'mirror configured',
      total: 2,
      missingCount: 0,
      missing: [],
    });
    const text = renderPreflight(json);
    expect(text).toMatch(/^WARN {2}journald persistent: Storage=volatile/m);
    expect(text).toMatch(/^Preflight: an update may proceed; read the warnings \(0 fail, 1 warn, 9 pass\)$/m);
  });
});
