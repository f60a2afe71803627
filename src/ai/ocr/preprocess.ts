import sharp from 'sharp';
import type { RawImage } from './engine.js';

/** Height the PaddleOCR recognition model is trained for. */
export const REC_HEIGHT = 48;
/** Photos larger than this (longest side) are scaled down first. */
const MAX_SIDE = 1600;
/** Small images are scaled up so that the detector sees digits at a workable size. */
const MIN_SIDE_FOR_DETECTION = 480;

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
 * The image for the text detector: scaled up when small and surrounded by a white border, because
 * PaddleOCR's detector misses text that fills the frame. Returns the offset and scale that map
 * detector coordinates back to the prepared image.
 */
export async function forDetection(
  img: Prepared,
): Promise<{ buffer: Buffer; offset: number; scale: number }> {
  const minSide = Math.min(img.width, img.height);
  const scale = minSide < MIN_SIDE_FOR_DETECTION / 2 ? Math.min(4, MIN_SIDE_FOR_DETECTION / 2 / minSide) : 1;
  const w = Math.round(img.width * scale);
  const h = Math.round(img.height * scale);
  const offset = Math.round(Math.max(16, 0.15 * Math.min(w, h)));
  const buffer = await sharp(img.png)
    .resize({ width: w, height: h, fit: 'fill' })
    .extend({ top: offset, bottom: offset, left: offset, right: offset, background: '#ffffff' })
    .png({ compressionLevel: 1 })
    .toBuffer();
  return { buffer, offset, scale };
}

/** A region from a detector quadrilateral (any point order), in prepared-image coordinates. */
export function regionFromBox(
  box: Array<[number, number]>,
  map: (p: [number, number]) => [number, number] = (p) => p,
): Region | null {
  const pts = box.map(map);
  if (pts.length < 3) return null;
  const cx = pts.reduce((s, p) => s + p[0], 0) / pts.length;
  const cy = pts.reduce((s, p) => s + p[1], 0) / pts.length;
  // direction of the longest edge
  let best = 0;
  let angle = 0;
  for (let i = 0; i < pts.length; i++) {
    const a = pts[i];
    const b = pts[(i + 1) % pts.length];
    if (!a || !b) continue;
    const len = Math.hypot(b[0] - a[0], b[1] - a[1]);
    if (len > best) {
      best = len;
      angle = Math.atan2(b[1] - a[1], b[0] - a[0]);
    }
  }
  // normalise to (-90, 90], then (-45, 45] is guaranteed for text lines longer than tall
  let deg = (angle * 180) / Math.PI;
  while (deg > 90) deg -= 180;
  while (deg <= -90) deg += 180;
  const rad = (deg * Math.PI) / 180;
  const ux = Math.cos(rad);
  const uy = Math.sin(rad);
  let minU = Infinity;
  let maxU = -Infinity;
  let minV = Infinity;
  let maxV = -Infinity;
  for (const [x, y] of pts) {
    const dx = x - cx;
    const dy = y - cy;
    const u = dx * ux + dy * uy;
    const v = -dx * uy + dy * ux;
    minU = Math.min(minU, u);
    maxU = Math.max(maxU, u);
    minV = Math.min(minV, v);
    maxV = Math.max(maxV, v);
  }
  const width = maxU - minU;
  const height = maxV - minV;
  if (width < 4 || height < 4) return null;
  // re-centre on the extents
  const mu = (minU + maxU) / 2;
  const mv = (minV + maxV) / 2;
  return {
    cx: cx + mu * ux - mv * uy,
    cy: cy + mu * uy + mv * ux,
    width,
    height,
    angleDeg: deg,
    source: 'detector',
  };
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
