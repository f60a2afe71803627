import crypto from 'node:crypto';
import os from 'node:os';
import type { ImapFlow } from 'imapflow';
import type { AppContext } from '../context.js';
import { Invalid, NotFound } from '../errors.js';
import { listFetchableMailboxes, readMailbox, type Mailbox } from './mailboxSettings.js';
import { acquireLease, recordFetchError, releaseLease, releaseLeasesOfOthers } from './mailboxLease.js';
import { fetchPass, mailboxClient } from './fetchMailbox.js';

/**
 * The mailboxes of this process. `fetchNow` runs one pass over a mailbox on a connection of its
 * own (the webhook); with MAIL_FETCH_ENABLED, `start` also keeps one watcher per fetchable
 * mailbox: a connection that IDLEs where the server has IDLE (a new mail wakes it at once) and
 * passes again every MAIL_POLL_SECONDS either way (the poll where there is no IDLE). The list of
 * mailboxes is re-read every MAIL_POLL_SECONDS, so a mailbox configured through the API is
 * picked up without a restart. With no mailbox configured nothing connects and nothing is logged.
 *
 * Passes over one mailbox never overlap: within the process a chain per mailbox orders them,
 * across processes the lease (mailboxLease.ts) does — a pass that finds it held elsewhere skips.
 * The per-mailbox rate (MAIL_FETCH_MAX_PER_MINUTE) is counted here, per process.
 */

export interface FetchReport {
  subchannelId: number;
  /** another process holds the mailbox's lease: it fetches; this one tries again when the lease could have run out */
  leaseHeld?: boolean;
  stored: number;
  duplicates: number;
  quarantined: number;
  more: boolean;
  skipped?: string;
  error?: string;
  conversations: Array<{ ticketId: number; conversationId: number; newTicket: boolean; messageId: string }>;
}

export class MailFetcher {
  readonly owner = `mail-${os.hostname()}-${process.pid}-${crypto.randomBytes(3).toString('hex')}`;
  private readonly chains = new Map<number, Promise<unknown>>();
  private readonly rate = new Map<number, { windowStart: number; count: number }>();
  private readonly watchers = new Map<number, MailboxWatcher>();
  private refreshTimer: NodeJS.Timeout | null = null;
  private stopped = true;

  constructor(private readonly ctx: AppContext) {}

  start(): void {
    if (!this.ctx.config.MAIL_FETCH_ENABLED) return;
    this.stopped = false;
    void this.begin();
    this.refreshTimer = setInterval(() => void this.refresh(), this.ctx.config.MAIL_POLL_SECONDS * 1000);
    this.refreshTimer.unref();
  }

