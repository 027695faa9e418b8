// Types of build-options.mjs for the TypeScript that imports it (bench/daemon-rss.ts).
import type { BuildOptions, Metafile } from 'esbuild';

export function bundleOptions(options: {
  root: string;
  version: string;
}): BuildOptions & { external: string[]; metafile: true };
export function escapeNonAscii(root: string, metafile: Metafile): Promise<void>;
