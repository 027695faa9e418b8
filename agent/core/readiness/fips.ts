// FIPS mode as a fact. RHEL for Edge images do not support FIPS mode, so on an ostree-booted host
// the flag is not a question worth asking: the answer is the reason. On an RPM-installed RHEL the
// kernel's flag says whether FIPS mode is on.
export type FipsInput = {
  ostreeBooted: boolean;
  /** Content of /proc/sys/crypto/fips_enabled; undefined when the file is absent. */
  fipsEnabled?: string;
};

export type FipsFact = {
  state: 'on' | 'off' | 'not-supported' | 'unknown';
  message: string;
  /** warn: the kernel runs in FIPS mode on an image that does not support it. */
  level?: 'warn';
};

export function decideFips(input: FipsInput, file = '/proc/sys/crypto/fips_enabled'): FipsFact {
  const value = input.fipsEnabled?.trim();
  // The flag set on an ostree host is worth both halves: it is on, and nobody supports it there.
  if (input.ostreeBooted && value === '1')
    return {
      state: 'on',
      level: 'warn',
      message: `FIPS mode is on (${file} is 1), but FIPS mode is not supported on RHEL for Edge (ostree) images`,
    };
  if (input.ostreeBooted)
    return { state: 'not-supported', message: 'FIPS mode is not supported on RHEL for Edge (ostree) images' };
  if (value === undefined) return { state: 'unknown', message: `${file} is absent: this kernel has no FIPS flag` };
  if (value === '1') return { state: 'on', message: 'FIPS mode is on' };
  if (value === '0') return { state: 'off', message: 'FIPS mode is off' };
  return { state: 'unknown', message: `${file} holds '${value.slice(0, 20)}', expected 0 or 1` };
}
