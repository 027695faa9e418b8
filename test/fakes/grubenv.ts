// A grubenv that tests set variable by variable, interpreted exactly like the real file.
import { grubEnvFromVars, type GrubEnv, type GrubEnvReader } from '../../agent/host/grubenv.js';

export class FakeGrubEnv implements GrubEnvReader {
  /** `undefined`: a host without a grubenv (not booted by GRUB). */
  vars: Record<string, string> | undefined;

  /** `null`: no grubenv file at all. */
  constructor(vars: Record<string, string> | null = {}) {
    this.vars = vars ?? undefined;
  }

  async read(): Promise<GrubEnv | undefined> {
    return this.vars === undefined ? undefined : grubEnvFromVars({ ...this.vars });
  }

  set(name: string, value: string | number): void {
    this.vars = { ...this.vars, [name]: String(value) };
  }

  unset(name: string): void {
    if (!this.vars) return;
    const { [name]: _removed, ...rest } = this.vars;
    this.vars = rest;
  }
}
