import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';

/** Where attachment bytes live. Content-addressed: the key is the SHA-256 of the bytes. */
export interface BlobStore {
  put(bytes: Buffer): Promise<{ key: string; created: boolean }>;
  read(key: string): Promise<Buffer>;
  stream(key: string): fs.ReadStream;
  /** Deletes blobs no attachment refers to and untouched for `graceMs` (their transaction failed). */
  sweep(isReferenced: (key: string) => Promise<boolean>, graceMs: number): Promise<number>;
  /**
   * Deletes one blob unless it was written or touched after `untouchedSinceMs` (a store of
   * the same bytes in flight: it keeps the file and the sweep judges it later). True if removed.
   */
  remove(key: string, untouchedSinceMs: number): Promise<boolean>;
}

export const sha256 = (bytes: Buffer): string => crypto.createHash('sha256').update(bytes).digest('hex');

export class FsBlobStore implements BlobStore {
  constructor(private readonly dir: string) {}

  private pathOf(key: string): string {
    if (!/^[0-9a-f]{64}$/.test(key)) throw new Error(`not a blob key: ${key}`);
    return path.join(this.dir, key.slice(0, 2), key.slice(2, 4), key);
  }

  async put(bytes: Buffer): Promise<{ key: string; created: boolean }> {
    const key = sha256(bytes);
    const file = this.pathOf(key);
    try {
      // Same bytes are stored once; touching the file keeps a reused blob out of the sweep.
      const now = new Date();
      await fsp.utimes(file, now, now);
      return { key, created: false };
    } catch {
      await fsp.mkdir(path.dirname(file), { recursive: true });
      // Write aside and rename: a reader never sees a half-written blob.
      const tmp = `${file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`;
      await fsp.writeFile(tmp, bytes);
      await fsp.rename(tmp, file);
      return { key, created: true };
    }
  }

  read(key: string): Promise<Buffer> {
    return fsp.readFile(this.pathOf(key));
  }

  stream(key: string): fs.ReadStream {
    return fs.createReadStream(this.pathOf(key));
  }

  async remove(key: string, untouchedSinceMs: number): Promise<boolean> {
    const file = this.pathOf(key);
    const stat = await fsp.stat(file).catch(() => null);
    // Whole milliseconds, as Date.now() gives them: a file written earlier in the same
    // millisecond as `untouchedSinceMs` was taken counts as before it.
    if (!stat || Math.floor(stat.mtimeMs) > untouchedSinceMs) return false;
    await fsp.rm(file, { force: true });
    return true;
  }

  async sweep(isReferenced: (key: string) => Promise<boolean>, graceMs: number): Promise<number> {
    let removed = 0;
    const cutoff = Date.now() - graceMs;
    const walk = async (dir: string): Promise<void> => {
      for (const entry of await fsp.readdir(dir, { withFileTypes: true }).catch(() => [])) {
        const p = path.join(dir, entry.name);
        if (entry.isDirectory()) await walk(p);
        else if ((await fsp.stat(p)).mtimeMs < cutoff && (entry.name.endsWith('.tmp') || !(await isReferenced(entry.name)))) {
          await fsp.rm(p, { force: true });
          removed++;
        }
      }
    };
    await walk(this.dir);
    return removed;
  }
}
