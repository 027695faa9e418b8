// The readiness section's wire shapes: in `status --json` (full) and in the hub's retained status
// (compact). Loaded only where zod is already loaded (the status schema export, the hub payloads),
// never by a plain `status` run. Every field is optional on the hub side: a hub must accept a
// device that sends none of it (older agents).
import * as z from 'zod/mini';
import { about, count, optional } from '../zod.js';

const level = about(
  z.enum(['ok', 'warn', 'fail']),
  'ok; warn: within 30 days or worth fixing; fail: within 7 days, expired, not valid yet or unusable',
);
const sourceState = z.enum(['ok', 'unavailable', 'error']);
const maybeLevel = about(z.enum(['ok', 'warn', 'fail', 'unknown']), 'unknown: MicroShift is not installed');
const pair = z.looseObject({ rhel: optional(z.string()), microshift: optional(z.string()) });
const fipsState = about(
  z.enum(['on', 'off', 'not-supported', 'unknown']),
  'not-supported: an ostree-booted RHEL for Edge host, where FIPS mode is not supported',
);
const versions = about(
  z.record(z.string(), z.nullable(z.string())),
  'version-release per package; null: not installed',
);

/** The fields of the full readiness section (status --json builds its section from them too). */
export const readinessStatusShape = {
  level,
  certificates: z.looseObject({
    level,
    checked: about(count(), 'Certificates read'),
    items: z.array(
      z.looseObject({
        file: z.string(),
        role: z.enum(['hub-client', 'hub-ca', 'trust-anchor', 'mirror-ca']),
        index: optional(z.int(), 'Position in a bundle, from 1'),
        subject: optional(z.string()),
        notAfter: optional(z.string()),
        daysLeft: optional(z.int()),
        level,
        message: z.string(),
      }),
    ),
  }),
  fips: z.looseObject({ state: fipsState, message: z.string() }),
  pullSecret: z.looseObject({
    file: z.string(),
    present: z.boolean(),
    valid: optional(z.boolean()),
    registries: optional(z.int(), 'Registries in "auths" (never their credentials)'),
    level,
    message: z.string(),
  }),
  components: z.looseObject({
    state: sourceState,
    note: optional(z.string()),
    versions: optional(versions),
    layered: optional(z.array(z.string()), 'rpm-ostree requested-packages of the booted deployment'),
    removed: optional(z.array(z.string()), 'rpm-ostree requested-base-removals of the booted deployment'),
  }),
  firewall: z.looseObject({
    state: sourceState,
    note: optional(z.string()),
    ports: optional(
      z.array(z.looseObject({ port: z.string(), purpose: z.string(), zones: z.array(z.string()) })),
      "MicroShift's ports and the active firewalld zones that admit them",
    ),
  }),
  update: optional(
    z.looseObject({
      state: about(z.enum(['ok', 'unavailable', 'error', 'skipped']), 'skipped: not read within the time limit'),
      note: optional(z.string()),
      compatibility: optional(
        z.looseObject({
          level: maybeLevel,
          message: z.string(),
          reasons: z.array(z.string()),
          unreadableOnly: optional(z.boolean(), 'Every reason is a version that could not be read'),
          booted: pair,
          staged: optional(pair),
        }),
        'The RHEL/MicroShift pair and a staged update path, against the compatibility table',
      ),
      offline: optional(
        z.looseObject({
          level: maybeLevel,
          tree: z.enum(['staged', 'booted']),
          message: z.string(),
          airGapped: about(z.boolean(), 'A registry mirror is configured'),
          total: optional(z.int()),
          missingCount: optional(z.int()),
          missing: optional(z.array(z.string()), 'The first missing image references'),
        }),
        "The release manifests' images against CRI-O's store (staged deployment's, when staged)",
      ),
    }),
  ),
};

export const ReadinessStatusSchema = about(
  z.looseObject(readinessStatusShape),
  'Production-readiness facts: certificates, FIPS, pull secret, installed components, firewall ports, compatibility and offline images',
);

export const ReadinessHubSchema = about(
  z.looseObject({
    level: optional(level),
    certificates: optional(
      z.looseObject({
        level: optional(level),
        checked: optional(count()),
        soonestExpiry: optional(z.string()),
        daysLeft: optional(z.int()),
      }),
    ),
    fips: optional(fipsState),
    pullSecret: optional(level),
    components: optional(versions),
    layered: optional(z.array(z.string())),
    removed: optional(z.array(z.string())),
    openPorts: optional(z.array(z.string()), '"port/proto@zone" for each MicroShift port an active zone admits'),
    compatibility: optional(z.looseObject({ level: optional(maybeLevel), reasons: optional(z.array(z.string())) })),
    offline: optional(
      z.looseObject({
        level: optional(maybeLevel),
        tree: optional(z.enum(['staged', 'booted'])),
        message: optional(z.string()),
        missingCount: optional(z.int()),
      }),
    ),
    updateNote: optional(z.string(), 'Why compatibility and offline readiness are missing'),
  }),
  'Production-readiness summary (older agents send none)',
);
