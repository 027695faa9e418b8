// Which greenboot scripts ran in a boot, read back from greenboot's journal (`journalctl -o json`
// lines). bash greenboot 0.15.x runs each script as `systemd-cat -t <script name> bash <script>`
// and then logs, under its own identifier, "Script '<name>' SUCCESS" or "Script '<name>' FAILURE
// (exit code 'N')", after a "Running <Kind> Scripts..." heading per directory; a required failure
// ends the run. So a script's outcome is greenboot's result line, its output is what its own
// identifier logged before that line, and its duration is the time since the previous greenboot
// line. greenboot-rs (0.16+) logs "running <kind> check <path>", then "<kind> script <path>
// success!" or, once the directory is done, "<kind> script <path> failed!" followed by the
// script's captured stdout and stderr, one journal line each; it gives no exit code, and the
// duration is the time from "running" to greenboot's next line. Everything here comes from outside (any vendor's script names and output): each line is
// bounded and escaped, and a line that is not what we expect is counted, never fatal. Pure.
import { terminalSafe } from './terminal-text.js';

export type ScriptKind = 'required' | 'wanted' | 'green' | 'red';
export type ScriptOutcome = 'success' | 'failure' | 'disabled';

export interface GreenbootScriptResult {
  name: string;
  kind: ScriptKind;
  /** The directory greenboot named in its heading, when it did. */
  dir?: string;
  outcome: ScriptOutcome;
  exitCode?: number;
  durationMs?: number;
  /** The script's last lines (failures only): at most LAST_LINES, each at most LINE_CHARS, escaped. */
  lastLines?: string[];
}

export interface GreenbootScriptsRun {
  scripts: GreenbootScriptResult[];
  /** The required script that ended the run (greenboot stops there). */
  firstRequiredFailure?: string;
  verdict?: 'green' | 'red';
  /** Lines that were not journal JSON, too long to read, or had no usable message. */
  ignoredLines: number;
}

export const LAST_LINES = 10;
export const LINE_CHARS = 200;
/** A journal line longer than this is not parsed (its MESSAGE would be cut anyway). */
export const MAX_JSON_LINE = 256 * 1024;
const MAX_SCRIPTS = 200;

const kinds: Record<string, ScriptKind> = {
  'required health check': 'required',
  'wanted health check': 'wanted',
  green: 'green',
  red: 'red',
};

// Headings: "Running Required Health Check Scripts..." (0.15.x), optionally naming the directory.
const HEADING = /^Running (Required Health Check|Wanted Health Check|Green|Red) Scripts(?: in '([^']*)')?/i;
// DISABLED is not greenboot's word: a "skipped, as specified in config" line is read as one.
const RESULT = /^Script '(.*)' (SUCCESS|FAILURE \(exit code '(\d+)'\)|DISABLED)/;
// bash greenboot 0.15.x says of a script named in DISABLED_HEALTHCHECKS only that it "was skipped,
// as specified in config" (and "was skipped due to a previous failure" of the required scripts
// after the first failing one: those did not run, so they are not listed).
const SKIPPED_BY_CONFIG = /^'(.*)' was skipped, as specified in config$/;
// Priority prefixes greenboot writes for systemd-cat / journald stream parsing ("<0>", "<6>").
const PRIORITY = /^<\d>/;
// greenboot-rs (env_logger) may prefix "[<time> <LEVEL> <target>] ".
const RS_PREFIX = /^\[[^\]]{0,200}\]\s*/;
const RS_RUNNING = /^running (required|wanted|green|red) check (.+)$/;
const RS_RESULT = /^(required|wanted|green|red) script (.+) (success|failed)!$/;
const RS_DISABLED = /^Skipping disabled script: (.+)$/;
const baseName = (path: string) => path.replace(/\/+$/, '').split('/').pop() ?? path;

interface Entry {
  identifier: string;
  message: string;
  atUs?: number;
}

/** Bounded, escaped, one line. */
export function boundLine(text: string): string {
  const cut = text.length > LINE_CHARS * 4 ? text.slice(0, LINE_CHARS * 4) : text;
  const safe = terminalSafe(cut);
  return safe.length > LINE_CHARS ? `${safe.slice(0, LINE_CHARS - 1)}…` : safe;
}

function readEntry(line: string): Entry | undefined {
  if (line.length > MAX_JSON_LINE) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (!value || typeof value !== 'object') return undefined;
  const fields = value as Record<string, unknown>;
  const message = messageText(fields.MESSAGE);
  if (message === undefined) return undefined;
  const at = Number(fields.__REALTIME_TIMESTAMP);
  return {
    identifier: typeof fields.SYSLOG_IDENTIFIER === 'string' ? fields.SYSLOG_IDENTIFIER : '',
    message,
    ...(Number.isFinite(at) && { atUs: at }),
  };
}

