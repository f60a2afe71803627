import sharp from 'sharp';
import type { RawImage } from './engine.js';

/** Height the PaddleOCR recognition model is trained for. */
export const REC_HEIGHT = 48;
/** Photos larger than this (longest side) are scaled down first. */
const MAX_SIDE = 1600;

export interface Prepared {
  /** EXIF-rotated, size-limited RGB image (PNG-encoded, lossless) */
  png: Buffer;
  width: number;
  height: number;
  /** mean colour, used to fill where a crop leaves the image */
  fill: { r: number; g: number; b: number };
}

export interface Region {
  /** centre, in the prepared image's pixels */
  cx: number;
  cy: number;
  /** extent along the text direction and across it */
  width: number;
  height: number;
  /** text direction in degrees (clockwise, image coordinates), within (-45, 45] */
  angleDeg: number;
  /** where the region came from */
  source: 'whole' | 'detector' | 'extended';
  /** what the detector read there (diagnostics) */
  text?: string;
  confidence?: number;
}

/** Decodes any image sharp understands, applies EXIF orientation, limits the size. */
export async function prepare(image: Buffer): Promise<Prepared> {
  const { data, info } = await sharp(image, { failOn: 'none' })
    .rotate()
    .resize({ width: MAX_SIDE, height: MAX_SIDE, fit: 'inside', withoutEnlargement: true })
    .removeAlpha()
    .toColourspace('srgb')
    .png({ compressionLevel: 1 })
    .toBuffer({ resolveWithObject: true });
  const stats = await sharp(data).stats();
  const mean = (i: number): number => Math.round(stats.channels[i]?.mean ?? 128);
  return { png: data, width: info.width, height: info.height, fill: { r: mean(0), g: mean(1), b: mean(2) } };
}

/**
 * Cuts a region out of the prepared image, straightened (rotated so its text runs horizontally),
 * with `padX`/`padY` (fractions of the region's height) of surrounding image kept.
 * Returns an RGB PNG buffer.
 */
export async function cropRegion(img: Prepared, r: Region, padX = 0.15, padY = 0.12): Promise<Buffer> {
  const outW = Math.max(8, Math.round(r.width + 2 * padX * r.height));
  const outH = Math.max(8, Math.round(r.height * (1 + 2 * padY)));
  // axis-aligned window around the rotated rectangle, then rotate it about its centre
  const rad = (r.angleDeg * Math.PI) / 180;
  const c = Math.abs(Math.cos(rad));
  const s = Math.abs(Math.sin(rad));
  const bw = Math.ceil(outW * c + outH * s) + 4;
  const bh = Math.ceil(outW * s + outH * c) + 4;
  const left = Math.round(r.cx - bw / 2);
  const top = Math.round(r.cy - bh / 2);
  // extract with a neutral fill when the window leaves the image (replicated edges would look
  // like extra "1" digits)
  const exLeft = Math.max(0, -left);
  const exTop = Math.max(0, -top);
  const exRight = Math.max(0, left + bw - img.width);
  const exBottom = Math.max(0, top + bh - img.height);
  let pipeline = sharp(img.png);
  if (exLeft || exTop || exRight || exBottom) {
    pipeline = sharp(
      await pipeline
        .extend({ left: exLeft, top: exTop, right: exRight, bottom: exBottom, background: img.fill })
        .png({ compressionLevel: 1 })
        .toBuffer(),
    );
  }
  const window = await pipeline
    .extract({ left: left + exLeft, top: top + exTop, width: bw, height: bh })
    .png({ compressionLevel: 1 })
    .toBuffer();
  if (Math.abs(r.angleDeg) < 0.5) {
    return sharp(window)
      .extract({ left: Math.floor((bw - outW) / 2), top: Math.floor((bh - outH) / 2), width: outW, height: outH })
      .png({ compressionLevel: 1 })
      .toBuffer();
  }
  const rotated = await sharp(window)
    .rotate(-r.angleDeg, { background: img.fill })
    .png({ compressionLevel: 1 })
    .toBuffer({ resolveWithObject: true });
  const rw = rotated.info.width;
  const rh = rotated.info.height;
  const w = Math.min(outW, rw);
  const h = Math.min(outH, rh);
  return sharp(rotated.data)
    .extract({ left: Math.floor((rw - w) / 2), top: Math.floor((rh - h) / 2), width: w, height: h })
    .png({ compressionLevel: 1 })
    .toBuffer();
}

export type LineStyle = 'colour' | 'grey' | 'negative';

/**
 * A line image for the recogniser: contrast-normalised, optionally grey or inverted (for light
 * digits on dark drums vs dark digits on grey LCDs), scaled to the model's height.
 */
export async function lineImage(crop: Buffer, style: LineStyle, xStretch = 1): Promise<RawImage> {
  const meta = await sharp(crop).metadata();
  const w0 = meta.width ?? 1;
  const h0 = meta.height ?? 1;
  const width = Math.max(16, Math.round((w0 * REC_HEIGHT * xStretch) / h0));
  let p = sharp(crop).removeAlpha();
  if (style === 'colour') p = p.normalise();
  else p = p.grayscale().normalise();
  if (style === 'negative') p = p.negate({ alpha: false });
  const { data, info } = await p
    .resize({ width, height: REC_HEIGHT, fit: 'fill' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, channels: info.channels };
}
