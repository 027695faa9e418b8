import { describe, expect, it } from 'vitest';
import {
  checkGateUnitName,
  gateDropInPath,
  isGateDropIn,
  parseUnitName,
  renderGateDropIn,
} from '../../../agent/core/gate.js';

describe('unit names (systemd rules)', () => {
  it.each([
    ['myapp', 'myapp.service'],
    ['myapp.service', 'myapp.service'],
    ['my-app_2:x.service', 'my-app_2:x.service'],
    ['web.socket', 'web.socket'],
    ['nightly.timer', 'nightly.timer'],
    ['workloads.target', 'workloads.target'],
    ['data.mount', 'data.mount'],
    ['app@.service', 'app@.service'],
    ['app@1.service', 'app@1.service'],
    ['app@tenant-a', 'app@tenant-a.service'],
    ['app.v2', 'app.v2.service'],
    // systemd allows '@' inside an instance (unit_instance_is_valid).
    ['a@b@c', 'a@b@c.service'],
    ['dev-sda1\\x2dx.service', 'dev-sda1\\x2dx.service'],
    ['a'.repeat(247), `${'a'.repeat(247)}.service`],
  ])('%s is gated as %s', (input, unit) => {
    expect(checkGateUnitName(input)).toEqual({ ok: true, unit });
  });

  it.each([
    ['', /empty/],
    ['/etc/systemd/system/app.service', /is a path/],
    ['my app.service', /not a valid systemd unit name/],
    ['app$.service', /not a valid systemd unit name/],
    ['.service', /not a valid systemd unit name/],
    ['@x.service', /not a valid systemd unit name/],
    ['ä.service', /not a valid/],
    ['a'.repeat(248), /longer than 255 bytes/],
    ['dev-sda.device', /\.device units cannot be gated/],
    ['user.slice', /\.slice units cannot be gated/],
    ['session-1.scope', /\.scope units cannot be gated/],
    ['dev-sda2.swap', /\.swap units cannot be gated/],
  ])('%j is refused: %s', (input, reason) => {
    const result = checkGateUnitName(input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(reason);
  });

  it.each([
    ['greenboot-healthcheck.service', /part of greenboot.*dependency cycle/],
    ['greenboot-task-runner', /part of greenboot/],
    ['redboot-auto-reboot.service', /part of greenboot/],
    ['redboot.target', /part of greenboot/],
    ['boot-complete.target', /part of greenboot/],
    ['microshift', /MicroShift.*deadlock/],
    ['microshift-etcd.service', /MicroShift/],
    ['crio.service', /MicroShift or something it needs/],
    ['ovsdb-server', /MicroShift or something it needs/],
    ['edge-agent.service', /belongs to edge-agent.*records the verdict/],
    ['edge-agent-hub.timer', /belongs to edge-agent/],
    ['systemd-journald.service', /part of the boot itself/],
    ['dbus.service', /part of the boot itself/],
    ['multi-user.target', /part of the boot itself/],
    ['default.target', /part of the boot itself/],
  ])('%s is refused with the reason', (input, reason) => {
    const result = checkGateUnitName(input);
    expect(result).toMatchObject({ ok: false });
    if (!result.ok) expect(result.reason).toMatch(reason);
  });

  it('does not refuse units that merely start with a similar word', () => {
    expect(checkGateUnitName('microshiftish-app').ok).toBe(true);
    expect(checkGateUnitName('edge-agentless.service').ok).toBe(true);
    expect(checkGateUnitName('greenbooty.service').ok).toBe(true);
  });

  it('parses names it would refuse to gate, so such a gate can still be removed', () => {
    expect(parseUnitName('microshift')).toEqual({ ok: true, unit: 'microshift.service' });
  });
});

describe('gate drop-in', () => {
  it('orders the unit after the good boot and requires it, saying who owns the file', () => {
    const text = renderGateDropIn('myapp.service');
    expect(text).toMatch(
      /^# Written by edge-agent \(edge-agent gate add myapp\.service\); edge-agent owns this file\.\n/,
    );
    expect(text).toContain('edge-agent gate remove myapp.service');
    expect(text.endsWith('[Unit]\nRequires=boot-complete.target\nAfter=boot-complete.target\n')).toBe(true);
    expect(isGateDropIn(text)).toBe(true);
    expect(isGateDropIn('[Unit]\nAfter=boot-complete.target\n')).toBe(false);
    expect(gateDropInPath('myapp.service')).toBe('/etc/systemd/system/myapp.service.d/50-edge-agent-gate.conf');
  });
});
