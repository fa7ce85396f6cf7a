import { constants, createHash, sign } from 'node:crypto';
import { ApiException } from '../../common/errors';
import { SigningAlgorithm, SigningKey } from './key-material';
import {
  LICENSE_FIELDS,
  LicenseDocument,
  LicenseField,
  LicenseFieldType,
  LicenseFormat,
  normalizeLicenseDocument,
  xmlElementName,
} from './license-document';

/*
 * Wire formats of a signed license; verifier/README.md is their reference for vendors.
 *
 * Signatures: RSA is RSASSA-PKCS1-v1_5 with SHA-256 (deterministic, and what XML-DSig rsa-sha256
 * means), ECDSA is P-256 with SHA-256 as raw r||s (64 bytes), Ed25519 is pure Ed25519.
 *
 * Both XML formats are emitted already in exclusive canonical form (no whitespace between elements,
 * start and end tag for empty elements, C14N escaping, attributes in order, no XML declaration), so
 * the bytes a signature covers are a plain substring of the license:
 *  - XML: the license with its final <Signature …>…</Signature> element cut out;
 *  - XML-DSig: the same cut for the enveloped <ds:Signature>, and SignedInfo with xmlns:ds added.
 */

export interface SignedLicense {
  licenseKey: string;
  /** SHA-256 hex of licenseKey (UTF-8). */
  hash: string;
  keyId: string;
}

export interface SignLicenseOptions {
  /** Embeds the SPKI public key for clients that display it; verifiers must still bring their own key. */
  includePublicKey: boolean;
}

interface AlgorithmWireNames {
  /** JOSE name, in the XML Signature element and the ASCII header. */
  name: string;
  /** Byte in the Base32 envelope. */
  code: number;
  xmlDsigUri: string;
}

const ALGORITHM_WIRE_NAMES: Record<SigningAlgorithm, AlgorithmWireNames> = {
  RSA: { name: 'RS256', code: 1, xmlDsigUri: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256' },
  ECDSA: { name: 'ES256', code: 2, xmlDsigUri: 'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256' },
  Ed25519: { name: 'EdDSA', code: 3, xmlDsigUri: 'http://www.w3.org/2021/04/xmldsig-more#eddsa-ed25519' },
};

const XML_DSIG_NAMESPACE = 'http://www.w3.org/2000/09/xmldsig#';
const XML_DSIG11_NAMESPACE = 'http://www.w3.org/2009/xmldsig11#';
const EXCLUSIVE_C14N = 'http://www.w3.org/2001/10/xml-exc-c14n#';
const ENVELOPED_SIGNATURE = 'http://www.w3.org/2000/09/xmldsig#enveloped-signature';
const SHA256_DIGEST = 'http://www.w3.org/2001/04/xmlenc#sha256';

const ASCII_LICENSE_PREFIX = 'LIC1';
const BASE32_ENVELOPE_VERSION = 1;
/** Dash-separated groups of five characters, for typing. */
const BASE32_GROUPS = /.{1,5}/g;
const MAX_BASE32_PAYLOAD_BYTES = 0xffff;

function signBytes(key: SigningKey, data: string | Buffer): Buffer {
  const bytes = typeof data === 'string' ? Buffer.from(data) : data;
  switch (key.algorithm) {
    case 'RSA':
      return sign('sha256', bytes, { key: key.privateKey, padding: constants.RSA_PKCS1_PADDING });
    case 'ECDSA':
      return sign('sha256', bytes, { key: key.privateKey, dsaEncoding: 'ieee-p1363' });
    case 'Ed25519':
      return sign(null, bytes, key.privateKey);
  }
}

/** The PEM body is the base64 of the SPKI DER. */
function publicKeyBase64(key: SigningKey): string {
  return key.publicKeyPem.replace(/-----[^-]+-----|\s/g, '');
}

function escapeXmlText(text: string): string {
  return text.replace(
    /[&<>\r]/g,
    (character) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '\r': '&#xD;' })[character]!,
  );
}

