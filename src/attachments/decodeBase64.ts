import { Invalid, PayloadTooLarge } from '../errors.js';

export const DATA_URL = /^data:[\w.+-]+\/[\w.+-]+(;[\w-]+=[^;,]*)*;base64,/i;

// The errors of strict base64, shared with the large-value decoder (largeBase64.ts).
export const emptyBase64 = (field: string) => new Invalid(field, 'is empty', 'invalid_base64');
export const invalidBase64 = (field: string) => new Invalid(field, 'is not valid base64 (standard alphabet, padded to a multiple of 4)', 'invalid_base64');
export const base64TooLarge = (field: string, size: number, maxBytes: number) =>
  new PayloadTooLarge(`${field}: the file has ${size} bytes, more than the limit of ${maxBytes}`, field);

/**
 * Strict base64: the standard alphabet (data-URL prefix and line breaks allowed), correct
 * padding. Node's own decoder silently skips garbage, which would store corrupt files.
 */
export function decodeBase64(input: string, field: string, maxBytes: number): Buffer {
  let s = input.replace(DATA_URL, '');
  if (/\s/.test(s)) s = s.replace(/\s+/g, '');
  if (s.length === 0) throw emptyBase64(field);
  if (s.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(s)) throw invalidBase64(field);
  const size = (s.length / 4) * 3 - (s.endsWith('==') ? 2 : s.endsWith('=') ? 1 : 0);
  if (size > maxBytes) throw base64TooLarge(field, size, maxBytes);
  return Buffer.from(s, 'base64');
}
