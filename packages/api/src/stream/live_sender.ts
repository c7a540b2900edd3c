/**
 * The live sender's reading half: durable records read from the journal's
 * segments as the session asks for them (`read`, `await-durable`), the
 * backlog first and then the live tail, so a slow replica costs disk reads
 * rather than memory on the primary. Which LSNs may be sent (the window,
 * counted from the replica's last acknowledged `receivedLsn`) and when, is
 * the session's (`session.ts`).
 *
 * A read returns what the journal holds at that moment: fewer frames than
 * asked (or none) is not an error, the session asks again.
 */
import type { Journal } from '@fsjournal/journal';
import { MAX_BATCH_FRAMES } from '@fsjournal/journal/wire';
import type { BatchFrame, SessionEvent } from './session.js';

/**
 * Frames from `fromLsn` on, stopping after `toLsn`, after MAX_BATCH_FRAMES,
 * or after the frame that brings the batch to `batchBytes`.
 */
export async function readBatch(
  journal: Journal,
  fromLsn: number,
  toLsn: number,
  batchBytes: number,
): Promise<BatchFrame[]> {
  const frames: BatchFrame[] = [];
  let bytes = 0;
  for await (const f of journal.readFrames({ fromLsn })) {
    frames.push({ lsn: f.lsn, timeUs: f.timeUs, payload: f.payload, frame: f.frame });
    bytes += f.frame.length;
    if (f.lsn >= toLsn || frames.length >= MAX_BATCH_FRAMES || bytes >= batchBytes) break;
  }
  return frames;
}

/**
 * Carries out the session's live actions on one connection and hands the
 * outcome to `deliver`; once `signal` aborts it delivers nothing more.
 */
export class LiveSender {
  constructor(
    private readonly journal: Journal,
    private readonly batchBytes: number,
    private readonly signal: AbortSignal,
    private readonly deliver: (e: SessionEvent) => void,
  ) {}

  /** Delivers `durable` once the journal's durable LSN reaches `lsn`, or it closes. */
  awaitDurable(lsn: number): void {
    this.journal.waitForDurable(lsn, this.signal).then(
      () => {
        if (!this.signal.aborted) this.deliver({ type: 'durable' });
      },
      (error: unknown) => this.failed(error),
    );
  }

  /** Delivers the `frames` from `fromLsn` on, up to `toLsn`. */
  read(fromLsn: number, toLsn: number): void {
    readBatch(this.journal, fromLsn, toLsn, this.batchBytes).then(
      (frames) => {
        if (!this.signal.aborted) this.deliver({ type: 'frames', frames });
      },
      (error: unknown) => this.failed(error),
    );
  }

  private failed(error: unknown): void {
    if (!this.signal.aborted) this.deliver({ type: 'sender-failed', error });
  }
}
