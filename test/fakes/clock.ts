// A clock for tests: time moves only when the test says so, or, in auto-advance mode, jumps to
// the next timer whenever the process has nothing else to do. A five-minute wait then runs in
// milliseconds with the same sequence of sleeps the real clock would see.
import type { Clock } from '../../agent/host/clock.js';

interface Timer {
  at: number;
  seq: number;
  fire: () => void;
}

export interface FakeClockOptions {
  /** Wall-clock start (ms since the epoch, or a date string). Default 2024-06-01T00:00:00Z. */
  now?: number | string;
  /** Jump to the earliest timer once the process is idle (default false). */
  autoAdvance?: boolean;
}

export class FakeClock implements Clock {
  private epoch: number;
  private elapsed = 0;
  private seq = 0;
  private timers: Timer[] = [];
  private auto: boolean;
  private scheduled = false;
  private registrations = 0;

  constructor(options: FakeClockOptions = {}) {
    this.epoch =
      typeof options.now === 'string' ? Date.parse(options.now) : (options.now ?? Date.parse('2024-06-01T00:00:00Z'));
    this.auto = options.autoAdvance ?? false;
  }

  now(): number {
    return this.epoch + this.elapsed;
  }

  monotonic(): number {
    return this.elapsed;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const onAbort = () => {
        this.timers = this.timers.filter((t) => t !== timer);
        reject(signal?.reason);
      };
      const timer: Timer = {
        at: this.elapsed + Math.max(0, ms),
        seq: this.seq++,
        fire: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.timers.push(timer);
      this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
      this.registrations += 1;
      this.schedule();
    });
  }

  /** Timers waiting to fire. */
  get pendingTimers(): number {
    return this.timers.length;
  }

  /** Move time forward by ms, firing every timer that falls due on the way, in order. */
  async advance(ms: number): Promise<void> {
    const target = this.elapsed + ms;
    for (let next = this.timers[0]; next && next.at <= target; next = this.timers[0]) {
      this.fireEarliest();
      // Let the woken code run (and maybe sleep again) before the next timer.
      await idle();
    }
    this.elapsed = Math.max(this.elapsed, target);
  }

  /** Jump the wall clock (e.g. an NTP step); monotonic time is unaffected. */
  setNow(ms: number): void {
    this.epoch = ms - this.elapsed;
  }

  setAutoAdvance(on: boolean): void {
    this.auto = on;
    this.schedule();
  }

  private fireEarliest(): void {
    const timer = this.timers.shift();
    if (!timer) return;
    this.elapsed = Math.max(this.elapsed, timer.at);
    timer.fire();
  }

  // "Idle" = a whole setImmediate turn passed without anyone registering a new timer: pending
  // promise chains have settled. Real I/O still in flight does not hold the clock back.
  private schedule(): void {
    if (!this.auto || this.scheduled || this.timers.length === 0) return;
    this.scheduled = true;
    let seen = this.registrations;
    const check = () => {
      if (this.registrations !== seen) {
        seen = this.registrations;
        return void setImmediate(check);
      }
      this.scheduled = false;
      if (!this.auto) return;
      this.fireEarliest();
      this.schedule();
    };
    setImmediate(check);
  }
}

function idle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
