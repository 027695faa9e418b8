// The one-line verdict: the `summary` of `status --json`, the first line of the human view and
// the login message (host/motd.ts). The green/red steps and the daemon build the same line from
// what they know, so the message at login and `status` never disagree in wording.
import { displayText } from '../terminal-text.js';
import type { StatusState } from './schema.js';

export interface SummaryInput {
  state: StatusState;
  /** The booted deployment. */
  deployment?: { version?: string; checksum?: string };
  attempt?: number;
  attempts?: number;
  /** The first required check that failed (red). */
  failure?: { id: string; message?: string };
  /** Set when the booted deployment is where the last rollback landed. */
  rolledBackFrom?: { version?: string; checksum?: string };
  /** Why the state is unknown or degraded. */
  reason?: string;
}

export function deploymentLabel(d: { version?: string; checksum?: string } | undefined): string {
  if (!d?.checksum && !d?.version) return 'this deployment';
  const short = d.checksum ? d.checksum.slice(0, 7) : 'unknown commit';
  return d.version ? `${d.version} (${short})` : short;
}

export function summaryLine(input: SummaryInput): string {
  const name = deploymentLabel(input.deployment);
  const of =
    input.attempt !== undefined && input.attempts !== undefined && input.attempts > 1
      ? `, attempt ${input.attempt} of ${input.attempts}`
      : '';
  let line: string;
  switch (input.state) {
    case 'green':
      line = `GREEN: ${name} passed its health checks`;
      break;
    case 'red':
      line = input.failure
        ? `RED: ${name} failed check '${input.failure.id}'${input.failure.message ? `: ${clip(input.failure.message, 72)}` : ''}${of}`
        : `RED: ${name} failed its health checks${of}`;
      break;
    case 'checking':
      line = `CHECKING: ${name} is being checked${of}`;
      break;
    case 'degraded':
      line = `DEGRADED: ${name} is green, but ${input.reason ?? 'edge-agent cannot vouch for it'}`;
      break;
    default:
      line = `UNKNOWN: ${input.reason ?? 'the verdict of this boot is not known'}`;
  }
  if (input.rolledBackFrom) line += `; rolled back from ${deploymentLabel(input.rolledBackFrom)}`;
  return line;
}

function clip(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}

/** The login message: the verdict line, when it was true, and where to look. */
export function motdText(line: string, asOf: Date): string {
  const at = `${asOf.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  // Shown on every login terminal, and the line may quote a failed check's message.
  return `edge-agent: ${displayText(line)} (as of ${at}). Details: edge-agent status\n`;
}
