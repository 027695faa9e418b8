// The workload gate: a systemd drop-in that holds a unit until greenboot declares the boot good
// (`edge-agent wait --green` waits for the same verdict: core/verdict/boot-verdict.ts).
// greenboot-healthcheck.service is RequiredBy= and Before= boot-complete.target, so a unit that
// Requires= and is After= boot-complete.target starts only after the required checks passed and
// never on a red boot (its start job fails with "dependency"). A rollback returns /var to the old
// state, so workloads must not write data before that point.

export const GATE_DROPIN_NAME = '50-edge-agent-gate.conf';
const MARKER = '# Written by edge-agent';

export const gateDropInPath = (unit: string) => `/etc/systemd/system/${unit}.d/${GATE_DROPIN_NAME}`;

export function renderGateDropIn(unit: string): string {
  return `${MARKER} (edge-agent gate add ${unit}); edge-agent owns this file.
# Remove it with: edge-agent gate remove ${unit}
# Holds ${unit} until greenboot declares the boot good: boot-complete.target is reached only
# when greenboot-healthcheck.service passes, so on a red boot this unit does not start.
[Unit]
Requires=boot-complete.target
After=boot-complete.target
`;
}

export function isGateDropIn(text: string): boolean {
  return text.startsWith(MARKER);
}

// systemd's unit name rules (unit_name_is_valid): at most 255 bytes, a known type suffix, a
// non-empty prefix of [A-Za-z0-9:_.\-], optionally `@instance` (the instance may be empty: a template).
const UNIT_TYPES = [
  'service',
  'socket',
  'target',
  'device',
  'mount',
  'automount',
  'swap',
  'timer',
  'path',
  'slice',
  'scope',
];
const GATEABLE_TYPES = ['service', 'socket', 'timer', 'path', 'target', 'mount', 'automount'];
const NAME = /^([A-Za-z0-9:_.\\-]+)(@[A-Za-z0-9:_.\\@-]*)?\.([a-z]+)$/;

// Targets every boot goes through: gating one holds the whole boot (or makes an ordering cycle
// with the checks that decide the gate).
const BOOT_TARGETS = [
  'default',
  'basic',
  'sysinit',
  'multi-user',
  'graphical',
  'sockets',
  'timers',
  'paths',
  'local-fs',
  'local-fs-pre',
  'remote-fs',
  'network',
  'network-online',
  'network-pre',
  'nss-lookup',
  'time-sync',
  'getty',
  'rescue',
  'emergency',
  'shutdown',
  'reboot',
  'poweroff',
  'halt',
  'final',
  'umount',
  'edge-device',
].map((t) => `${t}.target`);

export type UnitNameCheck = { ok: true; unit: string } | { ok: false; reason: string };

/** Check a unit name against systemd's rules; `.service` is added when there is no type suffix, as systemctl does. */
export function parseUnitName(input: string): UnitNameCheck {
  if (input === '') return { ok: false, reason: 'the unit name is empty' };
  if (input.includes('/'))
    return { ok: false, reason: `'${input}' is a path, not a unit name (give e.g. myapp.service)` };
  const suffix = /\.([a-z]+)$/.exec(input)?.[1];
  const unit = suffix && UNIT_TYPES.includes(suffix) ? input : `${input}.service`;
  if (new TextEncoder().encode(unit).length > 255)
    return { ok: false, reason: `'${unit}' is longer than 255 bytes, systemd's limit for unit names` };
  if (!NAME.test(unit))
    return {
      ok: false,
      reason: `'${input}' is not a valid systemd unit name (letters, digits, ':', '_', '.', '-', '\\', one '@' before an instance, and a type suffix such as .service)`,
    };
  return { ok: true, unit };
}

/** A valid unit name that may be gated (`gate add`); the reason says why not otherwise. */
export function checkGateUnitName(input: string): UnitNameCheck {
  const parsed = parseUnitName(input);
  if (!parsed.ok) return parsed;
  const [, prefix, , type] = NAME.exec(parsed.unit) as RegExpExecArray;
  if (!GATEABLE_TYPES.includes(type as string)) {
    return {
      ok: false,
      reason: `${parsed.unit}: .${type} units cannot be gated (only ${GATEABLE_TYPES.map((t) => `.${t}`).join(', ')} units have start jobs worth holding)`,
    };
  }
  const refused = refusal(parsed.unit, prefix as string);
  return refused ? { ok: false, reason: refused } : parsed;
}

function refusal(unit: string, prefix: string): string | undefined {
  if (/^(greenboot|redboot)([-.@]|$)/.test(prefix) || unit === 'boot-complete.target' || unit === 'redboot.target') {
    return `${unit} is part of greenboot, which decides whether the boot is good: gating it on boot-complete.target would be a dependency cycle and the boot could never be declared good`;
  }
  if (
    /^microshift([-.@]|$)/.test(prefix) ||
    ['crio.service', 'openvswitch.service', 'ovsdb-server.service', 'ovs-vswitchd.service'].includes(unit)
  ) {
    return `${unit} is MicroShift or something it needs: the health check waits for MicroShift to be ready, so gating it on the verdict would deadlock the boot (MicroShift waits for the verdict, the verdict waits for MicroShift) and every update would roll back`;
  }
  if (/^edge-agent([-.@]|$)/.test(prefix)) {
    return `${unit} belongs to edge-agent, which runs the health checks and records the verdict during the boot: gating it would stop it from doing that`;
  }
  if (/^systemd-/.test(prefix) || /^dbus([-.]|$)/.test(prefix) || BOOT_TARGETS.includes(unit)) {
    return `${unit} is part of the boot itself (systemd, D-Bus or a boot target) that greenboot's checks run in: gating it would hold the whole boot or create an ordering cycle`;
  }
  return undefined;
}
