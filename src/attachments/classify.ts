import { fileTypeFromBuffer } from 'file-type';

export type Risk = 'safe' | 'risky' | 'dangerous';

export interface Detected {
  contentType: string;
  fileEnding: string | null;
  risk: Risk;
  /** human words for the notice that replaces a dangerous file */
  description: string;
}

// Judged from the bytes (magic numbers), never from the name: an .exe renamed invoice.pdf is
// still an executable. Enneo's classes: safe files are stored, risky ones stored with a warning,
// dangerous ones replaced by a notice.
const DANGEROUS = new Map<string, string>([
  ['application/x-msdownload', 'a Windows executable'],
  ['application/x-elf', 'a Linux executable'],
  ['application/x-mach-binary', 'a macOS executable'],
  ['application/x-msi', 'a Windows installer'],
  ['application/vnd.microsoft.portable-executable', 'a Windows executable'],
  ['application/x-sharedlib', 'a shared library'],
  ['application/java-vm', 'Java bytecode'],
  ['application/wasm', 'WebAssembly code'],
  ['application/x-apple-diskimage', 'a disk image'],
  ['application/vnd.android.package-archive', 'an Android app'],
  ['application/x-executable', 'an executable'],
  ['application/x-shellscript', 'a script'],
]);
const SAFE_EXACT = new Set([
  'application/pdf', 'application/rtf', 'text/plain', 'text/csv', 'application/vnd.oasis.opendocument.text',
  'application/vnd.oasis.opendocument.spreadsheet', 'application/vnd.oasis.opendocument.presentation',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation',
]);
const SAFE_IMAGES = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/webp', 'image/heic', 'image/heif', 'image/tiff', 'image/bmp', 'image/avif']);

function sniffText(bytes: Buffer): { contentType: string; ending: string } | null {
  const head = bytes.subarray(0, 4096);
  if (head.includes(0)) return null;
  const text = head.toString('utf8').trimStart().toLowerCase();
  if (text.startsWith('#!')) return { contentType: 'application/x-shellscript', ending: 'sh' };
  if (/^(<\?xml[^>]*>\s*)?<svg[\s>]/.test(text)) return { contentType: 'image/svg+xml', ending: 'svg' };
  if (/^<!doctype html|^<html[\s>]|<script[\s>]/.test(text)) return { contentType: 'text/html', ending: 'html' };
  if (/^(from |return-path:|received:|message-id:|mime-version:)/m.test(text.slice(0, 1000)) && /\n(subject|from|to):/i.test(text)) {
    return { contentType: 'message/rfc822', ending: 'eml' };
  }
  return { contentType: 'text/plain', ending: 'txt' };
}

export async function classify(bytes: Buffer): Promise<Detected> {
  const ft = await fileTypeFromBuffer(bytes);
  const contentType = ft?.mime ?? sniffText(bytes)?.contentType ?? 'application/octet-stream';
  const fileEnding = ft?.ext ?? sniffText(bytes)?.ending ?? null;
  const dangerous = DANGEROUS.get(contentType);
  if (dangerous) return { contentType, fileEnding, risk: 'dangerous', description: dangerous };
  if (SAFE_EXACT.has(contentType) || SAFE_IMAGES.has(contentType) || contentType.startsWith('audio/') || contentType.startsWith('video/')) {
    return { contentType, fileEnding, risk: 'safe', description: contentType };
  }
  // Archives, mails, HTML/SVG (can carry scripts), legacy Office containers, unknown binaries.
  return { contentType, fileEnding, risk: 'risky', description: contentType };
}

export const isImage = (contentType: string | null): boolean => contentType !== null && SAFE_IMAGES.has(contentType);
export const servedInline = (contentType: string | null): boolean => contentType === 'application/pdf' || isImage(contentType);
