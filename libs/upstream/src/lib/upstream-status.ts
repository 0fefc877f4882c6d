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
  /** `resume` says how the next connection starts: from the cursor, or live (cursor rejected). */
  | { type: 'relay-error'; error: string; message?: string; resume: 'cursor' | 'live' }
  /** A non-binary message was ignored; reported once per connection. */
  | { type: 'ignored-message'; detail: string };
