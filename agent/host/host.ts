// The host adapters a command may use. Cheap ones are created eagerly; costly ones (D-Bus,
// the Kubernetes client) are created on first use so light commands never load them.
import { systemClock, type Clock } from './clock.js';
import { createExec, type Exec } from './exec.js';
import { createHostFs, type HostFs } from './fs.js';

export interface Host {
  /** Root of every host path (EDGE_AGENT_ROOT in tests, `/` on a device). */
  root: string;
  fs: HostFs;
  exec: Exec;
  clock: Clock;
  env: Readonly<Record<string, string | undefined>>;
  isRoot: boolean;
}

export function createHost(env: Record<string, string | undefined> = process.env): Host {
  const root = env.EDGE_AGENT_ROOT || '/';
  return {
    root,
    fs: createHostFs(root),
    exec: createExec(),
    clock: systemClock,
    env,
    isRoot: process.getuid?.() === 0,
  };
}
