// The GRUB environment block, read directly (greenboot owns it; edge-agent never writes it).
// Format (grub-core/lib/envblk.c): exactly 1024 bytes, latin1, the header line, `name=value\n`
// lines with `\` escaping `\` and newlines, then `#` padding up to 1024 bytes.
import { DataError } from '../errors.js';
import type { HostFs } from './fs.js';

export const GRUBENV_PATH = '/boot/grub2/grubenv';
const SIZE = 1024;
const HEADER = '# GRUB Environment Block\n';

export interface GrubEnv {
  vars: Record<string, string>;
  /** greenboot's remaining attempts; -1 marks the fallback boot. Unset when no update is on trial. */
  bootCounter: number | undefined;
  /** 0: checks running or this update failed; 1: the boot was declared good. */
  bootSuccess: 0 | 1 | undefined;
  /** greenboot-rs only: the deployment it expects to boot next. */
  nextDeploymentId?: string;
  /** greenboot-rs only. */
  fallback?: string;
  /** Values that were set but could not be understood. */
  warnings: string[];
}

export interface GrubEnvReader {
  /** `undefined` when the file does not exist (a host that does not boot with GRUB). */
  read(): Promise<GrubEnv | undefined>;
}

export function createGrubEnvReader(options: { fs: HostFs; path?: string }): GrubEnvReader {
  const path = options.path ?? GRUBENV_PATH;
  return {
    async read() {
      const bytes = await options.fs.readBytes(path);
      return bytes === undefined ? undefined : parseGrubEnv(bytes, options.fs.resolve(path));
    },
  };
}

/** Parse a whole environment block; `file` names it in errors. */
export function parseGrubEnv(bytes: Buffer, file: string): GrubEnv {
  if (bytes.length !== SIZE) {
    throw new DataError(
      'grubenv-invalid',
      `${file}: a GRUB environment block is ${SIZE} bytes, this one is ${bytes.length} (truncated or overwritten)`,
    );
  }
  const text = bytes.toString('latin1');
  if (!text.startsWith(HEADER))
    throw new DataError('grubenv-invalid', `${file}: missing the "# GRUB Environment Block" header`);
  const warnings: string[] = [];
  return grubEnvFromVars(parseVariables(text.slice(HEADER.length), warnings), warnings);
}

/** What the variables mean to greenboot (also for fakes that start from plain variables). */
export function grubEnvFromVars(vars: Record<string, string>, warnings: string[] = []): GrubEnv {
  return {
    vars,
    bootCounter: parseCounter(vars.boot_counter, warnings),
    bootSuccess: parseSuccess(vars.boot_success, warnings),
    nextDeploymentId: vars.greenboot_next_deployment_id,
    fallback: vars.fallback,
    warnings,
  };
}

function parseVariables(body: string, warnings: string[]): Record<string, string> {
  const vars: Record<string, string> = {};
  let pos = 0;
  while (pos < body.length) {
    // Comments and the padding: GRUB skips lines that start with `#`.
    if (body[pos] === '#' || body[pos] === '\n') {
      const end = body.indexOf('\n', pos);
      pos = end < 0 ? body.length : end + 1;
      continue;
    }
    let value = '';
    let name = '';
    let inValue = false;
    let ended = false;
    for (; pos < body.length; pos++) {
      const c = body[pos] as string;
      if (c === '\\' && inValue && pos + 1 < body.length) {
        value += body[++pos];
      } else if (c === '\n') {
        pos++;
        ended = true;
        break;
      } else if (c === '=' && !inValue) {
        inValue = true;
      } else if (inValue) {
        value += c;
      } else {
        name += c;
      }
    }
    if (!inValue || !ended) {
      warnings.push(`ignored a malformed line starting "${name.slice(0, 32)}"`);
      continue;
    }
    vars[name] = value;
  }
  return vars;
}

function parseCounter(raw: string | undefined, warnings: string[]): number | undefined {
  if (raw === undefined) return undefined;
  if (/^-?\d+$/.test(raw.trim())) return Number(raw.trim());
  warnings.push(`boot_counter="${raw}" is not an integer; treated as unset`);
  return undefined;
}

function parseSuccess(raw: string | undefined, warnings: string[]): 0 | 1 | undefined {
  if (raw === undefined) return undefined;
  if (raw.trim() === '0' || raw.trim() === '1') return Number(raw.trim()) as 0 | 1;
  warnings.push(`boot_success="${raw}" is neither 0 nor 1; treated as unset`);
  return undefined;
}