// journalctl writes a MESSAGE that is not valid UTF-8 as an array of byte values.
function messageText(raw: unknown): string | undefined {
  if (typeof raw === 'string') return raw;
  if (Array.isArray(raw) && raw.length <= MAX_JSON_LINE && raw.every((b) => Number.isInteger(b) && b >= 0 && b < 256))
    return Buffer.from(raw as number[]).toString('utf8');
  return undefined;
}

export function parseGreenbootJournal(lines: Iterable<string>): GreenbootScriptsRun {
  const run: GreenbootScriptsRun = { scripts: [], ignoredLines: 0 };
  let kind: ScriptKind = 'required';
  let dir: string | undefined;
  let lastGreenbootUs: number | undefined;
  // Recent output per script identifier; cleared when greenboot reports that script.
  const output = new Map<string, string[]>();
  const rs: RsState = { started: new Map() };
  for (const line of lines) {
    if (line.trim() === '') continue;
    const entry = readEntry(line);
    if (!entry) {
      run.ignoredLines++;
      continue;
    }
    if (entry.identifier !== 'greenboot') {
      if (!entry.identifier.endsWith('.sh')) continue;
      const kept = output.get(entry.identifier) ?? [];
      // Keep only the tail: a script that prints a million lines costs LAST_LINES of memory.
      for (const part of entry.message.split('\n')) kept.push(boundLine(part));
      output.set(entry.identifier, kept.slice(-LAST_LINES));
      if (output.size > MAX_SCRIPTS) output.delete(output.keys().next().value as string);
      continue;
    }
    const message = entry.message.replace(PRIORITY, '').replace(RS_PREFIX, '');
    if (readRsLine(run, rs, message, entry.atUs)) {
      if (entry.atUs !== undefined) lastGreenbootUs = entry.atUs;
      continue;
    }
    const heading = HEADING.exec(message);
    const skipped = SKIPPED_BY_CONFIG.exec(message);
    const result = RESULT.exec(skipped ? `Script '${skipped[1]}' DISABLED` : message);
    if (heading?.[1]) {
      kind = kinds[heading[1].toLowerCase()] ?? kind;
      dir = heading[2] === undefined ? undefined : boundLine(heading[2]);
    } else if (result?.[1] !== undefined && result[2] && run.scripts.length < MAX_SCRIPTS) {
      const raw = result[1];
      const outcome: ScriptOutcome =
        result[2] === 'SUCCESS' ? 'success' : result[2] === 'DISABLED' ? 'disabled' : 'failure';
      const lastLines = output.get(raw);
      output.delete(raw);
      run.scripts.push({
        name: boundLine(raw),
        kind,
        ...(dir !== undefined && { dir }),
        outcome,
        ...(result[3] !== undefined ? { exitCode: Number(result[3]) } : outcome === 'success' ? { exitCode: 0 } : {}),
        ...(outcome !== 'disabled' &&
          entry.atUs !== undefined &&
          lastGreenbootUs !== undefined && {
            durationMs: Math.max(0, Math.round((entry.atUs - lastGreenbootUs) / 1000)),
          }),
        ...(outcome === 'failure' && lastLines && { lastLines }),
      });
      if (outcome === 'failure' && kind === 'required' && run.firstRequiredFailure === undefined)
        run.firstRequiredFailure = boundLine(raw);
    } else if (message.startsWith('Boot Status is GREEN')) run.verdict = 'green';
    else if (message.startsWith('Boot Status is RED')) run.verdict = 'red';
    if (entry.atUs !== undefined) lastGreenbootUs = entry.atUs;
  }
  return run;
}

interface RsState {
  /** Script name -> when greenboot-rs said it started it, and when its next line came. */
  started: Map<string, { atUs?: number; endUs?: number }>;
  /** The failed script whose captured output greenboot-rs is printing now. */
  capturing?: GreenbootScriptResult;
  inFlight?: string;
}

