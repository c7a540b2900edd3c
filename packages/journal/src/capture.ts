/** What the primary needs of a capture, whichever mode feeds the journal. */
export interface Capture {
  /**
   * Appends a BARRIER after every change made to the tree before the call;
   * resolves with its LSN once durable.
   */
  barrier(barrierId: string): Promise<number>;
  /** Resolves when every change seen so far is journaled and durable. */
  idle(): Promise<void>;
  /** Stops capturing; journals nothing further. */
  stop(): Promise<void>;
}
