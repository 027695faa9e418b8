// `edge-agent preflight [--json] [--offline|--online]`: whether this device can take an update
// safely, before `rpm-ostree upgrade` or before rebooting into a staged update.
import { planPreflight } from '../../core/preflight/plan.js';
import { preflightJson, renderPreflight } from '../../core/preflight/report.js';
import { displayJson } from '../../core/terminal-text.js';
import { UsageError } from '../../errors.js';
import type { CommandMain } from '../types.js';
import { gatherPreflightFacts } from './facts.js';

export const main: CommandMain = async ({ flags }, { host, config, signal, out }) => {
  if (flags.offline && flags.online) throw new UsageError('--offline and --online exclude each other');
  const registry = flags.offline ? 'offline' : flags.online ? 'online' : undefined;
  const facts = await gatherPreflightFacts({ host, config, signal, registry });
  const json = preflightJson(planPreflight(facts), facts, new Date(host.clock.now()));
  out(flags.json ? `${displayJson(json, 2)}\n` : renderPreflight(json));
  return json.exitCode;
};