  private async begin(): Promise<void> {
    // On SQLite this is the only process (npm run worker refuses SQLite): a lease held by
    // another owner is a dead process's, let go at once instead of after MAIL_LEASE_SECONDS.
    if (this.ctx.db.kind === 'sqlite') {
      await releaseLeasesOfOthers(this.ctx.db, this.owner).catch((err) => this.ctx.log.warn({ err }, 'could not release stale mailbox leases'));
    }
    await this.refresh();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.refreshTimer) clearInterval(this.refreshTimer);
    await Promise.allSettled([...this.watchers.values()].map((w) => w.stop()));
    this.watchers.clear();
    await Promise.allSettled([...this.chains.values()]);
  }

  /** Starts watchers for new or changed mailboxes, stops those of removed ones (also every MAIL_POLL_SECONDS). */
  async refresh(): Promise<void> {
    let boxes: Mailbox[];
    try {
      boxes = await listFetchableMailboxes(this.ctx.db, this.ctx.secretBox);
    } catch (err) {
      if (!this.stopped) this.ctx.log.warn({ err }, 'could not list the mailboxes to fetch');
      return;
    }
    if (this.stopped) return;
    const seen = new Set<number>();
    for (const box of boxes) {
      seen.add(box.subchannelId);
      const signature = JSON.stringify(box.imap);
      const current = this.watchers.get(box.subchannelId);
      if (current?.signature === signature) continue;
      if (current) void current.stop();
      const w = new MailboxWatcher(this.ctx, this, box, signature);
      this.watchers.set(box.subchannelId, w);
      w.start();
    }
    for (const [id, w] of this.watchers) {
      if (!seen.has(id)) {
        void w.stop();
        this.watchers.delete(id);
      }
    }
  }

  /** Whether this process's watcher of the mailbox waits in IDLE now (tests wait for it before delivering). */
  isIdling(subchannelId: number): boolean {
    return this.watchers.get(subchannelId)?.idling ?? false;
  }

  /** One pass over one mailbox (or every fetchable one), now: POST /api/mind/webhook/fetchEmails. */
  async fetchNow(subchannelId?: number): Promise<FetchReport[]> {
    if (subchannelId !== undefined) {
      const box = await readMailbox(this.ctx.db, this.ctx.secretBox, subchannelId);
      if (!box) throw new NotFound('email subchannel', subchannelId, 'subchannelId');
      if (!box.imap) throw new Invalid('subchannelId', `subchannel ${subchannelId} has no IMAP settings (data.imap) to fetch with`, 'mailbox_not_configured');
      return [await this.pass(box)];
    }
    const boxes = await listFetchableMailboxes(this.ctx.db, this.ctx.secretBox);
    const reports: FetchReport[] = [];
    for (const box of boxes) reports.push(await this.pass(box));
    return reports;
  }

  /**
   * One pass, ordered after any other of the same mailbox in this process, under the lease.
   * `client`: the watcher's open connection; without it a connection is opened for the pass.
   */
  pass(box: Mailbox, client?: ImapFlow): Promise<FetchReport> {
    const id = box.subchannelId;
    const run = (this.chains.get(id) ?? Promise.resolve()).catch(() => {}).then(() => this.passNow(box, client));
    const settled = run.catch(() => {});
    this.chains.set(id, settled);
    void settled.then(() => { if (this.chains.get(id) === settled) this.chains.delete(id); });
    return run;
  }

  /** When the rate window of a mailbox reopens (ms), or 0 when it has budget now. */
  rateLimitedUntil(id: number): number {
    const r = this.rate.get(id);
    if (!r || Date.now() - r.windowStart >= 60_000) return 0;
    return r.count >= this.ctx.config.MAIL_FETCH_MAX_PER_MINUTE ? r.windowStart + 60_000 : 0;
  }

  private budget(id: number): number {
    const now = Date.now();
    let r = this.rate.get(id);
    if (!r || now - r.windowStart >= 60_000) {
      r = { windowStart: now, count: 0 };
      this.rate.set(id, r);
    }
    return Math.max(0, Math.min(this.ctx.config.MAIL_FETCH_BATCH, this.ctx.config.MAIL_FETCH_MAX_PER_MINUTE - r.count));
  }

  private async passNow(box: Mailbox, given?: ImapFlow): Promise<FetchReport> {
    const { ctx } = this;
    const id = box.subchannelId;
    const report: FetchReport = { subchannelId: id, stored: 0, duplicates: 0, quarantined: 0, more: false, conversations: [] };
    const budget = this.budget(id);
    if (budget === 0) return { ...report, more: true, skipped: `rate limit: at most ${ctx.config.MAIL_FETCH_MAX_PER_MINUTE} mails per minute (MAIL_FETCH_MAX_PER_MINUTE)` };
    const leaseMs = ctx.config.MAIL_LEASE_SECONDS * 1000;
    if (!(await acquireLease(ctx.db, id, this.owner, leaseMs))) return { ...report, leaseHeld: true, skipped: 'another process is fetching this mailbox' };
    let client = given;
    try {
      if (!client) {
        client = mailboxClient(ctx, box);
        await client.connect();
      }
      const r = await fetchPass(ctx, client, box, { owner: this.owner, leaseMs, budget });
      const rate = this.rate.get(id);
      if (rate) rate.count += r.outcomes.length;
      for (const o of r.outcomes) if (o.outcome === 'stored') report.conversations.push({ ticketId: o.ticketId, conversationId: o.conversationId, newTicket: o.newTicket, messageId: o.messageId });
      return { ...report, stored: r.stored, duplicates: r.duplicates, quarantined: r.quarantined, more: r.more };
    } catch (err) {
      const message = (err as Error).message;
      await recordFetchError(ctx.db, id, message).catch(() => {});
      return { ...report, error: message };
    } finally {
      await releaseLease(ctx.db, id, this.owner).catch(() => {});
      if (!given && client) await client.logout().catch(() => client!.close());
    }
  }
}

