// What `rpm-ostree status` prints, rendered from the stand-in's state (pure; bundled into the CLI).
//
// Simulates: the JSON document of `status --json` (top-level deployments, transaction,
// cached-update, update-driver; per deployment the fields listed in host-contracts §5 plus the
// always-empty ones a plain RHEL for Edge host shows; requested-base-removals from the state, while
// base-removals, the resolved packages, stays empty), printed in json-glib's style (`"key" : v`),
// and the text form. Leaves out: GPG signatures, container digests, package diffs, `-v` details,
// and the `●` the real tool prints for the booted deployment in a UTF-8 locale (always `*` here).
import type { SimState } from './state.js';

export function toStatusJson(state: SimState, options: { bootedOnly?: boolean } = {}): Record<string, unknown> {
  const listed = options.bootedOnly ? state.deployments.filter((d) => d.id === state.booted) : state.deployments;
  const deployments = listed.map((d) => ({
    ...d,
    booted: d.id === state.booted,
    staged: d.id === state.staged,
    unlocked: 'none',
    'requested-local-packages': [],
    'base-removals': [],
    'requested-base-removals': d['requested-base-removals'] ?? [],
    'base-local-replacements': [],
    'requested-base-local-replacements': [],
    'regenerate-initramfs': false,
    'initramfs-etc': [],
    modules: [],
    'requested-modules': [],
    'requested-modules-enabled': [],
  }));
  return { deployments, transaction: state.transaction ?? null, 'cached-update': null, 'update-driver': null };
}

/** JSON with json-glib's spacing, so output also looks right to people who grep it. */
export function formatJsonGlib(value: unknown, indent = ''): string {
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) return '[ ]';
    return `[\n${value.map((v) => inner + formatJsonGlib(v, inner)).join(',\n')}\n${indent}]`;
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    if (entries.length === 0) return '{ }';
    return `{\n${entries.map(([k, v]) => `${inner}${JSON.stringify(k)} : ${formatJsonGlib(v, inner)}`).join(',\n')}\n${indent}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export function renderStatusText(state: SimState, options: { bootedOnly?: boolean } = {}): string {
  const listed = options.bootedOnly ? state.deployments.filter((d) => d.id === state.booted) : state.deployments;
  const field = (label: string, value: string) => `${label.padStart(25)}: ${value}`;
  const blocks = listed.map((d) => {
    const lines = [`${d.id === state.booted ? '*' : ' '} ${d.origin ?? d['container-image-reference'] ?? d.osname}`];
    lines.push(field('Version', `${d.version} (${isoSeconds(d.timestamp)})`));
    if (d['base-checksum']) lines.push(field('BaseCommit', d['base-checksum']));
    lines.push(field('Commit', d.checksum));
    if (d.id === state.staged) lines.push(field('Staged', 'yes'));
    if (d.pinned) lines.push(field('Pinned', 'yes'));
    if (d['requested-packages'].length > 0) lines.push(field('LayeredPackages', d['requested-packages'].join(' ')));
    return lines.join('\n');
  });
  return `State: idle\nDeployments:\n${blocks.join('\n\n')}\n`;
}

function isoSeconds(timestamp: number): string {
  return new Date(timestamp * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
