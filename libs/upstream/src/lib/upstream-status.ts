/** Why a relay connection ended. */
export type DisconnectReason =
  /** The relay or the network closed the connection. */
  | 'closed'
  /** The connection failed (dial, handshake, TLS, read). */
  | 'error'
  /** No frame arrived within `livenessTtl`. */
  | 'liveness'
  /** The relay did not answer a keepalive ping before the next one was due. */
  | 'ping-timeout'
  /** The relay sent an error frame (`FutureCursor`, `ConsumerTooSlow`, ...). */
  | 'relay-error';

/** What the relay source reports, for logs and metrics. Never on the hot path (not per frame). */
export type UpstreamStatus =
  | { type: 'connecting'; url: string; cursor?: number }
  | { type: 'connected'; url: string }
  | { type: 'disconnected'; reason: DisconnectReason; detail?: string; retryInMs: number }
  /** An error frame; the next connection starts from the same cursor, after the backoff. */
  | { type: 'relay-error'; error: string; message?: string }
  /**
   * The relay refused the stored cursor (`FutureCursor`: its sequence is behind it). Nothing is
   * discarded: the source keeps retrying from the same cursor with backoff until the relay
   * accepts it, so the operator must look (a relay reset, or the wrong relay). The server is not
   * ready while this is the latest state; `streaming` ends it.
   */
  | { type: 'cursor-rejected'; cursor: number; error: string; message?: string; retryInMs: number }
  /** The first frame of a connection arrived: frames flow again. Reported once per connection. */
  | { type: 'streaming'; url: string }
  /** A non-binary message was ignored; reported once per connection. */
  | { type: 'ignored-message'; detail: string };
