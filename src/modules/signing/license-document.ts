import { LICENSE_FIELDS, type LicenseField, type LicenseFieldType } from '../../../verifier/src';
import { ApiException } from '../../common/errors';

export enum LicensingMode {
  File = 0,
  Activation = 1,
  Floating = 2,
}

export enum LicenseFormat {
  Xml = 0,
  XmlDsig = 1,
  Ascii = 2,
  Base32 = 3,
}

/**
 * What a license key carries, in every format. The shipped verifier (verifier/src/index.ts) declares
 * the same model on its own because vendors copy that file alone; its specs prove the two agree.
 */
export interface LicenseDocument {
  licenseId: string;
  userKey?: string;
  licenseType?: string;
  licensingMode: LicensingMode;
  /** ISO-8601 UTC, e.g. 2025-01-31T00:00:00Z. */
  issueDate?: string;
  expireDate?: string;
  supportExpireDate?: string;
  maxAllowedSites?: number;
  licensee?: { name?: string; company?: string; email?: string; contactInfo?: string; url?: string };
  product?: { id?: string; name?: string; version?: string; copyright?: string; url?: string; description?: string };
  components?: string[];
  assemblies?: { name: string; version?: string; culture?: string; publicKeyToken?: string }[];
  fields?: { name: string; value: string }[];
  features?: { id?: string; name: string; description?: string; expireDate?: string; key?: string; data?: string }[];
  /** A `Hardware` restriction with property `machineId` binds the license to one machine. */
  restrictions?: {
    id?: string;
    name: string;
    expireDate?: string;
    properties?: Record<string, string>;
    customXmlContent?: string;
  }[];
}

/**
 * The wire layout of a LicenseDocument, shared by the XML and JSON serialisations: members appear in
 * this order, and an XML element is named after its member with an upper-case first letter. The table is
 * the shipped verifier's, so what the server signs and what applications check cannot drift apart.
 */
export { LICENSE_FIELDS, type LicenseField, type LicenseFieldType };

export function xmlElementName(key: string): string {
  return key[0].toUpperCase() + key.slice(1);
}

/** Characters XML 1.0 cannot carry (controls other than tab/CR/LF, lone surrogates, U+FFFE/U+FFFF). */
const NON_XML_CHARACTER = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
const ISO_UTC_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;
const MAX_COUNT = 2 ** 31 - 1;

function invalid(path: string, expectation: string): ApiException {
  return ApiException.badRequest(`license.${path} ${expectation}`);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function normalizeText(value: unknown, path: string): string {
  if (typeof value !== 'string') throw invalid(path, 'must be a string');
  if (NON_XML_CHARACTER.test(value)) throw invalid(path, 'contains a control character or an unpaired surrogate');
  return value;
}

function normalizeValue(type: LicenseFieldType, value: unknown, path: string): unknown {
  switch (type) {
    case 'text':
      return normalizeText(value, path);
    case 'date':
      if (typeof value !== 'string' || !ISO_UTC_DATE.test(value) || Number.isNaN(Date.parse(value))) {
        throw invalid(path, 'must be an ISO-8601 UTC date such as 2025-01-31T00:00:00Z');
      }
      return value;
    case 'count':
      if (!Number.isInteger(value) || (value as number) < 0 || (value as number) > MAX_COUNT)
        throw invalid(path, 'must be a non-negative integer');
      return value;
    case 'licensingMode':
      if (value !== LicensingMode.File && value !== LicensingMode.Activation && value !== LicensingMode.Floating) {
        throw invalid(path, 'must be 0 (File), 1 (Activation) or 2 (Floating)');
      }
      return value;
  }
  if ('record' in type) {
    if (!isPlainObject(value)) throw invalid(path, 'must be an object');
    return normalizeRecord(type.record, value, path);
  }
  if ('list' in type) {
    if (!Array.isArray(value)) throw invalid(path, 'must be an array');
    return value.map((item, index) => normalizeValue(type.of, item, `${path}[${index}]`));
  }
  if (!isPlainObject(value)) throw invalid(path, 'must be an object of strings');
  // fromEntries defines own members, so even a key named "__proto__" stays an ordinary entry.
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((name) => [normalizeText(name, `${path} key`), normalizeText(value[name], `${path}.${name}`)]),
  );
}

function normalizeRecord(
  fields: LicenseField[],
  source: Record<string, unknown>,
  parentPath: string,
): Record<string, unknown> {
  const record: Record<string, unknown> = {};
  for (const field of fields) {
    const path = parentPath ? `${parentPath}.${field.key}` : field.key;
    const value = source[field.key];
    // Nullable database columns arrive as null; both null and undefined mean "not in the license".
    if (value === undefined || value === null) {
      if (field.required) throw invalid(path, 'is required');
      continue;
    }
    record[field.key] = normalizeValue(field.type, value, path);
  }
  return record;
}

/**
 * A copy holding only the members the wire layout knows, in its order, with maps sorted by key, so
 * that a document always serialises to the same bytes and nothing else of the caller's object leaks
 * into a license. Throws a 400 ApiException naming the first bad member.
 */
export function normalizeLicenseDocument(document: LicenseDocument): LicenseDocument {
  return normalizeRecord(
    LICENSE_FIELDS,
    document as unknown as Record<string, unknown>,
    '',
  ) as unknown as LicenseDocument;
}
