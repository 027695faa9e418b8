// Scripted behaviour of the simulated MicroShift: one JSON document, validated with zod.
//
// What it simulates: the timeline of one `microshift run` process, counted from the moment the
// process starts (each restart by systemd starts the timeline again): when it tells systemd it
// is ready, whether and when it exits, when its API server listens and passes /readyz, and the
// life of each core workload's containers (creating, pulling, pull errors, running, restarts).
// What it leaves out: anything not visible through systemd, /readyz, /livez and the read-only
// resources that server.ts serves; a timeline cannot depend on what clients do.
//
// Presets take their timings in milliseconds and scale them with `timeScale`, so tests run in
// seconds while a demo can stretch the same story over minutes.
import * as z from 'zod';

export const containerStates = [
  'creating',
  'pulling',
  'err-image-pull',
  'image-pull-backoff',
  'running',
  'ready',
  'crash-loop',
] as const;

const ms = z.number().int().nonnegative();

const stepSchema = z.object({
  /** When the container enters this state, in ms after the process started. */
  atMs: ms,
  state: z.enum(containerStates),
  /** Running/ready: restartCount grows by one every so many ms; pull back-off, crash loop: retry pace. */
  restartEveryMs: z.number().int().positive().optional(),
  /** Replaces the default message of a waiting state (e.g. the registry's pull error). */
  message: z.string().optional(),
});

const overrideSchema = z.object({
  /** Name of a core or extra workload, e.g. `router-default`. */
  workload: z.string(),
  /** Container name; the workload's first container when left out. */
  container: z.string().optional(),
  steps: z.array(stepSchema).min(1),
});

const extraWorkloadSchema = z.object({
  namespace: z.string(),
  name: z.string(),
  kind: z.enum(['Deployment', 'DaemonSet']).default('DaemonSet'),
  container: z.string(),
  image: z.string(),
  steps: z.array(stepSchema).min(1),
});

export const scenarioSchema = z.object({
  name: z.string().default('custom'),
  process: z
    .object({
      /** READY=1 to systemd (the unit turns `active`); null: never. */
      activeAfterMs: ms.nullable().default(0),
      /** The process exits with `exitCode` at this time; null: runs until stopped. */
      exitAfterMs: ms.nullable().default(null),
      exitCode: z.number().int().min(1).max(255).default(1),
      /** Write /var/lib/microshift-backups/prerun_failed.log at start (pair it with exitAfterMs). */
      prerunFailure: z.boolean().default(false),
    })
    .prefault({}),
  api: z
    .object({
      /** The API port accepts connections from this time on (refused before). */
      listenAfterMs: ms.default(0),
      /** /readyz and /livez pass from this time on; null: never. */
      readyAfterMs: ms.nullable().default(0),
      /** Checks reported `[-]` until then; only the ones an endpoint has are shown on it. */
      failingChecks: z.array(z.string()).default(['poststarthook/rbac/bootstrap-roles', 'informer-sync']),
    })
    .prefault({}),
  workloads: z
    .object({
      /** LVMS (openshift-storage) is part of the expected set. */
      lvms: z.boolean().default(false),
      /** Workloads and their pods exist from this time on; null: never created. */
      createdAfterMs: ms.nullable().default(0),
      /** `creating`: images already present; `pulling`: pods pull their images first. */
      initialState: z.enum(['creating', 'pulling']).default('creating'),
      /** Every container not overridden turns ready at this time; null: never. */
      readyAfterMs: ms.nullable().default(0),
      overrides: z.array(overrideSchema).default([]),
      extra: z.array(extraWorkloadSchema).default([]),
    })
    .prefault({}),
});

export type Scenario = z.infer<typeof scenarioSchema>;
export type ScenarioInput = z.input<typeof scenarioSchema>;
export type ContainerStep = z.infer<typeof stepSchema>;
export type ExtraWorkload = z.infer<typeof extraWorkloadSchema>;

/** Validate a scenario; the error names the key path that is wrong. */
export function parseScenario(input: unknown): Scenario {
  const result = scenarioSchema.safeParse(input);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
  throw new Error(`invalid MicroShift simulator scenario: ${problems.join('; ')}`);
}

export const scenarioNames = [
  'healthy',
  'api-never-ready',
  'unit-fails',
  'crash-loop',
  'image-pull-stuck-then-progressing',
  'image-pull-fails',
  'pods-restarting',
  'extra-pods-kube-system',
  'prerun-failure',
] as const;
export type ScenarioName = (typeof scenarioNames)[number];

