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
  /**
   * The error that stopped the capture (usually an append the failed journal
   * refused), until `resume()` succeeds; undefined while capturing.
   */
  readonly failure: Error | undefined;
  /** Calls `listener` when the capture fails; returns the function that removes it. */
  onFailed(listener: (error: Error) => void): () => void;
  /**
   * Continues after a failure, once the journal takes appends again (after
   * `Journal.recover()`, whose GAP marks the window), so that nothing that
   * changed meanwhile is left out: watch mode rescans the tree, mount mode
   * journals the changes whose records the journal lost. `gap`: also append
   * a GAP with this reason (a failure of the capture alone). Rejects, and
   * stays failed, if the journal fails again; then call it again later.
   */
  resume(options?: { gap?: string }): Promise<void>;
}
