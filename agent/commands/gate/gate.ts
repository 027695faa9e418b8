// `edge-agent gate add UNIT`, `gate remove UNIT`, `gate list [--json]`: hold workloads until the
// boot is declared good (see core/gate.ts for how). add/remove exit 0 when the gate is (or already
// was) in the wanted state; a refused unit name is a usage error (64) that says why.
import { checkGateUnitName, parseUnitName } from '../../core/gate.js';
import { PermissionError, UsageError } from '../../errors.js';
import { ExitCode } from '../../exit-codes.js';
import { addGate, listGates, removeGate, type GateChange, type GateDeps } from './gate-drop-ins.js';
import type { CommandMain, Deps, Invocation } from '../types.js';

export const add: CommandMain = (invocation, deps) => change('add', invocation, deps);
export const remove: CommandMain = (invocation, deps) => change('remove', invocation, deps);

export const list: CommandMain = async ({ flags }, deps) =>
  withGateDeps(deps, async (gateDeps) => {
    const { gates, warnings } = await listGates(gateDeps);
    for (const w of warnings) deps.log.warn(w);
    if (flags.json) {
      deps.out(`${JSON.stringify({ schema: 1, gates, warnings }, null, 2)}\n`);
    } else if (gates.length === 0) {
      deps.out('No gated units (edge-agent gate add UNIT holds a unit until the boot is declared good).\n');
    } else {
      const width = Math.max(...gates.map((g) => g.unit.length));
      for (const g of gates)
        deps.out(
          `${g.unit.padEnd(width)}  ${g.activeState ?? 'unknown'}${g.unitFileState ? ` (${g.unitFileState})` : ''}  ${g.dropIn}\n`,
        );
    }
    return ExitCode.Ok;
  });

async function change(action: 'add' | 'remove', { flags, positionals }: Invocation, deps: Deps): Promise<number> {
  if (positionals.length !== 1)
    throw new UsageError(`gate ${action} takes exactly one unit name (got ${positionals.length})`);
  // Removing stays possible for any valid name, including one a newer edge-agent would refuse.
  const checked = (action === 'add' ? checkGateUnitName : parseUnitName)(positionals[0] as string);
  if (!checked.ok)
    throw new UsageError(action === 'add' ? `cannot gate ${positionals[0]}: ${checked.reason}` : checked.reason);
  const { unit } = checked;
  if (!deps.host.isRoot)
    throw new PermissionError(
      'needs-root',
      `gate ${action} writes /etc/systemd/system/ and reloads systemd: run it as root`,
    );
  return withGateDeps(deps, async (gateDeps) => {
    const result = action === 'add' ? await addGate(gateDeps, unit) : await removeGate(gateDeps, unit);
    if (result.changed)
      deps.log.info(
        { unit, gate: action },
        action === 'add'
          ? `Gated ${unit}: it starts only after the boot is declared good`
          : `Removed the gate of ${unit}`,
      );
    deps.out(flags.json ? `${JSON.stringify({ schema: 1, action, ...result }, null, 2)}\n` : render(action, result));
    return ExitCode.Ok;
  });
}

function withGateDeps(deps: Deps, run: (gateDeps: GateDeps) => Promise<number>): Promise<number> {
  return run({ fs: deps.host.fs, systemd: deps.host.systemd, signal: deps.signal });
}

function render(action: 'add' | 'remove', r: GateChange): string {
  if (action === 'remove')
    return r.changed
      ? `Removed the gate of ${r.unit} (${r.dropIn}); systemd reloaded.\n`
      : `${r.unit} was not gated.\n`;
  const lines = [
    r.changed
      ? `Gated ${r.unit}: it starts only after boot-complete.target (the boot declared good). Wrote ${r.dropIn}; systemd reloaded.`
      : `${r.unit} is already gated (${r.dropIn}).`,
  ];
  if (r.unitMissing) lines.push(`note: there is no unit file ${r.unit} yet; the gate applies once it is installed.`);
  if (r.alreadyActive)
    lines.push(`note: ${r.unit} is already running in this boot; the gate holds it from its next start.`);
  return `${lines.join('\n')}\n`;
}