/** One mailbox's long-lived connection: IDLE (or the poll), then a pass, until stopped. */
class MailboxWatcher {
  private stopped = false;
  private wake: (() => void) | null = null;
  private kicked = false;
  private done: Promise<void> = Promise.resolve();
  private client: ImapFlow | null = null;
  private lastError: string | null = null;
  idling = false;

  constructor(private readonly ctx: AppContext, private readonly fetcher: MailFetcher, private readonly box: Mailbox, readonly signature: string) {}

  start(): void {
    this.done = this.loop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.kick();
    this.client?.close();
    await this.done;
  }

  private kick(): void {
    this.kicked = true;
    this.wake?.();
  }

  /** Until a new mail (IDLE's EXISTS), the connection closing, stop, or `ms`. */
  private wait(ms: number): Promise<void> {
    if (this.kicked || this.stopped) {
      this.kicked = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = null;
        this.kicked = false;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = done;
    });
  }

  private async loop(): Promise<void> {
    const pollMs = this.ctx.config.MAIL_POLL_SECONDS * 1000;
    const id = this.box.subchannelId;
    while (!this.stopped) {
      const client = mailboxClient(this.ctx, this.box);
      this.client = client;
      client.on('exists', () => this.kick());
      client.on('close', () => this.kick());
      try {
        await client.connect();
        await client.mailboxOpen(this.box.imap!.folder);
        while (!this.stopped && client.usable) {
          const r = await this.fetcher.pass(this.box, client);
          if (r.error) throw new Error(r.error);
          if (this.lastError) this.ctx.log.info({ subchannelId: id }, 'mailbox reachable again');
          this.lastError = null;
          const limitedUntil = this.fetcher.rateLimitedUntil(id);
          if (r.more && !limitedUntil) continue;
          // IDLE now rather than after imapflow's auto-IDLE delay (15 s): a new mail's EXISTS wakes
          // the wait at once. The next command (the pass) ends the IDLE. Without IDLE: the poll.
          if (client.capabilities.has('IDLE')) {
            void client.idle().catch(() => {});
            this.idling = true;
          }
          // A lease held elsewhere is that process's mailbox until it lets go or dies: look again
          // when the lease could have run out, not a whole poll later.
          const leaseMs = this.ctx.config.MAIL_LEASE_SECONDS * 1000;
          await this.wait(limitedUntil ? Math.max(0, limitedUntil - Date.now()) : r.leaseHeld ? Math.min(pollMs, leaseMs) : pollMs);
          this.idling = false;
        }
      } catch (err) {
        const message = (err as Error).message;
        // One warning per distinct failure, not one per poll.
        if (!this.stopped && message !== this.lastError) this.ctx.log.warn({ err, subchannelId: id }, 'fetching the mailbox failed; retrying every MAIL_POLL_SECONDS');
        this.lastError = message;
        // A connection closed by stop() is no failure of the mailbox.
        if (!this.stopped) await recordFetchError(this.ctx.db, id, message).catch(() => {});
      } finally {
        client.close();
      }
      if (!this.stopped) await this.wait(pollMs);
    }
  }
}
