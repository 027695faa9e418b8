// sd_notify without a native addon: `systemd-notify --pid=<our pid>` sends the message on our
// behalf (the unit needs NotifyAccess=all, see units/edge-agent.service). Outside systemd
// (no NOTIFY_SOCKET) every call is a no-op.
import type { Exec } from './exec.js';

export interface Notifier {
  readonly enabled: boolean;
  /** Watchdog interval requested by the unit (WatchdogSec=), in ms; undefined when off. */
  readonly watchdogMs: number | undefined;
  ready(status: string): Promise<void>;
  status(status: string): Promise<void>;
  watchdog(): Promise<void>;
  /** Tell systemd not to expect pings (WATCHDOG_USEC=0 turns the unit's watchdog off). */
  watchdogOff(): Promise<void>;
  stopping(status: string): Promise<void>;
}

export function createNotifier(
  exec: Exec,
  env: Readonly<Record<string, string | undefined>>,
  pid = process.pid,
): Notifier {
  const enabled = Boolean(env.NOTIFY_SOCKET);
  const usec = Number(env.WATCHDOG_USEC);
  // WATCHDOG_PID names the process the watchdog is meant for; another pid means "not us".
  const forUs = !env.WATCHDOG_PID || Number(env.WATCHDOG_PID) === pid;
  const watchdogMs = enabled && forUs && usec > 0 ? usec / 1000 : undefined;
  let last = '';
  const send = async (...assignments: string[]) => {
    if (!enabled) return;
    // systemd-notify exits non-zero when the socket refuses the message: nothing to do about it.
    await exec
      .run('systemd-notify', [`--pid=${pid}`, ...assignments], {
        timeoutMs: 5000,
        env: { NOTIFY_SOCKET: env.NOTIFY_SOCKET ?? '' },
      })
      .catch(() => undefined);
  };
  return {
    enabled,
    watchdogMs,
    ready: (status) => send('READY=1', `STATUS=${(last = status)}`),
    status: async (status) => {
      if (status === last) return;
      last = status;
      await send(`STATUS=${status}`);
    },
    watchdog: () => send('WATCHDOG=1'),
    watchdogOff: () => send('WATCHDOG_USEC=0'),
    stopping: (status) => send('STOPPING=1', `STATUS=${status}`),
  };
}
