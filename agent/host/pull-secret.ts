// CRI-O's pull secret, read and judged here so its content goes no further than this function:
// callers get a verdict and counts, never the text.
import { assessPullSecret, type PullSecretFact } from '../core/readiness/pull-secret.js';
import type { HostFs } from './fs.js';

export type PullSecretRead = { state: 'absent' } | { state: 'read'; fact: PullSecretFact };

export async function readPullSecret(
  fs: Pick<HostFs, 'readText'>,
  file: string,
  mirrors: readonly string[],
): Promise<PullSecretRead> {
  let text: string | undefined;
  try {
    text = await fs.readText(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    return {
      state: 'read',
      fact: { valid: false, registries: 0, missingMirrors: [], problem: `${file} cannot be read (${code})` },
    };
  }
  if (text === undefined) return { state: 'absent' };
  return { state: 'read', fact: assessPullSecret(file, text, mirrors) };
}
