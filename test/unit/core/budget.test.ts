import { describe, expect, it } from 'vitest';
import { computeWaitBudget, formatWaitBudget, type WaitBudgetInput } from '../../../agent/core/budget.js';
import { describeBootAttempt, rollbackImminent, type GreenbootImplementation } from '../../../agent/core/greenboot.js';

const budget = (inputs: Partial<WaitBudgetInput>) => computeWaitBudget({ implementation: 'bash', ...inputs });

describe('computeWaitBudget: the boot counter', () => {
  it.each([
    // counter, budget: T = 600 x (3 - counter); unset counts as max - 1 = 2
    [undefined, 600, false],
    ['', 600, false],
    ['2', 600, false],
    ['1', 1200, false],
    ['0', 1800, false],
    // The fallback boot: the formula has no special case, 600 x (3 - -1).
    ['-1', 2400, false],
    // T <= 0 becomes the base.
    ['3', 600, true],
    ['7', 600, true],
    [1, 1200, false],
  ])('boot_counter %j with defaults gives %ds', (bootCounter, expected, clamped) => {
    const result = budget({ bootCounter });
    expect(result).toMatchObject({ budgetSec: expected, base: 600, max: 3, clamped, warnings: [] });
  });

  it('treats a garbage counter as unset, with a warning', () => {
    const result = budget({ bootCounter: 'x1' });
    expect(result).toMatchObject({ budgetSec: 600, counter: undefined, effectiveCounter: 2 });
    expect(result.warnings).toEqual(["Could not parse boot_counter value 'x1': treating it as unset"]);
  });
});

describe('computeWaitBudget: MICROSHIFT_WAIT_TIMEOUT_SEC', () => {
  it.each([
    ['900', 900, []],
    ['9999', 9999, []],
    ['60', 60, []],
    // Empty is unset for bash ${X:-600}: the default, silently.
    ['', 600, []],
    ['abc', 600, ["Could not parse MICROSHIFT_WAIT_TIMEOUT_SEC value 'abc': using '600' instead"]],
    ['12345', 600, ["Could not parse MICROSHIFT_WAIT_TIMEOUT_SEC value '12345': using '600' instead"]],
    ['-5', 600, ["Could not parse MICROSHIFT_WAIT_TIMEOUT_SEC value '-5': using '600' instead"]],
    // MicroShift's pattern ^[1-9][0-9]{0,3}$ rejects a leading zero: "0" is invalid, not raised.
    ['0', 600, ["Could not parse MICROSHIFT_WAIT_TIMEOUT_SEC value '0': using '600' instead"]],
    ['0600', 600, ["Could not parse MICROSHIFT_WAIT_TIMEOUT_SEC value '0600': using '600' instead"]],
    ['1.5', 600, ["Could not parse MICROSHIFT_WAIT_TIMEOUT_SEC value '1.5': using '600' instead"]],
    ['30', 60, ["MICROSHIFT_WAIT_TIMEOUT_SEC value '30' is less than 60: using '60' instead"]],
    ['1', 60, ["MICROSHIFT_WAIT_TIMEOUT_SEC value '1' is less than 60: using '60' instead"]],
  ])('%j gives base %ds', (waitTimeoutSec, base, warnings) => {
    expect(budget({ waitTimeoutSec, bootCounter: '2' })).toMatchObject({ base, budgetSec: base, warnings });
  });

  it.each([
    ['4.14.10', 300],
    ['4.13.0', 300],
    ['4.15.2', 600],
    ['4.19.0-ec.1', 600],
  ])('defaults to the base of MicroShift %s: %ds', (microshiftVersion, base) => {
    expect(budget({ microshiftVersion, bootCounter: '1' })).toMatchObject({ base, budgetSec: base * 2 });
  });

  it('uses the version default for an invalid value on 4.14', () => {
    expect(budget({ microshiftVersion: '4.14.1', waitTimeoutSec: 'x' }).warnings).toEqual([
      "Could not parse MICROSHIFT_WAIT_TIMEOUT_SEC value 'x': using '300' instead",
    ]);
  });

  it('lets the edge-agent config replace greenboot.conf', () => {
    const result = budget({ baseOverrideSec: 900, waitTimeoutSec: '300', bootCounter: '1' });
    expect(result).toMatchObject({ base: 900, budgetSec: 1800 });
    expect(formatWaitBudget(result)).toBe(
      'Wait budget 1800s = base 900s from edge-agent config x (max 3 - boot_counter 1) [attempt 2 of 3, bash greenboot]',
    );
  });
});

