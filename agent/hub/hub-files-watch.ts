// Noticing that hub files appeared or changed: inotify (fs.watch) on the directory that holds each
// file, or on its nearest existing ancestor while that directory is not there yet (provisioning
// may create /etc/edge-agent/hub itself), plus a slow poll as a backstop for what inotify misses
// (a file system without it, a directory replaced under the watch). Events are coalesced: tools
// write a certificate in several steps (create, write, chmod, rename), so the caller looks once
// things have been quiet for `settleMs`.
import { watch, type FSWatcher } from 'node:fs';
import { dirname } from 'node:path';
import type { HostFs } from '../host/fs.js';

export interface FilesWatch {
  /**
   * Watch deeper when a missing directory has appeared since (the watch on its parent sees only
   * the directory arrive, not the files in it). True when the watched directories changed: the
   * caller looks again, for files that arrived while the watches moved.
   */
  refresh(): Promise<boolean>;
  close(): void;
}

export interface FilesWatchOptions {
  fs: Pick<HostFs, 'exists' | 'resolve'>;
  /** Files whose directory to watch (paths as the HostFs sees them). */
  paths: string[];
  onChange: () => void;
  pollMs: number;
  settleMs: number;
  /** false: the poll alone, as on a file system without inotify (default true). */
  inotify?: boolean;
}

/** The directory to watch for `path`: its own, or the closest ancestor that exists. */
async function watchableDir(fs: FilesWatchOptions['fs'], path: string): Promise<string> {
  let dir = dirname(path);
  while (dir !== '/' && !(await fs.exists(dir))) dir = dirname(dir);
  return dir;
}

export async function watchFiles(options: FilesWatchOptions): Promise<FilesWatch> {
  const { fs, onChange } = options;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  const changed = () => {
    if (closed) return;
    clearTimeout(timer);
    timer = setTimeout(onChange, options.settleMs);
  };
  let dirs: string[] = [];
  let watchers: FSWatcher[] = [];
  const arm = async (): Promise<boolean> => {
    const next = [...new Set(await Promise.all(options.paths.map((p) => watchableDir(fs, p))))].sort();
    if (closed || next.join('\n') === dirs.join('\n')) return false;
    for (const w of watchers) w.close();
    dirs = next;
    watchers = [];
    for (const dir of options.inotify === false ? [] : dirs) {
      try {
        const watcher = watch(fs.resolve(dir), { persistent: false }, changed);
        // A watched directory that goes away ends its watch; the poll still looks.
        watcher.on('error', () => undefined);
        watchers.push(watcher);
      } catch {
        // No inotify here (or no permission on the directory): the poll alone finds the files.
      }
    }
    return true;
  };
  await arm();
  const poll = setInterval(onChange, options.pollMs);
  poll.unref();
  return {
    refresh: arm,
    close() {
      closed = true;
      clearTimeout(timer);
      clearInterval(poll);
      for (const w of watchers) w.close();
    },
  };
}
