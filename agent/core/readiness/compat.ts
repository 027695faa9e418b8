// Which RHEL for Edge release runs which MicroShift line, and which MicroShift updates are
// supported paths. Kept as data so a new line is one row. Each row says where it comes from
// (`source`: 'issue' = the pairs and paths issue #15 lists; 'docs' = Red Hat's published
// compatibility matrix) and where it was last compared with a published document (`checked`).
// Pure: version strings in, a verdict with its reasons out.

export type Source = 'issue' | 'docs';

/** The documents the rows were compared with on 2026-12-04. */
export const CHECKED = {
  /** openshift-docs snippets/microshift-rhde-compatibility-table-snip.adoc (the 4.21 docs' matrix, RHEL 9.2 to 10.0). */
  matrix421: 'Red Hat Device Edge release compatibility matrix, MicroShift 4.21 documentation',
  /** docs.redhat.com red_hat_build_of_microshift/4.17/html/updating/microshift-update-options. */
  matrix417: 'Red Hat Device Edge release compatibility matrix, MicroShift 4.17 "Update options"',
  /** docs.redhat.com red_hat_build_of_microshift/4.16/html/updating/microshift-about-updates. */
  matrix416: 'Red Hat Device Edge release compatibility matrix, MicroShift 4.16 "About updates"',
} as const;

export interface PlatformRow {
  /** MicroShift minor line, e.g. "4.15". */
  microshift: string;
  /** RHEL minor releases that line is supported on, e.g. ["9.2", "9.3"]. */
  rhel: string[];
  source: Source;
  checked: string;
}

export interface UpdatePathRow {
  from: string;
  to: string;
  source: Source;
  checked: string;
}

// The 4.21 matrix lists 4.14 on RHEL 9.2 only and drops 4.15 (both out of support by then); the
// 4.16 and 4.17 matrices list both lines on 9.2 and 9.3, as the issue does, so 9.3 stays.
// 4.21 is also listed on RHEL 10.0 as a Technology Preview, which is not a supported pair.
export const platformTable: readonly PlatformRow[] = [
  { microshift: '4.14', rhel: ['9.2', '9.3'], source: 'issue', checked: CHECKED.matrix417 },
  { microshift: '4.15', rhel: ['9.2', '9.3'], source: 'issue', checked: CHECKED.matrix417 },
  { microshift: '4.16', rhel: ['9.4'], source: 'docs', checked: CHECKED.matrix421 },
  { microshift: '4.17', rhel: ['9.4'], source: 'docs', checked: CHECKED.matrix421 },
  { microshift: '4.18', rhel: ['9.4'], source: 'docs', checked: CHECKED.matrix421 },
  { microshift: '4.19', rhel: ['9.6'], source: 'docs', checked: CHECKED.matrix421 },
  { microshift: '4.20', rhel: ['9.6'], source: 'docs', checked: CHECKED.matrix421 },
  { microshift: '4.21', rhel: ['9.6'], source: 'docs', checked: CHECKED.matrix421 },
];

/**
 * Minor-to-minor jumps; a z-stream update within one line (4.15.0 -> 4.15.z) is always supported.
 * Not listed although one might expect it: 4.18 -> 4.19. No published matrix has it (4.18 goes
 * to 4.20 directly, 4.19 is reached from nowhere earlier), so a device taking it gets a warning.
 */
export const updatePathTable: readonly UpdatePathRow[] = [
  { from: '4.14', to: '4.15', source: 'issue', checked: CHECKED.matrix416 },
  { from: '4.15', to: '4.16', source: 'docs', checked: CHECKED.matrix416 },
  { from: '4.16', to: '4.17', source: 'docs', checked: CHECKED.matrix421 },
  { from: '4.17', to: '4.18', source: 'docs', checked: CHECKED.matrix421 },
  { from: '4.19', to: '4.20', source: 'docs', checked: CHECKED.matrix421 },
  { from: '4.20', to: '4.21', source: 'docs', checked: CHECKED.matrix421 },
  // Extended Update Support lines may be skipped over in one update (with the RHEL update).
  { from: '4.14', to: '4.16', source: 'docs', checked: CHECKED.matrix421 },
  { from: '4.16', to: '4.18', source: 'docs', checked: CHECKED.matrix421 },
  { from: '4.18', to: '4.20', source: 'docs', checked: CHECKED.matrix421 },
];

