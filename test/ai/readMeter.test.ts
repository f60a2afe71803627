import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isOcrAvailable, readMeter } from '../../src/ai/ocr/readMeter.js';
import { renderMeterImage } from '../../src/ai/ocr/renderMeterImage.js';
import sharp from 'sharp';

const available = await isOcrAvailable();
if (!available && process.env.CI === 'true') throw new Error('CI=true but the OCR engine (optional dependencies) is not installed');

describe('renderMeterImage', () => {
  it('renders a JPEG meter photo', async () => {
    const img = await renderMeterImage('0012345', { style: 'drum' });
    const meta = await sharp(img).metadata();
    assert.equal(meta.format, 'jpeg');
    assert.ok((meta.width ?? 0) >= 600);
  });
  it('rejects non-digits', async () => {
    await assert.rejects(renderMeterImage('12a4', { style: 'lcd' }));
  });
});

describe('readMeter', { skip: available ? false : 'OCR engine not installed' }, () => {
  const cases: Array<[string, Parameters<typeof renderMeterImage>[1]]> = [
    ['0012345', { style: 'drum' }],
    ['98760', { style: 'drum', rotateDeg: -8, noise: true }],
    ['00328815', { style: 'lcd' }],
  ];
  for (const [digits, opts] of cases) {
    it(`reads ${digits} from a synthetic ${JSON.stringify(opts)} meter, not the serial number`, async () => {
      const res = await readMeter(await renderMeterImage(digits, opts));
      assert.equal(res.status, 'success', JSON.stringify(res));
      if (res.status !== 'success') return;
      assert.equal(res.reading.digits, digits);
      assert.equal(res.reading.meterValue, Number(digits));
      assert.ok(res.reading.confidence > 0.5 && res.reading.confidence <= 1);
    });
  }

  it('fails cleanly on an image without digits', async () => {
    const blank = await sharp({ create: { width: 320, height: 200, channels: 3, background: '#c0c0c0' } })
      .jpeg()
      .toBuffer();
    const res = await readMeter(blank);
    assert.equal(res.status, 'failed');
  });

  it('fails cleanly on bytes that are not an image', async () => {
    const res = await readMeter(Buffer.from('not an image'));
    assert.equal(res.status, 'failed');
    if (res.status === 'failed') assert.match(res.reason, /unreadable image/);
  });
});
