import { hash, verify } from '@node-rs/argon2';
import { DomainError } from '../errors.js';

// argon2id with the library's defaults (19 MiB, t=2), OWASP's minimum recommendation.
// Each hash or verify costs ~20 MiB and tens of milliseconds of a core, so the work is gated:
// at most `concurrency` at once, at most `maxWaiting` queued behind them; past that the caller
// gets 503 at once instead of a growing queue (a login flood cannot exhaust memory or starve the
// store path).

export class PasswordWorkBusy extends DomainError {
  constructor() {
    super(503, 'overloaded', 'too many password checks at once; retry in a second');
  }
}

let concurrency = 2;
let maxWaiting = 64;
let running = 0;
let checks = 0;
const waiting: Array<() => void> = [];

export function configurePasswordWork(opts: { concurrency: number; maxWaiting: number }): void {
  concurrency = opts.concurrency;
  maxWaiting = opts.maxWaiting;
}

export async function gated<T>(work: () => Promise<T>): Promise<T> {
  if (running >= concurrency) {
    if (waiting.length >= maxWaiting) throw new PasswordWorkBusy();
    await new Promise<void>((resolve) => waiting.push(resolve));
  } else {
    running++;
  }
  try {
    return await work();
  } finally {
    // Hand the slot straight to the next waiter (running stays the same), or free it.
    const next = waiting.shift();
    if (next) next();
    else running--;
  }
}

export const hashPassword = (password: string): Promise<string> => gated(() => hash(password));

// Verifying against a fixed hash when there is nothing to verify (unknown email, a profile
// without a password) makes the refusal take as long as a real check.
let dummyHash: Promise<string> | undefined;
const dummy = () => (dummyHash ??= hash('not-a-real-password'));

export async function verifyPassword(stored: string | null, password: string): Promise<boolean> {
  const against = stored ?? (await dummy());
  checks++;
  const ok = await gated(() => verify(against, password).catch(() => false));
  return ok && stored !== null;
}

export async function burnPasswordCheck(password: string): Promise<void> {
  await verifyPassword(null, password);
}

/** Password checks running and queued now, and verifications made since start (metrics, tests). */
export const passwordWorkLoad = () => ({ running, waiting: waiting.length, checks });
