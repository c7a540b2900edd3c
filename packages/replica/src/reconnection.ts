/**
 * Between connections (docs/PROTOCOL.md, "Reconnection"): the part of the
 * replica's state machine (`session.ts`) that runs while no socket is
 * open. A connection that ended on an error is reported; a refused record
 * stops the replica for good; after a Resync it reconnects at once;
 * otherwise it waits with exponential backoff and jitter, starting over
 * after a connection on which records flowed. A bootstrap cut short is
 * abandoned (the target emptied) before the next connection.
 *
 * Pure like the rest of the machine: the jitter's random number and the
 * clock come with the event; the driver sleeps.
 */
import { newPosition } from './position.js';
import type { SessionAction, SessionConfig, SessionEvent, SessionState } from './session.js';

type Between = Extract<SessionEvent, { type: 'connect' | 'abandoned' | 'ended' | 'retry' }>;

/**
 * Before attempt `attempt` (connections in a row that brought nothing):
 * `min(max, min × 2^min(attempt, 16))`, then 50 % to 100 % of it.
 */
export function reconnectDelay(config: SessionConfig, attempt: number, random: number): number {
  const base = Math.min(config.backoffMaxMs, config.backoffMinMs * 2 ** Math.min(attempt, 16));
  return Math.round(base * (0.5 + random / 2));
}

/** Works on `s` (a copy made by `step`) and returns the actions. */
export function betweenConnections(s: SessionState, e: Between, now: number): SessionAction[] {
  switch (e.type) {
    case 'connect':
      s.phase = 'connecting';
      // A bootstrap cut short (the connection ended) leaves no LSN's tree.
      return s.position.bootstrap
        ? [{ type: 'abandon-snapshot', position: newPosition(s.position.replicaId) }]
        : [];
    case 'abandoned':
      s.position = e.position;
      return [];
    case 'ended':
      s.lastError = {
        code: e.failure.code,
        message: e.failure.message,
        at: new Date(now).toISOString(),
      };
      if (e.failure.code === 'FSJ_ERR_REPLICA_REFUSED_RECORD') s.fatal = true;
      return [
        { type: 'report-error', code: e.failure.code },
        {
          type: 'log',
          level: 'warn',
          fields: { code: e.failure.code, err: e.failure.message },
          msg: 'replica stream ended',
        },
      ];
    case 'retry': {
      if (s.fatal) {
        s.phase = 'error';
        return [
          {
            type: 'log',
            level: 'error',
            fields: { lastError: s.lastError },
            msg: 'replica stopped applying; fix the cause and restart it',
          },
        ];
      }
      const resyncing = s.phase === 'resyncing';
      if (!resyncing) s.phase = s.lastError ? 'error' : 'connecting';
      s.attempt = e.streamed ? 0 : s.attempt + 1;
      s.reconnects++;
      // After a resync, at once: the replica comes back as new.
      return [{ type: 'wait', ms: resyncing ? 0 : reconnectDelay(s.config, s.attempt, e.random) }];
    }
  }
}
