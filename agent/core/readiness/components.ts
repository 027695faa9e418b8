// Installed components: the packages that make a MicroShift edge device, as one `rpm -q` call
// reports them, and what rpm-ostree layered on or removed from the booted image.
import type { Deployment } from '../deployment.js';

export const COMPONENT_PACKAGES = [
  'microshift',
  'microshift-greenboot',
  'microshift-olm',
  'microshift-gitops',
  'greenboot',
  'edge-agent',
] as const;
export type ComponentPackage = (typeof COMPONENT_PACKAGES)[number];

/** One line per package asked: "name version-release", or rpm's own "is not installed" line. */
export const RPM_QUERY_FORMAT = '%{NAME} %{VERSION}-%{RELEASE}\\n';

/** Version-release per package; null when rpm says it is not installed. */
export type ComponentVersions = Partial<Record<ComponentPackage, string | null>>;

export function parseRpmQuery(stdout: string): ComponentVersions {
  const versions: ComponentVersions = {};
  const known = new Set<string>(COMPONENT_PACKAGES);
  for (const line of stdout.split('\n')) {
    const absent = /^package (\S+) is not installed$/.exec(line.trim());
    if (absent && known.has(absent[1]!)) {
      versions[absent[1] as ComponentPackage] = null;
      continue;
    }
    const [name, version] = line.trim().split(/\s+/);
    // Several versions of one package (a kernel-like install) list each: the last one is shown.
    if (name && version && known.has(name)) versions[name as ComponentPackage] = version;
  }
  return versions;
}

export type LayeringFacts = {
  /** Packages requested on top of the booted image (`rpm-ostree install`). */
  layered: string[];
  /** Base packages requested removed (`rpm-ostree override remove`). */
  removed: string[];
};

export function layeringOf(deployments: readonly Deployment[]): LayeringFacts | undefined {
  const booted = deployments.find((d) => d.booted);
  if (!booted) return undefined;
  return { layered: [...booted.requestedPackages], removed: [...(booted.requestedBaseRemovals ?? [])] };
}

/** Optional MicroShift parts whose pods are worth showing, and where they run. */
export const OPTIONAL_PARTS = [
  { id: 'olm', pkg: 'microshift-olm', namespace: 'openshift-operator-lifecycle-manager' },
  { id: 'gitops', pkg: 'microshift-gitops', namespace: 'openshift-gitops' },
] as const;

export type PodState = {
  name: string;
  phase: string;
  ready: boolean;
};

export type PartPods = {
  id: (typeof OPTIONAL_PARTS)[number]['id'];
  namespace: string;
  pods: PodState[];
};

/** Pods that are not Running and ready, or Succeeded (a finished job is fine). */
export function unhealthyPods(part: PartPods): PodState[] {
  return part.pods.filter((p) => p.phase !== 'Succeeded' && !(p.phase === 'Running' && p.ready));
}
