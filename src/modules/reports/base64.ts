const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const UNPADDED = /^[A-Za-z0-9+/]*$/;
const UNPADDED_URL = /^[A-Za-z0-9_-]*$/;

/**
 * Decodes standard base64 (line breaks allowed, as MIME tools write it), unpadded base64 or base64url, or
 * answers undefined: Buffer.from(…, 'base64') would silently skip whatever is not base64.
 */
export function decodeBase64(text: string): Buffer | undefined {
  const compact = text.replace(/[\r\n\t ]+/g, '');
  if (BASE64.test(compact)) return Buffer.from(compact, 'base64');
  if (compact.length % 4 === 1) return undefined;
  if (UNPADDED.test(compact)) return Buffer.from(compact, 'base64');
  if (UNPADDED_URL.test(compact)) return Buffer.from(compact, 'base64url');
  return undefined;
}

/** Decoded size without decoding, for limits checked before the work. */
export function base64DecodedLength(text: string): number {
  const compact = text.replace(/[\r\n\t ]+/g, '');
  const padding = compact.endsWith('==') ? 2 : compact.endsWith('=') ? 1 : 0;
  return Math.floor((compact.length * 3) / 4) - padding;
}
