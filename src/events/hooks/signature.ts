import crypto from 'node:crypto';

// How a receiver checks that a delivery is ours and fresh:
//   X-Ticketmind-Timestamp: <Unix seconds>
//   X-Ticketmind-Signature: sha256=<hex HMAC-SHA256 with the hook's secret over "<timestamp>.<raw body>">
// Signing the timestamp with the body lets receivers refuse replays older than a few minutes
// (the scheme Stripe and Slack use); compare in constant time.

export const SIGNATURE_PREFIX = 'sha256=';

export function signDelivery(secret: string, timestamp: number, body: string): string {
  return SIGNATURE_PREFIX + crypto.createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
}

/** What a receiver runs; exported for tests and for receivers written in TypeScript. */
export function verifyDelivery(secret: string, signature: string, timestamp: number, body: string, toleranceSeconds = 300, now = Date.now() / 1000): boolean {
  if (!Number.isFinite(timestamp) || Math.abs(now - timestamp) > toleranceSeconds) return false;
  const expected = Buffer.from(signDelivery(secret, timestamp, body));
  const given = Buffer.from(signature);
  return given.length === expected.length && crypto.timingSafeEqual(given, expected);
}

export function generateSecret(): string {
  return crypto.randomBytes(32).toString('base64url');
}
