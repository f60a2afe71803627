/**
 * Draws a synthetic meter photo for tests: a meter body with a bezel around the register (drum
 * counter: light digits on dark drums; or LCD: dark seven-segment digits on grey-green), a unit
 * label ("kWh" / "m³") and a serial number ("Nr. 1ESY1160123456") elsewhere in the image, so that
 * a reader has to find the register and ignore the other numbers.
 *
 * Rendered by sharp from SVG (librsvg). LCD digits are drawn as seven-segment paths (no font
 * needed); drum digits and labels use a sans-serif font (DejaVu Sans on Debian).
 */
import sharp from 'sharp';

export interface RenderMeterOptions {
  style: 'drum' | 'lcd';
  /** rotate the whole photo by this many degrees (clockwise) */
  rotateDeg?: number;
  /** add sensor noise and slight blur */
  noise?: boolean;
  /** serial number printed on the meter (default "1ESY1160123456") */
  serial?: string;
  /** output format (default jpeg) */
  format?: 'jpeg' | 'png';
}

const W = 720;
const H = 420;

// seven segments in a 10 × 18 box: a (top), b (top right), c (bottom right), d (bottom),
// e (bottom left), f (top left), g (middle)
const SEGMENTS: Record<string, string> = {
  a: 'M1.2,0.4 L8.8,0.4 L7.6,1.8 L2.4,1.8 Z',
  b: 'M9.2,0.8 L9.2,8.6 L8.4,9.2 L7.8,8.4 L7.8,2.2 Z',
  c: 'M9.2,9.4 L9.2,17.2 L7.8,15.8 L7.8,9.8 L8.4,9 Z',
  d: 'M1.2,17.6 L8.8,17.6 L7.6,16.2 L2.4,16.2 Z',
  e: 'M0.8,9.4 L0.8,17.2 L2.2,15.8 L2.2,9.8 L1.6,9 Z',
  f: 'M0.8,0.8 L0.8,8.6 L1.6,9.2 L2.2,8.4 L2.2,2.2 Z',
  g: 'M1.6,9 L2.4,8.3 L7.6,8.3 L8.4,9 L7.6,9.7 L2.4,9.7 Z',
};
const DIGIT_SEGMENTS: Record<string, string> = {
  '0': 'abcdef',
  '1': 'bc',
  '2': 'abdeg',
  '3': 'abcdg',
  '4': 'bcfg',
  '5': 'acdfg',
  '6': 'acdefg',
  '7': 'abc',
  '8': 'abcdefg',
  '9': 'abcdfg',
};

const FONT = "DejaVu Sans, Liberation Sans, Arial, Helvetica, sans-serif";

function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function sevenSegment(digit: string, x: number, y: number, w: number, h: number, colour: string): string {
  const segs = DIGIT_SEGMENTS[digit] ?? '';
  const sx = w / 10;
  const sy = h / 18;
  const paths = [...segs].map((s) => `<path d="${SEGMENTS[s] ?? ''}"/>`).join('');
  // slight italic slant, as on most LCDs
  return `<g transform="translate(${x},${y}) skewX(-6) scale(${sx},${sy})" fill="${colour}">${paths}</g>`;
}

/** Renders a meter photo showing `digits` (0–9 only) on its register. */
export async function renderMeterImage(digits: string, opts: RenderMeterOptions = { style: 'drum' }): Promise<Buffer> {
  if (!/^\d{1,12}$/.test(digits)) throw new Error('digits must be 1..12 decimal digits');
  const style = opts.style;
  const serial = opts.serial ?? '1ESY1160123456';
  const n = digits.length;
  const cellW = Math.min(56, Math.floor(440 / n));
  const cellH = Math.round(cellW * 1.55);
  const gap = Math.round(cellW * 0.12);
  const winW = n * cellW + (n - 1) * gap + 28;
  const winH = cellH + 28;
  const winX = Math.round((W - winW) / 2) - 30;
  const winY = 120;

  const parts: string[] = [];
  // meter body
  parts.push(
    `<defs><linearGradient id="body" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#e9e7e1"/><stop offset="1" stop-color="#c9c6bd"/></linearGradient></defs>`,
    `<rect width="${W}" height="${H}" fill="#6d7a80"/>`,
    `<rect x="30" y="24" width="${W - 60}" height="${H - 48}" rx="26" fill="url(#body)" stroke="#8a877f" stroke-width="3"/>`,
  );
  // bezel and register window
  parts.push(
    `<rect x="${winX - 14}" y="${winY - 14}" width="${winW + 28}" height="${winH + 28}" rx="10" fill="#2b2b2b"/>`,
    `<rect x="${winX}" y="${winY}" width="${winW}" height="${winH}" rx="4" fill="${style === 'lcd' ? '#b9c3a6' : '#111111'}"/>`,
  );
  for (let i = 0; i < n; i++) {
    const d = digits[i] ?? '0';
    const x = winX + 14 + i * (cellW + gap);
    const y = winY + 14;
    if (style === 'drum') {
      parts.push(
        `<rect x="${x}" y="${y}" width="${cellW}" height="${cellH}" fill="#1d1d1d" stroke="#3a3a3a"/>`,
        `<text x="${x + cellW / 2}" y="${y + cellH * 0.78}" font-family="${FONT}" font-weight="bold" font-size="${Math.round(cellH * 0.78)}" fill="#f2f2f2" text-anchor="middle">${d}</text>`,
      );
    } else {
      const dw = cellW * 0.72;
      const dh = cellH * 0.8;
      parts.push(sevenSegment(d, x + (cellW - dw) / 2, y + (cellH - dh) / 2, dw, dh, '#1e2418'));
    }
  }
  // unit label next to the register, serial number and spec text elsewhere
  parts.push(
    `<text x="${winX + winW + 30}" y="${winY + winH / 2 + 12}" font-family="${FONT}" font-size="34" font-weight="bold" fill="#222">${style === 'lcd' ? 'kWh' : 'm³'}</text>`,
    `<text x="70" y="${H - 86}" font-family="${FONT}" font-size="20" fill="#333">Nr. ${escapeXml(serial)}</text>`,
    `<text x="70" y="${H - 56}" font-family="${FONT}" font-size="16" fill="#444">230V 50Hz 10(60)A  10000 imp/kWh</text>`,
    `<text x="70" y="72" font-family="${FONT}" font-size="22" font-weight="bold" fill="#333">${style === 'lcd' ? 'eHZ Stromzähler' : 'Gaszähler G4'}</text>`,
  );
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}">${parts.join('')}</svg>`;

  let img = sharp(Buffer.from(svg)).flatten({ background: '#6d7a80' });
  if (opts.noise) {
    const base = await img.png().toBuffer();
    const noise = await sharp({
      create: {
        width: W,
        height: H,
        channels: 3,
        background: '#808080',
        noise: { type: 'gaussian', mean: 128, sigma: 18 },
      },
    })
      .png()
      .toBuffer();
    img = sharp(base).composite([{ input: noise, blend: 'soft-light' }]).blur(0.6);
  }
  if (opts.rotateDeg) {
    img = sharp(await img.png().toBuffer()).rotate(opts.rotateDeg, { background: '#6d7a80' });
  }
  return opts.format === 'png' ? img.png().toBuffer() : img.jpeg({ quality: 85 }).toBuffer();
}
