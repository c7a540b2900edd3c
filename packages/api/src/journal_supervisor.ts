/**
 * Keeps the primary's journal going through I/O failures (disk full, EIO),
 * the way the replica keeps applying: stop, say so, retry, resume, skip
 * nothing. When the journal or the capture fails, recovery is tried after a
 * delay that doubles from `retryMs` (1 s) to `retryMaxMs` (30 s):
 * `Journal.recover()` (cut back to the last durable record, a GAP saying
 * where it failed), then `Capture.resume()` (watch mode rescans the tree,
 * mount mode journals the changes the journal lost). Its state is what
 * `/v1/status` (`journal`), `/healthz` and the metrics report.
 */
import type { Capture, Journal } from '@fsjournal/journal';
import type { Logger } from '@fsjournal/journal';

/** The journal's health as `/v1/status` reports it (`journal`). */
export interface JournalHealth {
  /** `failed` from the failure until journal and capture are recovered. */
  state: 'ok' | 'failed';
  /** While failed: what failed it (the journal's error, else the capture's). */
  error: { code: string; message: string } | null;
  /** While failed: since when (ISO 8601). */
  since: string | null;
  /** While failed: recovery attempts made so far. */
  attempts: number;
  /** Times journal and capture were recovered since the primary started. */
  recoveries: number;
  /** Recovery attempts since the primary started (those that failed included). */
  totalAttempts: number;
}

export interface JournalSupervisorOptions {
  journal: Journal;
  capture?: Capture;
  logger?: Logger;
  /** Delay before the first recovery attempt (ms). Default 1000. */
  retryMs?: number;
  /** Longest delay between attempts (ms); each failed attempt doubles it. Default 30 000. */
  retryMaxMs?: number;
}

export const DEFAULT_RECOVERY_RETRY_MS = 1000;
export const DEFAULT_RECOVERY_RETRY_MAX_MS = 30_000;

/** An error as health reports it: its code when it has an fsjournal code. */
export function errorOf(err: unknown): { code: string; message: string } {
  const code = (err as { code?: unknown })?.code;
  return {
    code: typeof code === 'string' && code.startsWith('FSJ_ERR_') ? code : 'FSJ_ERR_JOURNAL_IO',
    message: err instanceof Error ? err.message : String(err),
  };
}

/** Health read from the journal alone (an app built without a supervisor, in tests). */
export function journalHealthOf(journal: Journal): JournalHealth {
  const failure = journal.failure;
  const at = journal.failedAtMs;
  return {
    state: failure ? 'failed' : 'ok',
    error: failure ? errorOf(failure) : null,
    since: at === undefined ? null : new Date(at).toISOString(),
    attempts: 0,
    recoveries: 0,
    totalAttempts: 0,
  };
}

export class JournalSupervisor {
  private readonly retryMs: number;
  private readonly retryMaxMs: number;
  private readonly logger: Logger | undefined;
  private readonly unwatch: (() => void)[] = [];
  private failedSince: number | undefined;
  private error: { code: string; message: string } | undefined;
  private attempts = 0;
  private totalAttempts = 0;
  private recoveries = 0;
  private delayMs: number;
  private timer: NodeJS.Timeout | undefined;
  private attempt: Promise<void> | undefined;
  private stopped = false;

  constructor(private readonly o: JournalSupervisorOptions) {
    this.retryMs = o.retryMs ?? DEFAULT_RECOVERY_RETRY_MS;
    this.retryMaxMs = Math.max(this.retryMs, o.retryMaxMs ?? DEFAULT_RECOVERY_RETRY_MAX_MS);
    this.delayMs = this.retryMs;
    this.logger = o.logger;
    this.unwatch.push(o.journal.observe({ onFailed: (err) => this.failed(err) }));
    if (o.capture) this.unwatch.push(o.capture.onFailed((err) => this.failed(err)));
    const already = o.journal.failure ?? o.capture?.failure;
    if (already) this.failed(already);
  }

  /** What status, health and metrics report. */
  health(): JournalHealth {
    const failed = this.failedSince !== undefined;
    return {
      state: failed ? 'failed' : 'ok',
      error: failed ? (this.error ?? null) : null,
      since: failed ? new Date(this.failedSince!).toISOString() : null,
      attempts: this.attempts,
      recoveries: this.recoveries,
      totalAttempts: this.totalAttempts,
    };
  }

  /** Stops retrying (the primary is closing); waits for an attempt under way. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    for (const u of this.unwatch.splice(0)) u();
    await this.attempt;
  }

  private failed(err: Error): void {
    if (this.stopped) return;
    // The journal's error is the cause when it failed; the capture's follows from it.
    this.error = errorOf(this.o.journal.failure ?? err);
    if (this.failedSince === undefined) {
      this.failedSince = Date.now();
      this.delayMs = this.retryMs;
      this.attempts = 0;
      this.logger?.error(
        { err, code: this.error.code, retryInMs: this.delayMs },
        'journal failed: changes are not journaled until it recovers; retrying',
      );
    }
    this.schedule();
  }

  private schedule(): void {
    if (this.timer || this.attempt || this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.attempt = this.tryRecover().finally(() => {
        this.attempt = undefined;
        // Until an attempt succeeds, another follows.
        if (this.failedSince !== undefined) this.schedule();
      });
    }, this.delayMs);
    this.timer.unref();
  }

  private stillFailed(): boolean {
    return this.o.journal.failure !== undefined || this.o.capture?.failure !== undefined;
  }

  private async tryRecover(): Promise<void> {
    const { journal, capture } = this.o;
    this.attempts++;
    this.totalAttempts++;
    const failedMs = Date.now() - (this.failedSince ?? Date.now());
    this.logger?.info({ attempt: this.attempts, failedMs }, 'journal recovery: attempt');
    try {
      const recovered = await journal.recover();
      if (capture && (recovered || capture.failure)) {
        const cause = capture.failure;
        // The journal's own GAP covers a journal failure; a capture that
        // failed alone says so with one of its own.
        await capture.resume(
          recovered || !cause ? {} : { gap: `capture failed (${cause.message}); resumed` },
        );
      }
      // Failed again once resumed (before this attempt ended): try again later.
      if (this.stillFailed()) throw journal.failure ?? capture?.failure;
    } catch (err) {
      if (this.stopped) return;
      this.error = errorOf(journal.failure ?? capture?.failure ?? err);
      this.delayMs = Math.min(this.delayMs * 2, this.retryMaxMs);
      this.logger?.warn(
        { err, attempt: this.attempts, code: this.error.code, retryInMs: this.delayMs },
        'journal recovery failed; retrying',
      );
      return;
    }
    this.recoveries++;
    this.logger?.info(
      { attempts: this.attempts, failedMs: Date.now() - (this.failedSince ?? Date.now()) },
      'journal recovered: changes are journaled again',
    );
    this.failedSince = undefined;
    this.error = undefined;
    this.attempts = 0;
    this.delayMs = this.retryMs;
  }
}