export interface Version {
  major: number;
  minor: number;
  patch?: number;
  /** As given, for messages. */
  text: string;
}

/**
 * The first `X.Y[.Z]` in a version as the tools print it: os-release VERSION_ID ("9.4"),
 * `microshift version` ("MicroShift Version: 4.15.12"), `rpm -q` ("microshift-4.15.12-202404...el9"),
 * the release manifest's base ("4.15.0-0.nightly-2024-...").
 */
export function parseVersion(text: string | undefined): Version | undefined {
  const match = text ? /(?:^|[^\d.])(\d+)\.(\d+)(?:\.(\d+))?/.exec(text) : undefined;
  if (!match) return undefined;
  return {
    major: Number(match[1]),
    minor: Number(match[2]),
    patch: match[3] === undefined ? undefined : Number(match[3]),
    text: text!.trim(),
  };
}

const line = (v: Version) => `${v.major}.${v.minor}`;
const full = (v: Version) => (v.patch === undefined ? line(v) : `${line(v)}.${v.patch}`);

export interface CompatInput {
  /** Booted RHEL release (os-release VERSION_ID). */
  rhel?: string;
  /** Booted MicroShift version; undefined when MicroShift is not installed. */
  microshift?: string;
  /** The staged deployment, when there is one. */
  staged?: { rhel?: string; microshift?: string };
}

export interface CompatFact {
  /** ok: every pair and path known and supported; warning: one is not (see reasons); unknown: nothing to judge. */
  level: 'ok' | 'warning' | 'unknown';
  reasons: string[];
  /** Those of `reasons` that say a version could not be read (a manifest missing or malformed). */
  unreadable?: string[];
  booted: { rhel?: string; microshift?: string };
  staged?: { rhel?: string; microshift?: string };
}

function checkPair(rhelText: string | undefined, microshiftText: string | undefined, which: string): string[] {
  const microshift = parseVersion(microshiftText);
  if (!microshift) return microshiftText ? [`${which} MicroShift version "${microshiftText}" cannot be read`] : [];
  const rhel = parseVersion(rhelText);
  if (!rhel)
    return [`${which} RHEL release is unknown, so MicroShift ${full(microshift)} cannot be checked against it`];
  const row = platformTable.find((r) => r.microshift === line(microshift));
  if (!row) return [`${which} MicroShift ${line(microshift)} is not in the compatibility table`];
  if (!row.rhel.includes(line(rhel)))
    return [
      `${which} MicroShift ${line(microshift)} is not supported on RHEL ${line(rhel)} (supported: RHEL ${row.rhel.join(', ')})`,
    ];
  return [];
}

function checkPath(fromText: string | undefined, toText: string | undefined): string[] {
  const from = parseVersion(fromText);
  const to = parseVersion(toText);
  if (!to) return toText ? [`staged MicroShift version "${toText}" cannot be read`] : [];
  if (!from) return []; // MicroShift arrives with the update: a first install, no path to check.
  if (from.major === to.major && from.minor === to.minor) {
    if ((to.patch ?? 0) < (from.patch ?? 0))
      return [`staged MicroShift ${full(to)} is older than the booted ${full(from)}: a downgrade is not supported`];
    return [];
  }
  if (to.major < from.major || (to.major === from.major && to.minor < from.minor))
    return [`staged MicroShift ${line(to)} is older than the booted ${line(from)}: a downgrade is not supported`];
  if (updatePathTable.some((p) => p.from === line(from) && p.to === line(to))) return [];
  return [`MicroShift ${line(from)} -> ${line(to)} is not a supported update path`];
}

export function checkCompatibility(input: CompatInput): CompatFact {
  const booted = { rhel: input.rhel, microshift: input.microshift };
  if (!input.microshift && !input.staged?.microshift)
    return { level: 'unknown', reasons: ['MicroShift is not installed: nothing to check'], booted };
  const reasons = [...checkPair(input.rhel, input.microshift, 'booted')];
  if (input.staged) {
    // A staged tree whose os-release could not be read is judged against the booted release.
    reasons.push(...checkPair(input.staged.rhel ?? input.rhel, input.staged.microshift, 'staged'));
    reasons.push(...checkPath(input.microshift, input.staged.microshift));
  }
  return { level: reasons.length ? 'warning' : 'ok', reasons, booted, staged: input.staged };
}
