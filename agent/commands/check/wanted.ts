// Built-in wanted checks: things an operator should fix, never reasons to roll back. None of
// them needs the network: an offline device must not be warned into a boot loop either.
import { statfs } from 'node:fs/promises';
import type { CheckReport } from '../../core/check-result.js';
import type { RunnableCheck } from '../../core/check-runner.js';
import type { Config } from '../../config/schema.js';
import type { CheckDeps } from './check-deps.js';
import { scriptNames } from './greenboot-scripts.js';
import { readPullSecret } from '../../host/pull-secret.js';
import { configuredMirrors } from '../../host/readiness.js';
import { mirrorHosts } from '../../core/readiness/mirrors.js';

export interface WantedFacts {
  microshiftInstalled: boolean;
  disabledHealthchecks: string[];
}

const pass = (message: string, observation?: Record<string, unknown>): CheckReport => ({
  outcome: 'pass',
  reason: 'ok',
  message,
  observation,
});
const warn = (reason: string, message: string, observation?: Record<string, unknown>): CheckReport => ({
  outcome: 'fail',
  reason,
  message,
  observation,
});
const skip = (reason: string, message: string): CheckReport => ({ outcome: 'skipped', reason, message });

export function createWantedChecks(config: Config, facts: WantedFacts, deps: CheckDeps): RunnableCheck[] {
  const w = config.wanted;
  const check = (id: string, run: () => Promise<CheckReport>): RunnableCheck => ({ id, class: 'wanted', run });
  return [
    check('journal-persistent', async () => {
      const storage = await journalStorage(deps);
      const persistent = storage === 'persistent' || (storage === 'auto' && (await deps.fs.exists('/var/log/journal')));
      return persistent
        ? pass(`journald keeps logs on disk (Storage=${storage})`)
        : warn(
            'journal-volatile',
            `journald logs are lost at reboot (Storage=${storage}): run 'edge-agent journal persist'`,
            { storage },
          );
    }),
    check('pull-secret', async () => {
      if (!facts.microshiftInstalled) return skip('microshift-absent', 'MicroShift is not installed');
      const info = await deps.fs.info(w.pullSecret);
      if (!info)
        return warn(
          'pull-secret-missing',
          `pull secret ${w.pullSecret} is missing: image pulls from registries that need it will fail`,
        );
      const problems = [
        info.uid !== 0 || info.gid !== 0 ? `owner ${info.uid}:${info.gid} (want root:root)` : '',
        info.mode !== 0o600 ? `mode ${info.mode.toString(8).padStart(4, '0')} (want 0600)` : '',
      ].filter(Boolean);
      if (problems.length)
        return warn('pull-secret-permissions', `pull secret ${w.pullSecret}: ${problems.join(', ')}`);
      const read = await readPullSecret(
        deps.fs,
        w.pullSecret,
        await configuredMirrors(deps.fs, w.registryMirrorConfig),
      );
      if (read.state === 'read' && read.fact.problem)
        return warn(read.fact.valid ? 'pull-secret-mirror-missing' : 'pull-secret-invalid', read.fact.problem);
      return pass(`pull secret ${w.pullSecret} present, root:root 0600, valid JSON with "auths"`);
    }),
    check('firewall-trusted', async () => {
      const systemd = await deps.systemd();
      if ((await systemd.unit('firewalld.service')).activeState !== 'active')
        return skip('firewalld-inactive', 'firewalld is not running');
      const result = await deps.exec.run('firewall-cmd', ['--zone=trusted', '--list-sources'], { timeoutMs: 5000 });
      // firewall-cmd exits non-zero when firewalld is not answering: a warning, not a crash.
      if (result.exitCode !== 0)
        return warn('firewall-unknown', `firewall-cmd failed: ${result.stderr.trim() || `exit ${result.exitCode}`}`);
      const sources = result.stdout.trim().split(/\s+/);
      const missing = ['10.42.0.0/16', '169.254.169.1'].filter((s) => !sources.includes(s));
      return missing.length
        ? warn('firewall-trusted-missing', `firewalld trusted zone lacks MicroShift sources: ${missing.join(', ')}`)
        : pass('firewalld trusted zone has the MicroShift sources');
    }),
    check('lvm-free', async () => {
      const result = await deps.exec
        .run('vgs', ['--noheadings', '--units', 'g', '--nosuffix', '-o', 'vg_name,vg_free'], { timeoutMs: 10_000 })
        .catch(() => undefined);
      // No vgs at all (exit 127 or not found): LVM is not used on this host.
      if (!result || result.exitCode === 127) return skip('vgs-absent', 'vgs is not installed');
      if (result.exitCode !== 0) return warn('vgs-failed', `vgs failed: ${result.stderr.trim()}`);
      const groups = new Map(
        result.stdout
          .trim()
          .split('\n')
          .filter(Boolean)
          .map((l) => l.trim().split(/\s+/) as [string, string])
          .map(([n, f]) => [n, Number(f)]),
      );
      const free = groups.get(w.vgName);
      if (free === undefined)
        return warn(
          'vg-missing',
          `volume group ${w.vgName} not found (have: ${[...groups.keys()].join(', ') || 'none'})`,
        );
      return free < w.vgMinFreeGiB
        ? warn('vg-low', `volume group ${w.vgName} has ${free}G free, below ${w.vgMinFreeGiB}G`)
        : pass(`volume group ${w.vgName} has ${free}G free`);
    }),
    check('var-free', async () => {
      const stats = await statfs(deps.fs.resolve('/var'));
      const freeMiB = Math.floor((stats.bavail * stats.bsize) / 1048576);
      return freeMiB < w.varMinFreeMiB
        ? warn('var-low', `/var has ${freeMiB} MiB free, below ${w.varMinFreeMiB} MiB`, { freeMiB })
        : pass(`/var has ${freeMiB} MiB free`, { freeMiB });
    }),
    check('clock-synchronized', async () => {
      if (!w.clockSyncRequired) return skip('disabled', 'clock synchronisation not required by config');
      const result = await deps.exec
        .run('timedatectl', ['show', '-p', 'NTPSynchronized', '--value'], { timeoutMs: 5000 })
        .catch(() => undefined);
      if (!result || result.exitCode !== 0)
        return warn('clock-unknown', 'cannot tell whether the clock is synchronised (timedatectl failed)');
      return result.stdout.trim() === 'yes'
        ? pass('system clock is synchronised')
        : warn('clock-unsynchronized', 'system clock is not synchronised (TLS and certificates may fail)');
    }),
    check('registry-mirror', async () => {
      const files = (await deps.fs.list(w.registryMirrorConfig)).filter((f) => f.endsWith('.conf'));
      if (files.length === 0) return skip('no-mirror', 'no registry mirror configured');
      const problems: string[] = [];
      for (const file of files) {
        const text = await deps.fs.readText(`${w.registryMirrorConfig}/${file}`).catch(() => undefined);
        if (text === undefined) problems.push(`${file} unreadable`);
        for (const host of mirrorHosts(text ?? '')) {
          const certs = await deps.fs.list(`/etc/containers/certs.d/${host}`);
          const anchors = await deps.fs.list('/etc/pki/ca-trust/source/anchors');
          if (certs.length === 0 && anchors.length === 0) problems.push(`no CA for mirror ${host}`);
        }
      }
      return problems.length
        ? warn('mirror-config', `registry mirror: ${problems.join('; ')}`)
        : pass(`registry mirror config readable (${files.join(', ')})`);
    }),
    check('greenboot-enabled', async () => {
      const systemd = await deps.systemd();
      return (await systemd.isEnabled('greenboot-healthcheck.service'))
        ? pass('greenboot-healthcheck.service is enabled')
        : warn(
            'greenboot-disabled',
            'greenboot-healthcheck.service is not enabled: boots are not checked and bad updates are not rolled back',
          );
    }),
    check('disabled-healthchecks', async () => {
      if (facts.disabledHealthchecks.length === 0) return pass('DISABLED_HEALTHCHECKS is empty');
      const known = new Set(await scriptNames(deps.fs));
      const unknown = facts.disabledHealthchecks.filter((name) => !known.has(name));
      return unknown.length
        ? warn('disabled-unknown', `DISABLED_HEALTHCHECKS names no script: ${unknown.join(', ')}`)
        : pass(`DISABLED_HEALTHCHECKS disables ${facts.disabledHealthchecks.join(', ')}`);
    }),
  ];
}

/** Storage= as journald will use it: journald.conf, then drop-ins (last one wins). */
async function journalStorage(deps: CheckDeps): Promise<string> {
  let storage = 'auto';
  const files = ['/etc/systemd/journald.conf'];
  const dropIns = new Map<string, string>();
  for (const dir of [
    '/usr/lib/systemd/journald.conf.d',
    '/run/systemd/journald.conf.d',
    '/etc/systemd/journald.conf.d',
  ]) {
    for (const name of await deps.fs.list(dir)) if (name.endsWith('.conf')) dropIns.set(name, `${dir}/${name}`);
  }
  files.push(...[...dropIns.keys()].sort().map((name) => dropIns.get(name) as string));
  for (const file of files) {
    const text = (await deps.fs.readText(file)) ?? '';
    for (const [, value] of text.matchAll(/^\s*Storage\s*=\s*(\S+)/gm)) storage = value as string;
  }
  return storage;
}
