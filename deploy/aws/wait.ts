/** Poll interval and deadline of every wait, as options so tests run in milliseconds. */
import { setTimeout as delay } from 'node:timers/promises';

export interface PollOptions {
  /** Time between two polls. Default: each waiter documents its own. */
  pollIntervalMs?: number;
  /** Give up after this long. Default: each waiter documents its own. */
  timeoutMs?: number;
  /** Sleeps between polls. Default: a timer; tests pass a fake. */
  sleep?: (ms: number) => Promise<void>;
  /** The clock. Default `Date.now`. */
  now?: () => number;
}

/** The options with defaults filled in. */
export function pollSettings(options: PollOptions, defaults: { pollIntervalMs: number; timeoutMs: number }) {
  return {
    pollIntervalMs: options.pollIntervalMs ?? defaults.pollIntervalMs,
    timeoutMs: options.timeoutMs ?? defaults.timeoutMs,
    sleep: options.sleep ?? ((ms: number) => delay(ms).then(() => undefined)),
    now: options.now ?? Date.now,
  };
}
