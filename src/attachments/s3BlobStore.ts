import type { Readable } from 'node:stream';
import {
  CopyObjectCommand, DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client, S3ServiceException,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { sha256, type BlobStore } from './blobStore.js';

export interface S3BlobStoreOptions {
  bucket: string;
  /** key prefix inside the bucket, e.g. "ticketmind/"; blobs are `<prefix>ab/cd/<sha256>` */
  prefix: string;
  region: string;
  /** an S3-compatible endpoint (MinIO, Ceph, a local test server); empty = AWS */
  endpoint?: string;
  forcePathStyle?: boolean;
  /** empty = the AWS SDK's default credential chain (env, profile, instance role) */
  accessKeyId?: string;
  secretAccessKey?: string;
}

/** Above this, bytes go up as a multipart upload in parts of this size (S3's minimum part is 5 MiB). */
const MULTIPART_BYTES = 8 * 1024 * 1024;

/**
 * Blobs in an S3-compatible bucket (BLOB_STORE=s3), content-addressed as on disk. Several API
 * processes and workers share one bucket, which is what makes them scale out past one machine.
 *
 * Checksums are sent and checked only where S3 requires them: newer SDKs add CRC32 trailers by
 * default, which several S3-compatible servers reject; the SHA-256 key is our own integrity check.
 */
export class S3BlobStore implements BlobStore {
  private readonly client: S3Client;

  constructor(private readonly o: S3BlobStoreOptions) {
    this.client = new S3Client({
      region: o.region,
      ...(o.endpoint ? { endpoint: o.endpoint } : {}),
      forcePathStyle: o.forcePathStyle ?? false,
      ...(o.accessKeyId && o.secretAccessKey ? { credentials: { accessKeyId: o.accessKeyId, secretAccessKey: o.secretAccessKey } } : {}),
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  }

  private keyOf(key: string): string {
    if (!/^[0-9a-f]{64}$/.test(key)) throw new Error(`not a blob key: ${key}`);
    return `${this.o.prefix}${key.slice(0, 2)}/${key.slice(2, 4)}/${key}`;
  }

  async put(bytes: Buffer): Promise<{ key: string; created: boolean }> {
    const key = sha256(bytes);
    const Key = this.keyOf(key);
    if (await this.exists(Key)) {
      // The same bytes are stored once. Copying the object onto itself renews its LastModified,
      // which keeps a reused orphan out of a sweep running while our transaction is in flight
      // (the file store touches the file for the same reason).
      await this.client.send(new CopyObjectCommand({
        Bucket: this.o.bucket, Key, CopySource: `${this.o.bucket}/${encodeURIComponent(Key).replaceAll('%2F', '/')}`,
        MetadataDirective: 'REPLACE', Metadata: { touched: String(Date.now()) },
      }));
      return { key, created: false };
    }
    if (bytes.length > MULTIPART_BYTES) {
      await new Upload({ client: this.client, params: { Bucket: this.o.bucket, Key, Body: bytes }, partSize: MULTIPART_BYTES, queueSize: 2 }).done();
    } else {
      await this.client.send(new PutObjectCommand({ Bucket: this.o.bucket, Key, Body: bytes, ContentLength: bytes.length }));
    }
    return { key, created: true };
  }

  async read(key: string): Promise<Buffer> {
    const res = await this.client.send(new GetObjectCommand({ Bucket: this.o.bucket, Key: this.keyOf(key) }));
    return Buffer.from(await res.Body!.transformToByteArray());
  }

  /** The object's body as it arrives from S3: served to the client without buffering it whole. */
  async stream(key: string): Promise<Readable> {
    const res = await this.client.send(new GetObjectCommand({ Bucket: this.o.bucket, Key: this.keyOf(key) }));
    return res.Body as Readable;
  }

  async remove(key: string, untouchedSinceMs: number): Promise<boolean> {
    const Key = this.keyOf(key);
    let modified: number;
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.o.bucket, Key }));
      modified = head.LastModified?.getTime() ?? Date.now();
    } catch (err) {
      if (err instanceof S3ServiceException && err.$metadata.httpStatusCode === 404) return false;
      throw err;
    }
    // S3 keeps LastModified in whole seconds: a put in the same second as the erasure keeps the
    // object (the sweep judges it later) rather than risk deleting bytes a new row refers to.
    if (modified >= Math.floor(untouchedSinceMs / 1000) * 1000) return false;
    await this.client.send(new DeleteObjectCommand({ Bucket: this.o.bucket, Key }));
    return true;
  }

  async sweep(isReferenced: (key: string) => Promise<boolean>, graceMs: number): Promise<number> {
    const cutoff = Date.now() - graceMs;
    let removed = 0;
    let token: string | undefined;
    do {
      const page = await this.client.send(new ListObjectsV2Command({ Bucket: this.o.bucket, Prefix: this.o.prefix, ContinuationToken: token }));
      for (const obj of page.Contents ?? []) {
        const name = obj.Key?.slice(obj.Key.lastIndexOf('/') + 1) ?? '';
        if (!/^[0-9a-f]{64}$/.test(name) || (obj.LastModified?.getTime() ?? Date.now()) >= cutoff) continue;
        if (await isReferenced(name)) continue;
        await this.client.send(new DeleteObjectCommand({ Bucket: this.o.bucket, Key: obj.Key }));
        removed++;
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return removed;
  }

  private async exists(Key: string): Promise<boolean> {
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.o.bucket, Key }));
      return true;
    } catch (err) {
      if (err instanceof S3ServiceException && err.$metadata.httpStatusCode === 404) return false;
      throw err;
    }
  }
}
