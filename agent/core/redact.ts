// Secrets in URLs (a broker URL with a password, mqtts://user:secret@hub:8883) are shown with
// the password replaced wherever edge-agent prints, logs or writes them: status output,
// /run/edge-agent/daemon.json (world-readable), the journal, error messages. Pure: no I/O.

export const REDACTED = '***';

// scheme://user:password@ in any text. The password part runs to the last "@" before the path,
// so an unencoded "@" inside a password is hidden too.
const CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/?#@:]*):([^\s/?#]*)@/gi;

/** `text` with the password of every URL in it replaced by ***; the user name stays. */
export function redactSecrets(text: string): string {
  return text.replace(CREDENTIALS, (_all, scheme: string, user: string) => `${scheme}${user}:${REDACTED}@`);
}
