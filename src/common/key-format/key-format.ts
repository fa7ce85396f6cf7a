import { randomInt } from 'node:crypto';
import { ApiException } from '../errors';

/**
 * Key formats are templates for generated identifiers and secrets: `{KIND:n}` placeholders are
 * replaced by n random characters of the kind's alphabet, every other character is copied as is.
 */
const ALPHABETS = {
  TOKEN: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789',
  token: 'abcdefghijklmnopqrstuvwxyz0123456789',
  HEX: '0123456789ABCDEF',
  hex: '0123456789abcdef',
  DEC: '0123456789',
} as const;

type PlaceholderKind = keyof typeof ALPHABETS;

export const MAX_PLACEHOLDER_LENGTH = 64;

/**
 * Every format must carry at least this much randomness. The design's own default license id
 * `lic{HEX:8}` has exactly 32 bits, so that is the floor; identifiers rely on a unique index
 * besides, and every default that is a secret (user key, tokens, API key) is far above it.
 */
export const MIN_KEY_FORMAT_ENTROPY_BITS = 32;

export const DEFAULT_KEY_FORMATS = {
  licenseId: 'lic{HEX:8}',
  userKey: '{TOKEN:5}-{TOKEN:5}-{TOKEN:5}-{TOKEN:5}',
  customerCode: 'C-{TOKEN:8}',
  orderNumber: 'O-{TOKEN:8}',
  activationToken: 'actk_{token:12}',
  floatingToken: 'fltk_{token:12}',
  apiKey: 'api_{token:24}',
} as const;

type FormatPart = { literal: string } | { alphabet: string; length: number };

const PLACEHOLDER = /^([A-Za-z]+):(\d+)$/;

function invalidFormat(format: string, problem: string): ApiException {
  return ApiException.badRequest(`Invalid key format "${format}": ${problem}`);
}

function isPlaceholderKind(kind: string): kind is PlaceholderKind {
  return Object.prototype.hasOwnProperty.call(ALPHABETS, kind);
}

function parseKeyFormat(format: string): FormatPart[] {
  const parts: FormatPart[] = [];
  let entropyBits = 0;
  let position = 0;
  while (position < format.length) {
    const open = format.indexOf('{', position);
    const close = format.indexOf('}', position);
    if (close !== -1 && (open === -1 || close < open)) {
      throw invalidFormat(format, `unbalanced "}" at position ${close}`);
    }
    if (open === -1) {
      parts.push({ literal: format.slice(position) });
      break;
    }
    if (open > position) parts.push({ literal: format.slice(position, open) });
    if (close === -1) throw invalidFormat(format, `unbalanced "{" at position ${open}`);

    const body = format.slice(open + 1, close);
    const match = PLACEHOLDER.exec(body);
    if (!match) throw invalidFormat(format, `placeholder "{${body}}" must look like {KIND:n}`);
    const [, kind, lengthText] = match;
    if (!isPlaceholderKind(kind)) {
      throw invalidFormat(format, `unknown placeholder kind "${kind}" (known: ${Object.keys(ALPHABETS).join(', ')})`);
    }
    const length = Number(lengthText);
    if (length < 1 || length > MAX_PLACEHOLDER_LENGTH) {
      throw invalidFormat(format, `placeholder "{${body}}" length must be between 1 and ${MAX_PLACEHOLDER_LENGTH}`);
    }
    const alphabet = ALPHABETS[kind];
    parts.push({ alphabet, length });
    entropyBits += length * Math.log2(alphabet.length);
    position = close + 1;
  }

  if (entropyBits === 0) throw invalidFormat(format, 'it has no random placeholder such as {TOKEN:8}');
  if (entropyBits < MIN_KEY_FORMAT_ENTROPY_BITS) {
    throw invalidFormat(
      format,
      `its random part carries ${entropyBits.toFixed(1)} bits, at least ${MIN_KEY_FORMAT_ENTROPY_BITS} are needed (e.g. {HEX:8} or {TOKEN:7})`,
    );
  }
  return parts;
}

/** Throws a 400 ApiException (ValidationFailed) saying what is wrong with the format. */
export function validateKeyFormat(format: string): void {
  parseKeyFormat(format);
}

/**
 * A new random key in the given format. `randomInt` draws from the CSPRNG with rejection sampling,
 * so every character of an alphabet is equally likely.
 */
export function generateKey(format: string): string {
  let key = '';
  for (const part of parseKeyFormat(format)) {
    if ('literal' in part) {
      key += part.literal;
      continue;
    }
    for (let i = 0; i < part.length; i++) key += part.alphabet[randomInt(part.alphabet.length)];
  }
  return key;
}
