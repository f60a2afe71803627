/**
 * Finding where the digits are, before anything is read: PaddleOCR's text detector on a reduced
 * copy of the photo, and the text boxes taken from its probability map here (threshold, connected
 * components, an oriented rectangle from each component's principal axis, widened like
 * PaddleOCR's "unclip"). Only these regions are recognised afterwards.
 *
 * Why a reduced copy: the detector's cost grows with the pixels, and a meter register is the
 * largest text on a meter photo; at 640 pixels on the long side its digits are still 30+ pixels
 * high. Why a white border: the detector misses text that fills the frame (a tight crop of a
 * display), measured on the shared meter set.
 */
import sharp from 'sharp';
import type { OcrEngine } from './engine.js';
import type { Prepared, Region } from './preprocess.js';

/** Longest side of the detector's input (before the border). */
const DET_MAX_SIDE = 640;
/** Small images are scaled up so that the detector sees digits at a workable size. */
const DET_MIN_SIDE = 240;
/** A map pixel is text above this probability (PaddleOCR's default `det_db_thresh`). */
const PIXEL_THRESHOLD = 0.3;
/** A component is a text box when its mean probability reaches this (PaddleOCR: box_thresh 0.6). */
const BOX_THRESHOLD = 0.55;
/** How far a box is widened around its core: area × ratio / perimeter (PaddleOCR's unclip_ratio). */
const UNCLIP_RATIO = 1.6;
const MIN_COMPONENT_PIXELS = 12;

export async function findTextRegions(engine: OcrEngine, img: Prepared): Promise<Region[]> {
  const longSide = Math.max(img.width, img.height);
  const shortSide = Math.min(img.width, img.height);
  const scale = shortSide < DET_MIN_SIDE ? Math.min(4, DET_MIN_SIDE / shortSide) : Math.min(1, DET_MAX_SIDE / longSide);
  const w = Math.max(1, Math.round(img.width * scale));
  const h = Math.max(1, Math.round(img.height * scale));
  const offset = Math.round(Math.max(16, 0.15 * Math.min(w, h)));
  const W = Math.ceil((w + 2 * offset) / 32) * 32;
  const H = Math.ceil((h + 2 * offset) / 32) * 32;
  const { data, info } = await sharp(img.png)
    .resize({ width: w, height: h, fit: 'fill' })
    .extend({ top: offset, left: offset, bottom: H - h - offset, right: W - w - offset, background: '#ffffff' })
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  const map = await engine.detectText({ data, width: info.width, height: info.height, channels: info.channels });
  const sx = map.width / W;
  const sy = map.height / H;
  return mergeLineParts(boxesOf(map.probs, map.width, map.height)).map((b) => ({
    cx: (b.cx / sx - offset) / scale,
    cy: (b.cy / sy - offset) / scale,
    width: b.width / sx / scale,
    height: b.height / sy / scale,
    angleDeg: b.angleDeg,
    source: 'detector' as const,
    confidence: b.score,
  }));
}

interface Box { cx: number; cy: number; width: number; height: number; angleDeg: number; score: number }

/** Oriented boxes of the connected text components of a probability map (4-neighbourhood). */
export function boxesOf(probs: Float32Array, width: number, height: number): Box[] {
  const n = width * height;
  const label = new Int32Array(n);
  const stack = new Int32Array(n);
  const boxes: Box[] = [];
  let next = 0;
  for (let start = 0; start < n; start++) {
    if (label[start] !== 0 || (probs[start] ?? 0) <= PIXEL_THRESHOLD) continue;
    next++;
    label[start] = next;
    let top = 0;
    stack[top++] = start;
    const members: number[] = [];
    let sum = 0;
    while (top > 0) {
      const i = stack[--top]!;
      members.push(i);
      sum += probs[i] ?? 0;
      const x = i % width;
      const neighbours = [x > 0 ? i - 1 : -1, x < width - 1 ? i + 1 : -1, i - width, i + width];
      for (const j of neighbours) {
        if (j < 0 || j >= n || label[j] !== 0 || (probs[j] ?? 0) <= PIXEL_THRESHOLD) continue;
        label[j] = next;
        stack[top++] = j;
      }
    }
    if (members.length < MIN_COMPONENT_PIXELS || sum / members.length < BOX_THRESHOLD) continue;
    const box = orientedBox(members, width);
    if (box) boxes.push({ ...box, score: sum / members.length });
  }
  return boxes;
}

