// The readiness section's wire shapes: in `status --json` (full) and in the hub's retained status
// (compact). Loaded only where zod is already loaded (the status schema export, the hub payloads),
// never by a plain `status` run. Every field is optional on the hub side: a hub must accept a
// device that sends none of it (older agents).
import * as z from 'zod';

const level = z
  .enum(['ok', 'warn', 'fail'])
  .describe('ok; warn: within 30 days or worth fixing; fail: within 7 days, expired, not valid yet or unusable');
const sourceState = z.enum(['ok', 'unavailable', 'error']);
const maybeLevel = z.enum(['ok', 'warn', 'fail', 'unknown']).describe('unknown: MicroShift is not installed');
const pair = z.looseObject({ rhel: z.string().optional(), microshift: z.string().optional() });
const fipsState = z
  .enum(['on', 'off', 'not-supported', 'unknown'])
  .describe('not-supported: an ostree-booted RHEL for Edge host, where FIPS mode is not supported');
const versions = z
  .record(z.string(), z.string().nullable())
  .describe('version-release per package; null: not installed');

export const ReadinessStatusSchema = z
  .looseObject({
    level,
    certificates: z.looseObject({
      level,
      checked: z.number().int().min(0).describe('Certificates read'),
      items: z.array(
        z.looseObject({
          file: z.string(),
          role: z.enum(['hub-client', 'hub-ca', 'trust-anchor', 'mirror-ca']),
          index: z.number().int().optional().describe('Position in a bundle, from 1'),
          subject: z.string().optional(),
          notAfter: z.string().optional(),
          daysLeft: z.number().int().optional(),
          level,
          message: z.string(),
        }),
      ),
    }),
    fips: z.looseObject({ state: fipsState, message: z.string() }),
    pullSecret: z.looseObject({
      file: z.string(),
      present: z.boolean(),
      valid: z.boolean().optional(),
      registries: z.number().int().optional().describe('Registries in "auths" (never their credentials)'),
      level,
      message: z.string(),
    }),
    components: z.looseObject({
      state: sourceState,
      note: z.string().optional(),
      versions: versions.optional(),
      layered: z.array(z.string()).optional().describe('rpm-ostree requested-packages of the booted deployment'),
      removed: z.array(z.string()).optional().describe('rpm-ostree requested-base-removals of the booted deployment'),
    }),
    firewall: z.looseObject({
      state: sourceState,
      note: z.string().optional(),
      ports: z
        .array(z.looseObject({ port: z.string(), purpose: z.string(), zones: z.array(z.string()) }))
        .optional()
        .describe("MicroShift's ports and the active firewalld zones that admit them"),
    }),
    update: z
      .looseObject({
        state: z.enum(['ok', 'unavailable', 'error', 'skipped']).describe('skipped: not read within the time limit'),
        note: z.string().optional(),
        compatibility: z
          .looseObject({
            level: maybeLevel,
            message: z.string(),
            reasons: z.array(z.string()),
            unreadableOnly: z.boolean().optional().describe('Every reason is a version that could not be read'),
            booted: pair,
            staged: pair.optional(),
          })
          .optional()
          .describe('The RHEL/MicroShift pair and a staged update path, against the compatibility table'),
        offline: z
          .looseObject({
            level: maybeLevel,
            tree: z.enum(['staged', 'booted']),
            message: z.string(),
            airGapped: z.boolean().describe('A registry mirror is configured'),
            total: z.number().int().optional(),
            missingCount: z.number().int().optional(),
            missing: z.array(z.string()).optional().describe('The first missing image references'),
          })
          .optional()
          .describe("The release manifests' images against CRI-O's store (staged deployment's, when staged)"),
      })
      .optional(),
  })
  .describe(
    'Production-readiness facts: certificates, FIPS, pull secret, installed components, firewall ports, compatibility and offline images',
  );

export const ReadinessHubSchema = z
  .looseObject({
    level: level.optional(),
    certificates: z
      .looseObject({
        level: level.optional(),
        checked: z.number().int().min(0).optional(),
        soonestExpiry: z.string().optional(),
        daysLeft: z.number().int().optional(),
      })
      .optional(),
    fips: fipsState.optional(),
    pullSecret: level.optional(),
    components: versions.optional(),
    layered: z.array(z.string()).optional(),
    removed: z.array(z.string()).optional(),
    openPorts: z
      .array(z.string())
      .optional()
      .describe('"port/proto@zone" for each MicroShift port an active zone admits'),
    compatibility: z.looseObject({ level: maybeLevel.optional(), reasons: z.array(z.string()).optional() }).optional(),
    offline: z
      .looseObject({
        level: maybeLevel.optional(),
        tree: z.enum(['staged', 'booted']).optional(),
        message: z.string().optional(),
        missingCount: z.number().int().optional(),
      })
      .optional(),
    updateNote: z.string().optional().describe('Why compatibility and offline readiness are missing'),
  })
  .describe('Production-readiness summary (older agents send none)');
