import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { ConfigSchema, defaultConfig } from '../../../agent/config/schema.js';
import {
  inspectField,
  listElement,
  objectFields,
  unionOptions,
  type AnySchema,
} from '../../../agent/config/schema-walk.js';

// Every key anywhere in the schema (list items as `[]`, check kinds as `[kind=http]`).
function walk(schema: AnySchema, path: string, visit: (path: string, description: string) => void): void {
  const inner = inspectField(schema).inner;
  for (const [key, field] of objectFields(inner) ?? []) {
    visit(`${path}${path ? '.' : ''}${key}`, inspectField(field).description);
    walk(field, `${path}${path ? '.' : ''}${key}`, visit);
  }
  const element = listElement(inner);
  if (element) {
    const variants = unionOptions(element);
    if (variants) variants.forEach((variant, index) => walk(variant, `${path}[${index}]`, visit));
    else walk(element, `${path}[]`, visit);
  }
}

describe('ConfigSchema', () => {
  it('gives the complete default config for an empty file', () => {
    const config = defaultConfig();
    expect(config).toEqual(ConfigSchema.parse({}));
    expect(Object.keys(config)).toEqual([
      'microshift',
      'checks',
      'disabledChecks',
      'wanted',
      'boots',
      'journal',
      'preRollback',
      'outbox',
      'daemon',
      'log',
    ]);
    expect(config.microshift).toMatchObject({
      check: 'auto',
      kubeconfig: '/var/lib/microshift/resources/kubeadmin/kubeconfig',
      lvms: 'auto',
      restartWindowSec: 60,
      crashLoopRestarts: 3,
    });
    expect(config.microshift.waitTimeoutSec).toBeUndefined();
    expect(config.microshift.workloads).toHaveLength(10);
    expect(config.microshift.workloads.filter((w) => w.when === 'lvms').map((w) => w.name)).toEqual([
      'lvms-operator',
      'vg-manager',
    ]);
    expect(config.wanted).toEqual({
      varMinFreeMiB: 1024,
      vgMinFreeGiB: 1,
      vgName: 'rhel',
      clockSyncRequired: true,
      registryMirrorConfig: '/etc/containers/registries.conf.d',
      pullSecret: '/etc/crio/openshift-pull-secret',
    });
    expect(config.boots).toEqual({ dir: '/var/lib/edge-agent/boots', keep: 50 });
    expect(config.journal).toEqual({ ensurePersistent: true, systemMaxUse: '1G', runtimeMaxUse: '1G' });
    expect(config.preRollback).toEqual({
      microshiftCleanup: true,
      totalTimeoutSec: 120,
      stepTimeoutSec: 30,
      hooks: [],
    });
    expect(config.outbox).toEqual({ dir: '/var/lib/edge-agent/outbox', maxBytes: 5 * 1024 * 1024, maxEvents: 10000 });
    expect(config.daemon).toEqual({ healthIntervalSec: 300, updateCheckIntervalSec: 300, watchdog: true });
    expect(config.log).toEqual({ level: 'info' });
    expect(config.hub).toBeUndefined();
  });

  it('returns a fresh object each time', () => {
    const first = defaultConfig();
    first.microshift.workloads.pop();
    expect(defaultConfig().microshift.workloads).toHaveLength(10);
  });

  it('describes every key, nested ones and every check kind included, in one sentence', () => {
    const seen: string[] = [];
    const bad: string[] = [];
    walk(ConfigSchema, '', (path, description) => {
      seen.push(path);
      if (!/^\S.*\.$/.test(description) || description.includes('\n'))
        bad.push(`${path}: ${JSON.stringify(description)}`);
    });
    expect(bad).toEqual([]);
    expect(seen).toEqual(
      expect.arrayContaining([
        'microshift.workloads[].when',
        'checks[2].insecureSkipVerify',
        'checks[4].expectExit',
        'checks[0].kind',
        'preRollback.hooks[].timeoutSec',
        'hub.keepaliveSec',
        'log.level',
      ]),
    );
    expect(seen.length).toBeGreaterThan(70);
  });

  it('accepts a complete configuration and fills in defaults of list items', () => {
    const config = ConfigSchema.parse(
      parse(readFileSync(join(import.meta.dirname, '../../fixtures/config/full.yaml'), 'utf8')),
    );
    expect(config.checks[1]).toEqual({
      id: 'my-app-http',
      kind: 'http',
      class: 'wanted',
      url: 'https://127.0.0.1:8443/healthz',
      ca: '/etc/my-app/ca.crt',
      timeoutSec: 120,
      expectStatus: 200,
      insecureSkipVerify: false,
    });
    expect(config.checks[0]).toMatchObject({ class: 'required' });
    expect(config.preRollback.hooks[0]).toEqual({
      name: 'stop-my-app',
      command: ['systemctl', 'stop', 'my-app.service'],
      timeoutSec: 30,
    });
    expect(config.hub).toMatchObject({
      allowInsecure: false,
      topicPrefix: 'edge/v1',
      heartbeatSec: 3600,
      statusMinIntervalSec: 30,
      keepaliveSec: 60,
    });
  });

  it.each<[string, unknown]>([
    ['a size journald does not understand', { journal: { systemMaxUse: '1GB' } }],
    ['too few boot records', { boots: { keep: 4 } }],
    ['too many boot records', { boots: { keep: 1001 } }],
    ['a relative path', { boots: { dir: 'var/lib/boots' } }],
    ['an upper-case check id', { checks: [{ id: 'App', kind: 'unit', unit: 'a.service' }] }],
    ['a shell string as command', { checks: [{ id: 'a', kind: 'command', command: 'test -f /x' }] }],
    ['an empty command', { checks: [{ id: 'a', kind: 'command', command: [] }] }],
    ['a check without its kind', { checks: [{ id: 'a', unit: 'a.service' }] }],
    ['a key of another kind', { checks: [{ id: 'a', kind: 'tcp', host: 'x', port: 1, url: 'http://x' }] }],
    ['a port out of range', { checks: [{ id: 'a', kind: 'tcp', host: 'x', port: 0 }] }],
    ['plain mqtt:// without allowInsecure', { hub: { url: 'mqtt://broker:1883' } }],
    ['a hub URL that is not MQTT', { hub: { url: 'https://broker' } }],
    ['a client certificate without its key', { hub: { url: 'mqtts://broker', cert: '/c.crt' } }],
    ['a step longer than the whole pre-rollback', { preRollback: { totalTimeoutSec: 20, stepTimeoutSec: 30 } }],
    ['a log level pino does not have', { log: { level: 'verbose' } }],
    ['an unknown top-level key', { greenboot: {} }],
  ])('rejects %s', (_name, input) => {
    expect(ConfigSchema.safeParse(input).success).toBe(false);
  });

  it('accepts plain mqtt:// when allowInsecure is set', () => {
    expect(ConfigSchema.safeParse({ hub: { url: 'mqtt://broker:1883', allowInsecure: true } }).success).toBe(true);
  });
});
