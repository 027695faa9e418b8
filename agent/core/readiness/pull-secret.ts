// Whether CRI-O's pull secret is usable: JSON with an `auths` object, naming the mirror registry
// when one is configured. The content is a credential: no message here ever quotes it, only the
// file, the position of a syntax error and which key is wrong.
export type PullSecretFact = {
  valid: boolean;
  /** Registries in `auths` (host names only, never their credentials). */
  registries: number;
  /** Mirror hosts configured but absent from `auths`. */
  missingMirrors: string[];
  problem?: string;
};

export function assessPullSecret(file: string, text: string, mirrors: readonly string[]): PullSecretFact {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    // V8's message quotes a piece of the input ("Unexpected token 'x', "..." is not valid JSON"):
    // keep only where the parse stopped.
    const at = /position (\d+)/.exec((error as Error).message)?.[1];
    return invalid(`${file} is not valid JSON${at ? ` (syntax error at byte ${at})` : ''}`);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data))
    return invalid(`${file}: expected a JSON object with an "auths" object, found ${kind(data)}`);
  const auths = (data as Record<string, unknown>).auths;
  if (auths === undefined) return invalid(`${file}: no "auths" key (expected an object of registry → credentials)`);
  if (typeof auths !== 'object' || auths === null || Array.isArray(auths))
    return invalid(`${file}: "auths" is ${kind(auths)}, expected an object of registry → credentials`);
  const registries = Object.keys(auths);
  const missingMirrors = mirrors.filter((m) => !registries.some((r) => registryHost(r) === m.toLowerCase()));
  return {
    valid: true,
    registries: registries.length,
    missingMirrors,
    problem: missingMirrors.length
      ? `${file}: "auths" has no entry for the mirror registry ${missingMirrors.join(', ')}`
      : undefined,
  };
}

function invalid(problem: string): PullSecretFact {
  return { valid: false, registries: 0, missingMirrors: [], problem };
}

function kind(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}

/** `auths` keys may be `host`, `host:port`, `https://host/v1/` or `host/namespace`. */
function registryHost(key: string): string {
  return key
    .replace(/^[a-z]+:\/\//i, '')
    .split('/')[0]!
    .toLowerCase();
}