describe('computeWaitBudget: GREENBOOT_MAX_BOOT_ATTEMPTS', () => {
  it.each([
    ['5', '0', 5, 3000, []],
    ['1', undefined, 1, 600, []],
    ['9', '8', 9, 600, []],
    ['0', '0', 3, 1800, ["GREENBOOT_MAX_BOOT_ATTEMPTS value '0' is not in the [1..9] range: using '3' instead"]],
    ['10', '0', 3, 1800, ["GREENBOOT_MAX_BOOT_ATTEMPTS value '10' is not in the [1..9] range: using '3' instead"]],
    ['x', '0', 3, 1800, ["GREENBOOT_MAX_BOOT_ATTEMPTS value 'x' is not in the [1..9] range: using '3' instead"]],
  ])('max %j, counter %j: max %d, %ds', (maxBootAttempts, bootCounter, max, budgetSec, warnings) => {
    expect(budget({ maxBootAttempts, bootCounter })).toMatchObject({ max, budgetSec, warnings });
  });

  it('uses the legacy GREENBOOT_MAX_BOOTS only when the proper key is absent', () => {
    const legacy = budget({ legacyMaxBoots: '5', bootCounter: '2' });
    expect(legacy).toMatchObject({ max: 5, budgetSec: 1800 });
    expect(legacy.warnings).toEqual([
      "GREENBOOT_MAX_BOOT_ATTEMPTS is unset: using GREENBOOT_MAX_BOOTS value '5' (the key MicroShift 4.15 and older read)",
    ]);
    expect(budget({ legacyMaxBoots: '5', maxBootAttempts: '3', bootCounter: '2' })).toMatchObject({
      max: 3,
      budgetSec: 600,
      warnings: [],
    });
    expect(budget({ legacyMaxBoots: '12' }).warnings).toContain(
      "GREENBOOT_MAX_BOOTS value '12' is not in the [1..9] range: using '3' instead",
    );
  });
});

describe('attempt numbering', () => {
  it.each<[GreenbootImplementation, number | undefined, number | undefined, number, boolean]>([
    // bash greenboot: counters 2, 1, 0 are attempts 1, 2, 3 of 3.
    ['bash', 2, 1, 3, false],
    ['bash', 1, 2, 3, false],
    ['bash', 0, 3, 3, false],
    ['bash', -1, undefined, 3, true],
    ['bash', 5, undefined, 3, false],
    // greenboot-rs: no counter until the first failure, so 4 boots: unset, 2, 1, 0.
    ['rs', undefined, 1, 4, false],
    ['rs', 2, 2, 4, false],
    ['rs', 1, 3, 4, false],
    ['rs', 0, 4, 4, false],
    ['rs', -1, undefined, 4, true],
    ['unknown', 1, 2, 3, false],
  ])('%s greenboot, counter %j: attempt %j of %d', (implementation, counter, attempt, attempts, fallback) => {
    expect(describeBootAttempt(implementation, counter, 3)).toMatchObject({ attempt, attempts, fallback });
  });

  it('bash greenboot without a counter: the only attempt, nothing will retry it', () => {
    expect(describeBootAttempt('bash', undefined, 3)).toEqual({
      attempt: 1,
      attempts: 1,
      fallback: false,
      noCounter: true,
    });
  });
});

describe('rollbackImminent', () => {
  it.each<[GreenbootImplementation, number | undefined, string | undefined, boolean]>([
    ['bash', 0, undefined, true],
    ['bash', 1, undefined, false],
    ['bash', -1, undefined, false],
    ['bash', undefined, undefined, false],
    ['rs', 0, 'abc123', true],
    ['rs', -1, 'abc123', true],
    ['rs', 0, undefined, false],
    ['rs', 0, '', false],
    ['rs', 1, 'abc123', false],
    ['rs', undefined, 'abc123', false],
    ['unknown', 0, undefined, true],
  ])('%s, counter %j, next deployment %j: %s', (implementation, counter, next, expected) => {
    expect(rollbackImminent(implementation, counter, next)).toBe(expected);
  });
});

describe('formatWaitBudget', () => {
  it.each<[Partial<WaitBudgetInput>, string]>([
    [{ bootCounter: '1' }, 'Wait budget 1200s = base 600s x (max 3 - boot_counter 1) [attempt 2 of 3, bash greenboot]'],
    [
      { bootCounter: '2', maxBootAttempts: '3', implementation: 'rs' },
      'Wait budget 600s = base 600s x (max 3 - boot_counter 2) [attempt 2 of 4, greenboot-rs]',
    ],
    [
      {},
      'Wait budget 600s = base 600s x (max 3 - boot_counter unset=2) [attempt 1 of 1, no update on trial, bash greenboot]',
    ],
    [
      { implementation: 'rs' },
      'Wait budget 600s = base 600s x (max 3 - boot_counter unset=2) [attempt 1 of 4, greenboot-rs]',
    ],
    [
      { bootCounter: '-1' },
      'Wait budget 2400s = base 600s x (max 3 - boot_counter -1) [fallback boot, bash greenboot]',
    ],
    [
      { bootCounter: '4', implementation: 'unknown' },
      'Wait budget 600s = base 600s, since base 600s x (max 3 - boot_counter 4) = -600s is not positive [attempt unknown of 3, unknown greenboot]',
    ],
  ])('%j', (inputs, line) => {
    expect(formatWaitBudget(budget(inputs))).toBe(line);
  });
});