/** One greenboot-rs line; false when it is not one (then the bash rules apply). */
function readRsLine(run: GreenbootScriptsRun, rs: RsState, message: string, atUs: number | undefined): boolean {
  if (rs.inFlight !== undefined) {
    const started = rs.started.get(rs.inFlight);
    if (started && started.endUs === undefined) started.endUs = atUs;
    rs.inFlight = undefined;
  }
  const running = RS_RUNNING.exec(message);
  const result = RS_RESULT.exec(message);
  const disabled = RS_DISABLED.exec(message);
  if (running?.[1] && running[2]) {
    rs.capturing = undefined;
    const name = boundLine(baseName(running[2]));
    rs.started.set(name, { atUs });
    rs.inFlight = name;
    return true;
  }
  if (result?.[1] && result[2] && result[3] && run.scripts.length < MAX_SCRIPTS) {
    const kind =
      kinds[`${result[1]}${result[1] === 'required' || result[1] === 'wanted' ? ' health check' : ''}`] ?? 'required';
    const name = boundLine(baseName(result[2]));
    const started = rs.started.get(name);
    const endUs = started?.endUs ?? atUs;
    const durationMs =
      started?.atUs !== undefined && endUs !== undefined
        ? Math.max(0, Math.round((endUs - started.atUs) / 1000))
        : undefined;
    const script: GreenbootScriptResult = {
      name,
      kind,
      dir: boundLine(result[2].slice(0, Math.max(0, result[2].length - baseName(result[2]).length)).replace(/\/$/, '')),
      outcome: result[3] === 'success' ? 'success' : 'failure',
      ...(durationMs !== undefined && { durationMs }),
    };
    run.scripts.push(script);
    rs.capturing = script.outcome === 'failure' ? script : undefined;
    if (script.outcome === 'failure' && kind === 'required' && run.firstRequiredFailure === undefined)
      run.firstRequiredFailure = name;
    return true;
  }
  if (disabled?.[1]) {
    rs.capturing = undefined;
    if (run.scripts.length < MAX_SCRIPTS)
      run.scripts.push({ name: boundLine(disabled[1]), kind: 'required', outcome: 'disabled' });
    return true;
  }
  if (
    rs.capturing &&
    !HEADING.test(message) &&
    !RESULT.test(message) &&
    !/^(required|wanted) (script|health-check)/.test(message)
  ) {
    // The failed script's captured output, printed after greenboot-rs's "failed!" line.
    if (message.trim() !== '')
      rs.capturing.lastLines = [...(rs.capturing.lastLines ?? []), boundLine(message)].slice(-LAST_LINES);
    return true;
  }
  rs.capturing = undefined;
  return false;
}

/** Greenboot's own default checks, which run before anything in /etc (edge-agent's check included). */
export const GREENBOOT_OWN_CHECKS: Record<string, string> = {
  '01_repository_dns_check.sh': "greenboot's DNS check (the ostree remote's host name must resolve)",
  '02_watchdog.sh': "greenboot's watchdog check",
};

/** A few words on why a required script failed, for one-line summaries. */
export function summarizeRequiredFailure(
  run: Pick<GreenbootScriptsRun, 'scripts' | 'firstRequiredFailure'>,
): string | undefined {
  const name = run.firstRequiredFailure;
  if (name === undefined) return undefined;
  const own = GREENBOOT_OWN_CHECKS[name];
  if (own !== undefined) return `${own}; edge-agent's check did not run`;
  const script = run.scripts.find((s) => s.name === name && s.kind === 'required' && s.outcome === 'failure');
  return script?.lastLines?.at(-1) ?? `exit code ${script?.exitCode ?? 'unknown'}`;
}

/**
 * Why a boot went red when edge-agent's own checks did not say so: the required script greenboot
 * stopped at, its exit code and last line; for greenboot's own checks, that edge-agent's check
 * never ran (greenboot runs /usr/lib/greenboot/check/required.d before /etc/…/required.d and
 * stops at the first failure) and what an operator can do about it.
 */
export function describeRequiredFailure(
  run: Pick<GreenbootScriptsRun, 'scripts' | 'firstRequiredFailure'>,
): string | undefined {
  const name = run.firstRequiredFailure;
  if (name === undefined) return undefined;
  const script = run.scripts.find((s) => s.name === name && s.kind === 'required' && s.outcome === 'failure');
  const code = script?.exitCode === undefined ? '' : ` with exit code ${script.exitCode}`;
  const last = script?.lastLines?.at(-1);
  const said = last === undefined ? '' : `; its last line: "${last}"`;
  const own = GREENBOOT_OWN_CHECKS[name];
  if (own !== undefined) {
    return `greenboot's required script ${name} (${own}) failed${code}${said}. greenboot stops at the first failing required script, so edge-agent's check did not run. If this device is meant to work offline, list the script in DISABLED_HEALTHCHECKS in /etc/greenboot/greenboot.conf (greenboot 0.15.5 or later), e.g. DISABLED_HEALTHCHECKS=( "${name}" )`;
  }
  return `greenboot's required script ${name} failed${code}${said}`;
}
