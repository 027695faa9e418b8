// The MicroShift check: probes the unit (D-Bus, event-driven), the pre-run failure log, the API
// health endpoints and the core workloads; the pure MicroShiftAssessor decides. The API is only
// asked once the unit is active, and pull events only when a pull is failing, to keep polls cheap.
import { MicroShiftAssessor, type MicroShiftCheckPlan } from '../../core/microshift-check.js';
import { waitUntil } from '../../core/wait.js';
import type { CheckReport } from '../../core/check-result.js';
import type { RunnableCheck } from '../../core/check-runner.js';
import type { MicroShiftObservation } from '../../core/microshift-observation.js';
import type { CheckDeps } from './check-deps.js';

export const MICROSHIFT_UNIT = 'microshift.service';
export const PRERUN_FAILED_LOG = '/var/lib/microshift-backups/prerun_failed.log';

export interface MicroShiftCheckOptions {
  plan: MicroShiftCheckPlan;
  /** Wall-clock ms of this boot's start: a prerun_failed.log older than this is history. */
  bootTimeMs: number;
  /** How often to poll the API while waiting (the unit itself is event-driven). */
  pollMs?: number;
}

export function createMicroShiftCheck(options: MicroShiftCheckOptions, deps: CheckDeps): RunnableCheck {
  return {
    id: 'microshift',
    class: 'required',
    async run({ signal }) {
      const { plan } = options;
      const systemd = await deps.systemd();
      const start = deps.clock.monotonic();
      const assessor = new MicroShiftAssessor(plan, start);
      const seconds = Math.round(plan.budgetMs / 1000);
      deps.log.info({ check: 'microshift' }, `Waiting ${seconds}s for ${MICROSHIFT_UNIT} to be active and not failed`);
      let announcedApi = false;
      let announcedWorkloads = false;
      let announcedReady = false;
      let lastUnit: MicroShiftObservation['unit'] | undefined;
      let watched: Awaited<ReturnType<typeof systemd.unit>> | undefined;
      let watching = false;
      // A list call that fails leaves the workloads unknown, which the assessor can only read as
      // "not there yet": keep the error so a timeout names the API problem, not just its effect.
      let listError: string | undefined;
      // What the check was waiting for at its last look: a run stopped early (SIGTERM, a dry
      // run's --timeout) still says why it could not decide, e.g. that the API could not be asked.
      let lastProgress: string | undefined;
      // A stage's deadline or the end of the settle period may fall between two polls: a look is
      // woken for that moment, so the verdict is not up to a poll interval late.
      const pollMs = options.pollMs ?? 500;
      let notifyNow: (() => void) | undefined;
      let decisionTimer: AbortController | undefined;
      const lookAtNextDecision = () => {
        decisionTimer?.abort();
        decisionTimer = undefined;
        const at = assessor.readyAt === undefined ? assessor.deadline : assessor.readyAt + plan.restartSettleMs;
        const left = at - deps.clock.monotonic();
        if (!notifyNow || left <= 0 || left >= pollMs) return;
        const timer = new AbortController();
        decisionTimer = timer;
        deps.clock.sleep(left, timer.signal).then(
          () => !timer.signal.aborted && notifyNow?.(),
          () => undefined,
        );
      };
      const probe = async (probeSignal: AbortSignal): Promise<MicroShiftObservation> => {
        listError = undefined;
        let unit: MicroShiftObservation['unit'];
        try {
          const u = watching && watched ? watched : await systemd.unit(MICROSHIFT_UNIT);
          unit = {
            loadState: u.loadState,
            activeState: u.activeState,
            subState: u.subState,
            nRestarts: u.nRestarts,
            unitFileState: u.unitFileState,
          };
          lastUnit = unit;
        } catch (error) {
          // A D-Bus hiccup is not a verdict: keep waiting with the last known restart count, so
          // neither a false red nor a fake crash loop comes out of it.
          unit = {
            loadState: 'unknown',
            activeState: 'unknown',
            subState: `systemd not answering: ${(error as Error).message}`,
            nRestarts: lastUnit?.nRestarts ?? 0,
            unitFileState: lastUnit?.unitFileState ?? 'unknown',
          };
        }
        const observation: MicroShiftObservation = {
          unit,
          prerunFailed: await readPrerunFailure(deps, options.bootTimeMs),
        };
        if (unit.activeState !== 'active') return observation;
        if (!announcedApi) {
          announcedApi = true;
          deps.log.info(
            { check: 'microshift' },
            `Waiting ${seconds}s for the MicroShift API (readyz, livez) to be healthy`,
          );
        }
        let api;
        try {
          api = await deps.microshift();
        } catch (error) {
          observation.api = { reachable: false, error: (error as Error).message };
          return observation;
        }
        observation.api = await api.health(probeSignal);
        if (!observation.api.readyz?.ok || !observation.api.livez?.ok) return observation;
        if (!announcedWorkloads) {
          announcedWorkloads = true;
          deps.log.info(
            { check: 'microshift' },
            `Waiting ${seconds}s per stage for ${plan.workloads.length} MicroShift core workloads to be ready`,
          );
        }
        const namespaces = [...new Set(plan.workloads.map((w) => w.namespace))];
        try {
          [observation.workloads, observation.pods] = await Promise.all([
            api.workloads(plan.workloads, probeSignal),
            api.pods(namespaces, probeSignal),
          ]);
          const pulling = observation.pods.filter((p) =>
            p.containers.some((c) => c.waitingReason === 'ErrImagePull' || c.waitingReason === 'ImagePullBackOff'),
          );
          if (pulling.length > 0)
            observation.pullEvents = await api.pullEvents([...new Set(pulling.map((p) => p.namespace))], probeSignal);
        } catch (error) {
          // A slow or failing list is not a verdict: keep what we saw, try again next poll.
          listError = (error as Error).message;
          deps.log.debug({ check: 'microshift' }, `listing workloads failed: ${listError}`);
        }
        return observation;
      };
      return waitUntil<MicroShiftObservation, CheckReport>({
        clock: deps.clock,
        signal,
        deadline: assessor.outerDeadline,
        pollMs,
        probe,
        wake: (notify) => {
          notifyNow = notify;
          // The watch delivers the unit's state on every change, so polls need not read it over
          // D-Bus (two GetAll calls each: most of a long wait's CPU). If the watch breaks, polls
          // read the unit themselves again.
          const onChange = (state: Awaited<ReturnType<typeof systemd.unit>>) => {
            watched = state;
            notify();
          };
          const onError = () => {
            watched = undefined;
            watching = false;
          };
          // Handled at once: a watch that cannot be set up must not become an unhandled rejection.
          const stop = systemd
            .watchUnit(MICROSHIFT_UNIT, onChange, { onError })
            .then((s) => ((watching = true), s))
            .catch(() => undefined);
          return () => {
            notifyNow = undefined;
            decisionTimer?.abort();
            void stop.then((s) => s?.()).catch(() => undefined);
          };
        },
        assess: (observation, now) => {
          const verdict = assessor.assess(observation, now);
          if (!announcedReady && assessor.readyAt !== undefined) {
            announcedReady = true;
            const settle = Math.round(plan.restartSettleMs / 1000);
            deps.log.info(
              { check: 'microshift' },
              `MicroShift is ready after ${Math.round((now - start) / 1000)}s; watching its core containers for ${settle}s before calling the boot good`,
            );
          }
          const why = listError ? `; last API error: ${listError}` : '';
          if (!verdict.done) {
            lookAtNextDecision();
            lastProgress = `${verdict.progress}${why}`;
            return { done: false, progress: lastProgress };
          }
          return {
            done: true,
            result:
              verdict.report.outcome === 'timeout'
                ? { ...verdict.report, message: `${verdict.report.message}${why}` }
                : verdict.report,
          };
        },
        onDeadline: (last) => ({
          outcome: 'timeout',
          reason: 'budget-exhausted',
          message: `MicroShift not ready within its budget (last: ${last ? `${last.unit.activeState}/${last.unit.subState}` : 'no observation'})`,
        }),
        onAbort: (last) => ({
          outcome: 'terminated',
          reason: 'terminated',
          message: `stopped while waiting for MicroShift (last: ${last ? `${last.unit.activeState}/${last.unit.subState}` : 'no observation'})`,
          observation: {
            waitingFor:
              lastProgress ??
              (last
                ? `${MICROSHIFT_UNIT} to start (${last.unit.activeState}/${last.unit.subState})`
                : 'a first look at MicroShift'),
          },
        }),
        onProgress: (text) => deps.log.info({ check: 'microshift' }, `Still waiting: ${text}`),
        progressEveryMs: 30_000,
      });
    },
  };
}

/** Last lines of prerun_failed.log if it was written during this boot. */
async function readPrerunFailure(deps: CheckDeps, bootTimeMs: number): Promise<string[] | undefined> {
  const info = await deps.fs.info(PRERUN_FAILED_LOG);
  if (!info || info.mtimeMs < bootTimeMs) return undefined;
  const text = (await deps.fs.readText(PRERUN_FAILED_LOG)) ?? '';
  return text.trim().split('\n').filter(Boolean).slice(-5);
}