function escapeXmlAttribute(text: string): string {
  return text.replace(
    /[&<"\t\n\r]/g,
    (character) =>
      ({ '&': '&amp;', '<': '&lt;', '"': '&quot;', '\t': '&#x9;', '\n': '&#xA;', '\r': '&#xD;' })[character]!,
  );
}

function writeXmlValue(out: string[], element: string, type: LicenseFieldType, value: unknown): void {
  if (typeof type === 'string') {
    out.push(`<${element}>${escapeXmlText(String(value))}</${element}>`);
    return;
  }
  out.push(`<${element}>`);
  if ('record' in type) {
    writeXmlFields(out, type.record, value as Record<string, unknown>);
  } else if ('list' in type) {
    for (const item of value as unknown[]) writeXmlValue(out, type.list, type.of, item);
  } else {
    for (const [name, text] of Object.entries(value as Record<string, string>)) {
      out.push(`<${type.map} Name="${escapeXmlAttribute(name)}">${escapeXmlText(text)}</${type.map}>`);
    }
  }
  out.push(`</${element}>`);
}

function writeXmlFields(out: string[], fields: LicenseField[], record: Record<string, unknown>): void {
  for (const field of fields) {
    if (record[field.key] !== undefined) writeXmlValue(out, xmlElementName(field.key), field.type, record[field.key]);
  }
}

/** `<License>` and its members, without the closing tag. */
function openLicenseXml(document: LicenseDocument): string {
  const out = ['<License>'];
  writeXmlFields(out, LICENSE_FIELDS, document as unknown as Record<string, unknown>);
  return out.join('');
}

function signXml(document: LicenseDocument, key: SigningKey, includePublicKey: boolean): string {
  const publicKey = includePublicKey ? `<PublicKey>${publicKeyBase64(key)}</PublicKey>` : '';
  // The embedded public key comes before the signature and is signed with the rest.
  const signedPart = openLicenseXml(document) + publicKey;
  const signature = signBytes(key, `${signedPart}</License>`).toString('base64');
  const { name } = ALGORITHM_WIRE_NAMES[key.algorithm];
  return `${signedPart}<Signature Algorithm="${name}" KeyId="${key.keyId}">${signature}</Signature></License>`;
}

function signXmlDsig(document: LicenseDocument, key: SigningKey, includePublicKey: boolean): string {
  const licenseXml = openLicenseXml(document);
  const digest = createHash('sha256').update(`${licenseXml}</License>`).digest('base64');
  const signedInfoContent =
    `<ds:CanonicalizationMethod Algorithm="${EXCLUSIVE_C14N}"></ds:CanonicalizationMethod>` +
    `<ds:SignatureMethod Algorithm="${ALGORITHM_WIRE_NAMES[key.algorithm].xmlDsigUri}"></ds:SignatureMethod>` +
    '<ds:Reference URI=""><ds:Transforms>' +
    `<ds:Transform Algorithm="${ENVELOPED_SIGNATURE}"></ds:Transform>` +
    `<ds:Transform Algorithm="${EXCLUSIVE_C14N}"></ds:Transform>` +
    `</ds:Transforms><ds:DigestMethod Algorithm="${SHA256_DIGEST}"></ds:DigestMethod>` +
    `<ds:DigestValue>${digest}</ds:DigestValue></ds:Reference>`;
  // Exclusive C14N of SignedInfo on its own declares the ds prefix it uses on SignedInfo itself.
  const signature = signBytes(
    key,
    `<ds:SignedInfo xmlns:ds="${XML_DSIG_NAMESPACE}">${signedInfoContent}</ds:SignedInfo>`,
  ).toString('base64');
  const publicKey = includePublicKey
    ? `<dsig11:DEREncodedKeyValue xmlns:dsig11="${XML_DSIG11_NAMESPACE}">${publicKeyBase64(key)}</dsig11:DEREncodedKeyValue>`
    : '';
  return (
    `${licenseXml}<ds:Signature xmlns:ds="${XML_DSIG_NAMESPACE}">` +
    `<ds:SignedInfo>${signedInfoContent}</ds:SignedInfo>` +
    `<ds:SignatureValue>${signature}</ds:SignatureValue>` +
    `<ds:KeyInfo><ds:KeyName>${key.keyId}</ds:KeyName>${publicKey}</ds:KeyInfo>` +
    '</ds:Signature></License>'
  );
}

/** `LIC1.<alg>.<keyId>.<base64url JSON>.<base64url signature>[.<base64url SPKI>]`; the signature covers everything before its dot. */
function signAscii(document: LicenseDocument, key: SigningKey, includePublicKey: boolean): string {
  const payload = Buffer.from(JSON.stringify(document)).toString('base64url');
  const signingInput = `${ASCII_LICENSE_PREFIX}.${ALGORITHM_WIRE_NAMES[key.algorithm].name}.${key.keyId}.${payload}`;
  const signature = signBytes(key, signingInput).toString('base64url');
  const publicKey = includePublicKey ? `.${Buffer.from(publicKeyBase64(key), 'base64').toString('base64url')}` : '';
  return `${signingInput}.${signature}${publicKey}`;
}

const BASE32_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 4648 Base32, upper case, without padding. */
function toBase32(bytes: Buffer): string {
  let text = '';
  let bits = 0;
  let bitCount = 0;
  for (const byte of bytes) {
    bits = ((bits << 8) | byte) & 0xfff;
    bitCount += 8;
    while (bitCount >= 5) {
      bitCount -= 5;
      text += BASE32_ALPHABET[(bits >> bitCount) & 31];
    }
  }
  if (bitCount > 0) text += BASE32_ALPHABET[(bits << (5 - bitCount)) & 31];
  return text;
}

/**
 * Binary envelope, Base32 encoded in dash-separated groups of five:
 * version (1) | algorithm (1 RSA, 2 ECDSA, 3 Ed25519) | key id (8 bytes) | payload length (uint16 BE) | JSON payload
 * — the signature covers exactly these bytes — then signature length (uint16 BE) | signature | optional SPKI DER.
 */
function signBase32(document: LicenseDocument, key: SigningKey, includePublicKey: boolean): string {
  const payload = Buffer.from(JSON.stringify(document));
  if (payload.length > MAX_BASE32_PAYLOAD_BYTES) {
    throw ApiException.badRequest(
      `The license is ${payload.length} bytes, too large for the Base32 format (at most ${MAX_BASE32_PAYLOAD_BYTES}); use another format`,
    );
  }
  const header = Buffer.alloc(12);
  header[0] = BASE32_ENVELOPE_VERSION;
  header[1] = ALGORITHM_WIRE_NAMES[key.algorithm].code;
  header.write(key.keyId, 2, 'hex');
  header.writeUInt16BE(payload.length, 10);
  const signed = Buffer.concat([header, payload]);
  const signature = signBytes(key, signed);
  const signatureLength = Buffer.alloc(2);
  signatureLength.writeUInt16BE(signature.length);
  const publicKey = includePublicKey ? Buffer.from(publicKeyBase64(key), 'base64') : Buffer.alloc(0);
  const text = toBase32(Buffer.concat([signed, signatureLength, signature, publicKey]));
  return text.match(BASE32_GROUPS)!.join('-');
}

const SIGNERS: Record<
  LicenseFormat,
  (document: LicenseDocument, key: SigningKey, includePublicKey: boolean) => string
> = {
  [LicenseFormat.Xml]: signXml,
  [LicenseFormat.XmlDsig]: signXmlDsig,
  [LicenseFormat.Ascii]: signAscii,
  [LicenseFormat.Base32]: signBase32,
};

/** Serialises and signs a license; a malformed document or unknown format is a 400 ApiException. */
export function signLicense(
  document: LicenseDocument,
  format: LicenseFormat,
  key: SigningKey,
  options: SignLicenseOptions,
): SignedLicense {
  if (!Object.hasOwn(SIGNERS, format))
    throw ApiException.badRequest(
      `Unknown license format ${format}; expected 0 (XML), 1 (XML DSig), 2 (ASCII) or 3 (Base32)`,
    );
  const licenseKey = SIGNERS[format](normalizeLicenseDocument(document), key, options.includePublicKey);
  return { licenseKey, hash: createHash('sha256').update(licenseKey).digest('hex'), keyId: key.keyId };
}
