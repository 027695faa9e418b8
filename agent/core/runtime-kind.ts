// Which Node.js edge-agent runs on, named for people: `--version` and `status` say it, because a
// host may have a system nodejs, edge-agent's own runtime (edge-agent-runtime), or both, and
// /usr/libexec/edge-agent/node picked one of them. Pure: the caller passes process.execPath and
// process.version.

/** Where edge-agent-runtime installs its Node.js (rpm.spec). */
export const BUNDLED_RUNTIME_DIR = '/usr/libexec/edge-agent/runtime/';

export interface RuntimeInfo {
  kind: 'edge-agent-runtime' | 'system nodejs';
  /** The node binary running (process.execPath). */
  path: string;
  /** process.version, e.g. v24.22.3. */
  version: string;
}

export function runtimeInfo(execPath: string, version: string): RuntimeInfo {
  return {
    kind: execPath.startsWith(BUNDLED_RUNTIME_DIR) ? 'edge-agent-runtime' : 'system nodejs',
    path: execPath,
    version,
  };
}

/** One line: "Node.js v24.22.3 (edge-agent-runtime, /usr/libexec/edge-agent/runtime/node)". */
export function describeRuntime(r: RuntimeInfo): string {
  return `Node.js ${r.version} (${r.kind}, ${r.path})`;
}
