import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * Encrypts the secrets ticketmind keeps in its database (mailbox passwords) with AES-256-GCM.
 *
 * The key comes from SECRET_KEY (any string of at least 32 characters; HKDF turns it into the
 * 256-bit key, so a passphrase and a random hex string both work) or, when that is empty, from a
 * key file `DATA_DIR/secret.key` created on first use with mode 0600. The key is never kept in the
 * database: a dump of the database alone does not reveal the passwords. Several processes on
 * PostgreSQL must share the key: set SECRET_KEY (or share DATA_DIR).
 *
 * Sealed values are `v1:` + base64(iv ‖ tag ‖ ciphertext); the version prefix leaves room for a
 * key rotation later. A value sealed with another key fails to open with a clear error.
 */
export class SecretBox {
  private constructor(private readonly key: Buffer, readonly source: 'SECRET_KEY' | 'key file') {}

  static fromConfig(config: { SECRET_KEY: string; DATA_DIR: string }): SecretBox {
    if (config.SECRET_KEY) return new SecretBox(deriveKey(config.SECRET_KEY), 'SECRET_KEY');
    return new SecretBox(deriveKey(readOrCreateKeyFile(path.join(config.DATA_DIR, 'secret.key'))), 'key file');
  }

  seal(plain: string): string {
    const iv = crypto.randomBytes(12);
    const cipher = crypto.createCipheriv('aes-256-gcm', this.key, iv);
    const ct = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return `v1:${Buffer.concat([iv, cipher.getAuthTag(), ct]).toString('base64')}`;
  }

  open(sealed: string): string {
    if (!sealed.startsWith('v1:')) throw new Error('not a sealed secret (expected the v1: prefix)');
    const raw = Buffer.from(sealed.slice(3), 'base64');
    if (raw.length < 28) throw new Error('sealed secret is truncated');
    const decipher = crypto.createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(12, 28));
    try {
      return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
    } catch {
      throw new Error(`a stored secret cannot be decrypted with this key (${this.source}): was SECRET_KEY changed or the key file replaced?`);
    }
  }
}

export function isSealed(value: unknown): value is string {
  return typeof value === 'string' && value.startsWith('v1:');
}

function deriveKey(material: string): Buffer {
  return Buffer.from(crypto.hkdfSync('sha256', material, 'ticketmind', 'secret-box v1', 32));
}

function readOrCreateKeyFile(file: string): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  if (!fs.existsSync(file)) {
    // Written whole to a private temp file, then linked into place: link() fails if the name
    // exists, so of two processes starting at once one key wins and nobody reads a half file.
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, crypto.randomBytes(32).toString('base64') + '\n', { mode: 0o600 });
    try {
      fs.linkSync(tmp, file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    } finally {
      fs.unlinkSync(tmp);
    }
  }
  const text = fs.readFileSync(file, 'utf8').trim();
  if (text.length < 32) throw new Error(`${file} holds no usable key (expected 32 random bytes in base64); remove it only if no secret was stored with it`);
  return text;
}