/** The rectangle along a component's principal axis that holds all its pixels, unclipped. */
function orientedBox(members: number[], width: number): Omit<Box, 'score'> | null {
  let mx = 0;
  let my = 0;
  for (const i of members) {
    mx += i % width;
    my += Math.floor(i / width);
  }
  mx /= members.length;
  my /= members.length;
  let cxx = 0;
  let cyy = 0;
  let cxy = 0;
  for (const i of members) {
    const dx = (i % width) - mx;
    const dy = Math.floor(i / width) - my;
    cxx += dx * dx;
    cyy += dy * dy;
    cxy += dx * dy;
  }
  let angle = 0.5 * Math.atan2(2 * cxy, cxx - cyy);
  // a text line runs along its longer axis; keep the direction within (-45°, 45°] of horizontal
  // so that a short, tall box (one digit) is not turned on its side
  if (angle > Math.PI / 4) angle -= Math.PI / 2;
  if (angle <= -Math.PI / 4) angle += Math.PI / 2;
  const ux = Math.cos(angle);
  const uy = Math.sin(angle);
  let minU = Infinity;
  let maxU = -Infinity;
  let minV = Infinity;
  let maxV = -Infinity;
  for (const i of members) {
    const dx = (i % width) - mx;
    const dy = Math.floor(i / width) - my;
    const u = dx * ux + dy * uy;
    const v = -dx * uy + dy * ux;
    if (u < minU) minU = u;
    if (u > maxU) maxU = u;
    if (v < minV) minV = v;
    if (v > maxV) maxV = v;
  }
  const w = maxU - minU + 1;
  const h = maxV - minV + 1;
  if (w < 3 || h < 3) return null;
  const d = (w * h * UNCLIP_RATIO) / (2 * (w + h));
  const mu = (minU + maxU) / 2;
  const mv = (minV + maxV) / 2;
  return {
    cx: mx + 0.5 + mu * ux - mv * uy,
    cy: my + 0.5 + mu * uy + mv * ux,
    width: w + 2 * d,
    height: h + 2 * d,
    angleDeg: (angle * 180) / Math.PI,
  };
}

/**
 * Joins boxes that are parts of one line: the detector splits a register where its drums leave a
 * wide gap ("4 1698 9"), and a part alone reads as another number. Two boxes are one line when
 * they run in the same direction at the same height, side by side, less than a text height apart.
 */
export function mergeLineParts(boxes: Box[]): Box[] {
  const out = [...boxes];
  for (let merged = true; merged; ) {
    merged = false;
    outer: for (let i = 0; i < out.length; i++) {
      for (let j = i + 1; j < out.length; j++) {
        const joined = joinIfOneLine(out[i]!, out[j]!);
        if (joined) {
          out.splice(j, 1);
          out[i] = joined;
          merged = true;
          break outer;
        }
      }
    }
  }
  return out;
}

function joinIfOneLine(a: Box, b: Box): Box | null {
  if (Math.abs(a.angleDeg - b.angleDeg) > 6) return null;
  const h = Math.max(a.height, b.height);
  if (Math.min(a.height, b.height) < 0.65 * h) return null;
  const base = a.width >= b.width ? a : b;
  const rad = (base.angleDeg * Math.PI) / 180;
  const ux = Math.cos(rad);
  const uy = Math.sin(rad);
  const along = (p: Box) => p.cx * ux + p.cy * uy;
  const across = (p: Box) => -p.cx * uy + p.cy * ux;
  if (Math.abs(across(a) - across(b)) > 0.3 * h) return null;
  const [l, r] = along(a) <= along(b) ? [a, b] : [b, a];
  const start = along(l) - l.width / 2;
  const end = Math.max(along(r) + r.width / 2, along(l) + l.width / 2);
  const gap = along(r) - r.width / 2 - (along(l) + l.width / 2);
  if (gap > 1.0 * h) return null;
  const mid = (start + end) / 2;
  const v = (across(a) + across(b)) / 2;
  return {
    cx: mid * ux - v * uy,
    cy: mid * uy + v * ux,
    width: end - start,
    height: h,
    angleDeg: base.angleDeg,
    score: Math.min(a.score, b.score),
  };
}