export interface PresetOptions {
  /** Multiplies every preset timing (1 = test speed, 60 = a realistic few minutes). */
  timeScale?: number;
  /** When systemd sees the unit active (READY=1). */
  activeAfterMs?: number;
  /** When /readyz passes. */
  apiReadyAfterMs?: number;
  /** When the core workloads are ready (or, for the pull presets, start pulling/failing). */
  workloadsReadyAfterMs?: number;
  /** How long a crash-looping process lives; ≥ 1500 keeps it clear of the unit's start limit. */
  crashAfterMs?: number;
  /** Restart period of the restarting container in `pods-restarting`. */
  restartEveryMs?: number;
  lvms?: boolean;
}

/** A named, ready-to-use scenario. */
export function scenario(name: ScenarioName, options: PresetOptions = {}): Scenario {
  const k = options.timeScale ?? 1;
  const t = (value: number) => Math.round(value * k);
  const active = t(options.activeAfterMs ?? 300);
  const apiReady = t(options.apiReadyAfterMs ?? 800);
  const ready = t(options.workloadsReadyAfterMs ?? 1500);
  const base = {
    name,
    process: { activeAfterMs: active },
    api: { listenAfterMs: Math.min(t(100), apiReady), readyAfterMs: apiReady },
    workloads: { lvms: options.lvms ?? false, createdAfterMs: apiReady, readyAfterMs: ready },
  };
  const created = base.workloads.createdAfterMs;
  const router = { workload: 'router-default', container: 'router' };
  const withWorkloads = (more: object) => parseScenario({ ...base, workloads: { ...base.workloads, ...more } });
  // Dies at once, like a bad /etc/microshift/config.yaml: systemd's start limit ends it `failed`.
  const diesAtOnce = { activeAfterMs: null, exitAfterMs: 0, exitCode: 1 };
  switch (name) {
    case 'healthy':
      return parseScenario(base);
    case 'api-never-ready':
      // The unit is active and livez passes, but etcd never becomes ready for reads.
      return parseScenario({
        ...base,
        api: { ...base.api, readyAfterMs: null, failingChecks: ['etcd-readiness'] },
        workloads: { createdAfterMs: null },
      });
    case 'unit-fails':
      return parseScenario({
        name,
        process: diesAtOnce,
        api: { readyAfterMs: null },
        workloads: { createdAfterMs: null },
      });
    case 'prerun-failure':
      return parseScenario({
        name,
        process: { ...diesAtOnce, prerunFailure: true },
        api: { readyAfterMs: null },
        workloads: { createdAfterMs: null },
      });
    case 'crash-loop':
      // Lives long enough each time that systemd keeps restarting it: the unit's start limit
      // (install-units.ts) would turn a shorter life into `failed`, whatever the time scale.
      return parseScenario({
        name,
        process: { activeAfterMs: null, exitAfterMs: Math.max(1500, t(options.crashAfterMs ?? 1500)), exitCode: 1 },
        api: { listenAfterMs: t(100), readyAfterMs: null, failingChecks: ['etcd', 'etcd-readiness'] },
        workloads: { createdAfterMs: null },
      });
    case 'image-pull-stuck-then-progressing':
      return withWorkloads({ initialState: 'pulling' });
    case 'image-pull-fails': {
      // No message: CRI-O's "reading manifest <digest> in <repo>: manifest unknown" for the image.
      const steps = [
        { atMs: created, state: 'pulling' },
        { atMs: created + t(200), state: 'err-image-pull' },
        { atMs: created + t(1200), state: 'image-pull-backoff', restartEveryMs: t(1000) },
      ];
      return withWorkloads({ overrides: [{ ...router, steps }] });
    }
    case 'pods-restarting': {
      const steps = [
        { atMs: created, state: 'creating' },
        { atMs: ready, state: 'ready', restartEveryMs: t(options.restartEveryMs ?? 1000) },
      ];
      return withWorkloads({ overrides: [{ ...router, steps }] });
    }
    case 'extra-pods-kube-system': {
      // A GPU device plugin that never gets ready: it must not fail a check of named workloads.
      const plugin = {
        namespace: 'kube-system',
        name: 'nvidia-device-plugin-daemonset',
        container: 'nvidia-device-plugin-ctr',
        image: 'nvcr.io/nvidia/k8s-device-plugin:v0.14.5',
        steps: [{ atMs: created, state: 'crash-loop', restartEveryMs: t(2000) }],
      };
      return withWorkloads({ extra: [plugin] });
    }
  }
}
