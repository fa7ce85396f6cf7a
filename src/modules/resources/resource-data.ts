import { ApiException } from '../../common/errors';

/** Formats whose data cannot travel in JSON as text; any other format (html, pem, xml, json, txt, …) is text. */
export const BINARY_DATA_FORMATS = [
  'binary',
  'bin',
  'base64',
  'octet-stream',
  'zip',
  'gz',
  'gzip',
  '7z',
  'tar',
  'png',
  'jpg',
  'jpeg',
  'gif',
  'bmp',
  'ico',
  'webp',
  'tiff',
  'pdf',
  'der',
  'pfx',
  'p12',
  'dll',
  'exe',
  'msi',
] as const;
const BINARY = new Set<string>(BINARY_DATA_FORMATS);

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export function isBinaryFormat(dataFormat: string | null | undefined): boolean {
  return BINARY.has((dataFormat ?? '').trim().toLowerCase());
}

export interface ResourceData {
  /** As stored: base64 without line breaks for binary formats, the text itself otherwise. */
  data: string | null;
  /** Bytes the data stands for (decoded for base64), for the size limit. */
  bytes: number;
}

/**
 * Checks that `data` is what `dataFormat` says it is: base64 for binary formats (line breaks and
 * spaces allowed, and removed), well-formed JSON for json; other text formats are taken as they are.
 */
export function readResourceData(data: string | null | undefined, dataFormat: string | null | undefined): ResourceData {
  if (data === null || data === undefined) return { data: null, bytes: 0 };
  if (isBinaryFormat(dataFormat)) {
    const compact = data.replace(/\s+/g, '');
    if (!BASE64.test(compact)) {
      throw ApiException.badRequest(
        `resource.data must be base64 for dataFormat "${dataFormat}" (A-Z, a-z, 0-9, +, / and = padding, length a multiple of 4)`,
      );
    }
    const padding = compact.endsWith('==') ? 2 : compact.endsWith('=') ? 1 : 0;
    return { data: compact, bytes: (compact.length / 4) * 3 - padding };
  }
  if ((dataFormat ?? '').trim().toLowerCase() === 'json' && data.trim() !== '') {
    try {
      JSON.parse(data);
    } catch (error) {
      throw ApiException.badRequest(`resource.data is not valid JSON (dataFormat "json"): ${(error as Error).message}`);
    }
  }
  return { data, bytes: Buffer.byteLength(data, 'utf8') };
}
