// The wait budget of a boot, computed exactly like MicroShift's get_wait_timeout (greenboot
// functions, 4.15): T = base x (max - boot_counter). Each later attempt of an update waits
// longer, so slow hardware or a first-boot image pull gets a second, longer chance before the
// rollback. Matching MicroShift keeps our checks and its own scripts on the same clock.
import { describeBootAttempt, parseBootCounter, type GreenbootImplementation } from './greenboot.js';

export interface WaitBudgetInput {
  implementation: GreenbootImplementation;
  /** boot_counter from the grubenv as read; undefined or '' = unset. */
  bootCounter?: string | number;
  /** MICROSHIFT_WAIT_TIMEOUT_SEC from greenboot.conf, as written. */
  waitTimeoutSec?: string;
  /** GREENBOOT_MAX_BOOT_ATTEMPTS from greenboot.conf, as written. */
  maxBootAttempts?: string;
  /** GREENBOOT_MAX_BOOTS (the key MicroShift ≤ 4.15 reads by mistake): only used when the proper key is absent. */
  legacyMaxBoots?: string;
  /** microshift.waitTimeoutSec of our config: replaces MICROSHIFT_WAIT_TIMEOUT_SEC when set. */
  baseOverrideSec?: number;
  /** MicroShift version ("4.14.3"): before 4.15 the default base was 300 s. */
  microshiftVersion?: string;
}

export interface WaitBudget {
  budgetSec: number;
  base: number;
  max: number;
  /** boot_counter as read; undefined = unset. */
  counter: number | undefined;
  /** The counter the formula used (an unset counter counts as max - 1). */
  effectiveCounter: number;
  attempt: number | undefined;
  attempts: number;
  fallback: boolean;
  noCounter: boolean;
  /** base x (max - counter) was not positive, so the budget is the base. */
  clamped: boolean;
  implementation: GreenbootImplementation;
  /** One line per input that was invalid, naming the value and the default used. */
  warnings: string[];
  inputs: WaitBudgetInput;
}

const MIN_BASE = 60;
const DEFAULT_MAX = 3;

export function computeWaitBudget(inputs: WaitBudgetInput): WaitBudget {
  const warnings: string[] = [];
  const base = resolveBase(inputs, warnings);
  const max = resolveMax(inputs, warnings);
  const parsed = parseBootCounter(inputs.bootCounter);
  if (!parsed.valid)
    warnings.push(`Could not parse boot_counter value '${String(inputs.bootCounter)}': treating it as unset`);
  const counter = parsed.counter;
  const effectiveCounter = counter ?? max - 1;
  const product = base * (max - effectiveCounter);
  const clamped = product <= 0;
  return {
    budgetSec: clamped ? base : product,
    base,
    max,
    counter,
    effectiveCounter,
    ...describeBootAttempt(inputs.implementation, counter, max),
    clamped,
    implementation: inputs.implementation,
    warnings,
    inputs,
  };
}

// MicroShift's rules, including its quirks: an empty value is unset (bash `${X:-600}`), and the
// pattern is ^[1-9][0-9]{0,3}$, so "0" and "0600" are invalid (default) while "30" is valid
// and then raised to 60.
function resolveBase(inputs: WaitBudgetInput, warnings: string[]): number {
  const fallback = defaultBase(inputs.microshiftVersion, warnings);
  const [key, raw] =
    inputs.baseOverrideSec !== undefined
      ? ['microshift.waitTimeoutSec', String(inputs.baseOverrideSec)]
      : ['MICROSHIFT_WAIT_TIMEOUT_SEC', inputs.waitTimeoutSec];
  if (raw === undefined || raw === '') return fallback;
  if (!/^[1-9][0-9]{0,3}$/.test(raw)) {
    warnings.push(`Could not parse ${key} value '${raw}': using '${fallback}' instead`);
    return fallback;
  }
  const base = Number(raw);
  if (base >= MIN_BASE) return base;
  warnings.push(`${key} value '${raw}' is less than ${MIN_BASE}: using '${MIN_BASE}' instead`);
  return MIN_BASE;
}

function defaultBase(version: string | undefined, warnings: string[]): number {
  if (version === undefined) return 600;
  const match = /^v?(\d+)\.(\d+)/.exec(version.trim());
  if (!match) {
    warnings.push(`Could not parse MicroShift version '${version}': using the default base of 4.15 and later (600)`);
    return 600;
  }
  const [major, minor] = [Number(match[1]), Number(match[2])];
  return major < 4 || (major === 4 && minor <= 14) ? 300 : 600;
}

function resolveMax(inputs: WaitBudgetInput, warnings: string[]): number {
  let key = 'GREENBOOT_MAX_BOOT_ATTEMPTS';
  let raw = inputs.maxBootAttempts;
  if ((raw === undefined || raw === '') && inputs.legacyMaxBoots !== undefined && inputs.legacyMaxBoots !== '') {
    key = 'GREENBOOT_MAX_BOOTS';
    raw = inputs.legacyMaxBoots;
    warnings.push(
      `GREENBOOT_MAX_BOOT_ATTEMPTS is unset: using GREENBOOT_MAX_BOOTS value '${raw}' (the key MicroShift 4.15 and older read)`,
    );
  }
  if (raw === undefined || raw === '') return DEFAULT_MAX;
  if (/^[1-9]$/.test(raw)) return Number(raw);
  warnings.push(`${key} value '${raw}' is not in the [1..9] range: using '${DEFAULT_MAX}' instead`);
  return DEFAULT_MAX;
}

const implementationNames: Record<GreenbootImplementation, string> = {
  bash: 'bash greenboot',
  rs: 'greenboot-rs',
  unknown: 'unknown greenboot',
};

/** The one journal line that shows every input and the result. */
export function formatWaitBudget(budget: WaitBudget): string {
  const counter =
    budget.counter === undefined ? `boot_counter unset=${budget.effectiveCounter}` : `boot_counter ${budget.counter}`;
  const source = budget.inputs.baseOverrideSec !== undefined ? ' from edge-agent config' : '';
  const base = `base ${budget.base}s${source}`;
  const formula = `${base} x (max ${budget.max} - ${counter})`;
  const product = budget.base * (budget.max - budget.effectiveCounter);
  const result = budget.clamped ? `${base}, since ${formula} = ${product}s is not positive` : formula;
  return `Wait budget ${budget.budgetSec}s = ${result} [${attemptLabel(budget)}, ${implementationNames[budget.implementation]}]`;
}

function attemptLabel(budget: WaitBudget): string {
  if (budget.fallback) return 'fallback boot';
  if (budget.attempt === undefined) return `attempt unknown of ${budget.attempts}`;
  return `attempt ${budget.attempt} of ${budget.attempts}${budget.noCounter ? ', no update on trial' : ''}`;
}
