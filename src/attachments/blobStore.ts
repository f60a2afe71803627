import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';

/**
 * Where attachment bytes live: local files (the default) or an S3-compatible bucket
 * (BLOB_STORE=s3, s3BlobStore.ts). Content-addressed: the key is the SHA-256 of the bytes.
 */
export interface BlobStore {
  put(bytes: Buffer): Promise<{ key: string; created: boolean }>;
  read(key: string): Promise<Buffer>;
  /** The bytes as a stream, for serving them without holding them in memory. */
  stream(key: string): Promise<Readable>;
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

  async stream(key: string): Promise<Readable> {
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

/** The store BLOB_STORE names. The AWS SDK is loaded only when it is used. */
export async function openBlobStore(config: {
  BLOB_STORE: string; DATA_DIR: string; S3_BUCKET: string; S3_PREFIX: string; S3_REGION: string; S3_ENDPOINT: string;
  S3_FORCE_PATH_STYLE: boolean; S3_ACCESS_KEY_ID: string; S3_SECRET_ACCESS_KEY: string;
}): Promise<BlobStore> {
  if (config.BLOB_STORE !== 's3') return new FsBlobStore(path.join(config.DATA_DIR, 'blobs'));
  const { S3BlobStore } = await import('./s3BlobStore.js');
  return new S3BlobStore({
    bucket: config.S3_BUCKET, prefix: config.S3_PREFIX, region: config.S3_REGION, endpoint: config.S3_ENDPOINT,
    forcePathStyle: config.S3_FORCE_PATH_STYLE, accessKeyId: config.S3_ACCESS_KEY_ID, secretAccessKey: config.S3_SECRET_ACCESS_KEY,
  });
}
