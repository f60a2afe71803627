import { freePort } from './freePort.js';
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { ImapFlow } from 'imapflow';

// A real Dovecot for the mail tests, started by the test itself: rootless-login in a temp dir
// (as root: login processes as dovenull, internal ones and the mail files as dovecot, per
// STACK.md; as any other user: that user for all of them), a passwd-file passdb, Maildir under
// the temp dir, 127.0.0.1 on free ports, plain IMAP (STARTTLS offered) and IMAPS with a
// self-signed certificate made by `openssl req`. IDLE is on (Dovecot's default).

export const DOVECOT_BIN = '/usr/sbin/dovecot';
const USER_POOL = 50;

export interface Dovecot {
  host: string;
  /** plain IMAP, STARTTLS offered */
  port: number;
  /** IMAP over TLS from the first byte (self-signed: tlsVerify false) */
  tlsPort: number;
  dir: string;
  /** A fresh user (mailbox) of its own for a test, with its credentials. */
  addUser(): { user: string; password: string };
  /** Delivers a raw message into a user's folder by IMAP APPEND; returns the UID it got. */
  append(user: string, raw: string | Buffer, folder?: string): Promise<number>;
  stop(): Promise<void>;
}

/**
 * Whether the mail tests can run. With CI=true they must (a missing Dovecot is an error, never a
 * skip); otherwise, without /usr/sbin/dovecot, they are skipped with a message saying so.
 */
export function dovecotAvailable(): boolean {
  if (fs.existsSync(DOVECOT_BIN)) return true;
  if (process.env.CI === 'true') throw new Error(`CI=true but ${DOVECOT_BIN} is missing: .ci/run installs dovecot-imapd; the mail tests must run in CI`);
  console.log(`# mail tests SKIPPED: ${DOVECOT_BIN} not found (apt-get install dovecot-imapd to run them)`);
  return false;
}


async function acceptsConnections(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = net.connect(port, '127.0.0.1');
    sock.once('data', () => { sock.destroy(); resolve(true); });
    sock.once('error', () => resolve(false));
  });
}

export interface DovecotOptions {
  /** false: a server without IDLE (its capability list after login leaves it out), for the poll path */
  idle?: boolean;
}

// Dovecot 2.3's capabilities after login, without IDLE.
const CAPABILITIES_WITHOUT_IDLE = 'IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE SORT SORT=DISPLAY THREAD=REFERENCES THREAD=REFS THREAD=ORDEREDSUBJECT MULTIAPPEND URL-PARTIAL CATENATE UNSELECT CHILDREN NAMESPACE UIDPLUS LIST-EXTENDED I18NLEVEL=1 CONDSTORE QRESYNC ESEARCH ESORT SEARCHRES WITHIN CONTEXT=SEARCH LIST-STATUS BINARY MOVE SNIPPET=FUZZY PREVIEW=FUZZY PREVIEW STATUS=SIZE SAVEDATE LITERAL+ NOTIFY SPECIAL-USE';

export async function startDovecot(opts: DovecotOptions = {}): Promise<Dovecot> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tm-dovecot-'));
  // Login processes (another user when we are root) must reach the sockets under base_dir.
  fs.chmodSync(dir, 0o755);
  const asRoot = process.getuid?.() === 0;
  const me = os.userInfo().username;
  const loginUser = asRoot ? 'dovenull' : me;
  const internalUser = asRoot ? 'dovecot' : me;
  const mailUid = asRoot ? Number(execFileSync('id', ['-u', 'dovecot']).toString().trim()) : process.getuid!();
  const mailGid = asRoot ? Number(execFileSync('id', ['-g', 'dovecot']).toString().trim()) : process.getgid!();
  const home = path.join(dir, 'home');
  fs.mkdirSync(home, { mode: 0o755 });
  if (asRoot) fs.chownSync(home, mailUid, mailGid);
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=localhost',
    '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem')], { stdio: 'ignore' });
  // Users are written before Dovecot starts: passwd-file is re-read on change, but not at once
  // (a user added a moment earlier could fail its first login), so each test takes a fresh one.
  const passwd = path.join(dir, 'passwd');
  const users = Array.from({ length: USER_POOL }, (_, i) => ({ user: `box${i + 1}`, password: `pw-box${i + 1}-${crypto.randomBytes(6).toString('hex')}` }));
  fs.writeFileSync(passwd, users.map((u) => `${u.user}:{PLAIN}${u.password}::::::\n`).join(''));
  const [port, tlsPort] = [await freePort(), await freePort()];
  const conf = `
base_dir = ${dir}/run
state_dir = ${dir}/state
log_path = ${dir}/dovecot.log
protocols = imap
listen = 127.0.0.1
default_login_user = ${loginUser}
default_internal_user = ${internalUser}
first_valid_uid = ${Math.min(mailUid, 1)}
ssl = yes
ssl_cert = <${dir}/cert.pem
ssl_key = <${dir}/key.pem
ssl_dh = </usr/share/dovecot/dh.pem
disable_plaintext_auth = no
auth_mechanisms = plain login
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${passwd}
}
userdb {
  driver = static
  args = uid=${mailUid} gid=${mailGid} home=${home}/%u
}
mail_location = maildir:~/Maildir
${opts.idle === false ? `imap_capability = ${CAPABILITIES_WITHOUT_IDLE}\n` : ''}service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = ${port}
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = ${tlsPort}
    ssl = yes
  }
}
service stats {
  unix_listener stats-reader {
    mode = 0666
  }
  unix_listener stats-writer {
    mode = 0666
  }
}
`;
  const confFile = path.join(dir, 'dovecot.conf');
  fs.writeFileSync(confFile, conf);
  const child: ChildProcess = spawn(DOVECOT_BIN, ['-F', '-c', confFile], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const log = () => `${stderr}\n${fs.existsSync(path.join(dir, 'dovecot.log')) ? fs.readFileSync(path.join(dir, 'dovecot.log'), 'utf8') : ''}`;
  // Readiness: the greeting on the plain port (a startup wait, bounded; nothing is asserted on time).
  const until = Date.now() + 20_000;
  while (!(await acceptsConnections(port))) {
    if (child.exitCode !== null) throw new Error(`dovecot exited while starting:\n${log()}`);
    if (Date.now() > until) throw new Error(`dovecot did not start:\n${log()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const passwords = new Map(users.map((u) => [u.user, u.password]));
  let next = 0;
  return {
    host: '127.0.0.1',
    port,
    tlsPort,
    dir,
    addUser() {
      const u = users[next++];
      if (!u) throw new Error(`all ${USER_POOL} test mailboxes are taken; raise USER_POOL in test/helpers/dovecot.ts`);
      return u;
    },
    async append(user, raw, folder = 'INBOX') {
      const client = new ImapFlow({ host: '127.0.0.1', port, secure: false, auth: { user, pass: passwords.get(user)! }, logger: false, tls: { rejectUnauthorized: false } });
      await client.connect();
      try {
        const list = await client.list();
        if (!list.some((f) => f.path === folder)) await client.mailboxCreate(folder);
        const res = await client.append(folder, raw).catch((err: Error & { responseText?: string }) => {
          throw new Error(`APPEND to ${user}/${folder} failed: ${err.responseText ?? err.message}`);
        });
        if (!res || !res.uid) throw new Error('APPEND returned no UID');
        return res.uid;
      } finally {
        await client.logout();
      }
    },
    async stop() {
      child.kill('SIGTERM');
      await exited;
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
