/*
 * License verifier for applications that ship licenses from the licensing server.
 * One self-contained file on node:crypto: copy it into your product or import it as it is.
 * The wire formats it accepts are described in verifier/README.md.
 */
import { constants, createHash, createPublicKey, KeyObject, verify } from 'node:crypto';

/** What a license says. The server declares the same model in src/modules/signing/license-document.ts. */
export interface LicenseDocument {
  licenseId: string;
  userKey?: string;
  licenseType?: string;
  /** 0 File, 1 Activation, 2 Floating. */
  licensingMode: 0 | 1 | 2;
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
  restrictions?: {
    id?: string;
    name: string;
    expireDate?: string;
    properties?: Record<string, string>;
    customXmlContent?: string;
  }[];
}

export type LicenseFormatName = 'XML' | 'XML-DSig' | 'ASCII' | 'Base32';
export type SignatureAlgorithm = 'RSA' | 'ECDSA' | 'Ed25519';

export interface VerifyOptions {
  /** The moment to check expiry against; defaults to the current time. */
  now?: Date;
  /** This machine's id: a license with a Hardware restriction is valid only on a machine it names. */
  machineId?: string;
}

export interface VerificationResult {
  valid: boolean;
  /** Why the license is not valid. */
  reason?: string;
  /** Known as soon as the license text could be read. */
  format?: LicenseFormatName;
  algorithm?: SignatureAlgorithm;
  /** The key the license says it was signed with. */
  keyId?: string;
  /** Present whenever the signature is good, even if the license has expired or is for another machine. */
  license?: LicenseDocument;
}

/** A reason the license is refused; anything else thrown is a bug and reported as such. */
class LicenseRejected extends Error {}

function reject(reason: string): never {
  throw new LicenseRejected(reason);
}

// ---------------------------------------------------------------------------------------------
// The document model: member order, XML element names (member name with an upper-case first
// letter) and types. The server signs with this same table (it imports it from here).

export type LicenseFieldType =
  | 'text'
  | 'date'
  | 'count'
  | 'licensingMode'
  | { record: LicenseField[] }
  | { list: string; of: LicenseFieldType }
  /** String-to-string map, written as `<item Name="key">value</item>` in key order. */
  | { map: string };
export interface LicenseField {
  key: string;
  type: LicenseFieldType;
  required?: true;
}

const textFields = (...keys: string[]): LicenseField[] => keys.map((key) => ({ key, type: 'text' }));
export const LICENSE_FIELDS: LicenseField[] = [
  { key: 'licenseId', type: 'text', required: true },
  { key: 'userKey', type: 'text' },
  { key: 'licenseType', type: 'text' },
  { key: 'licensingMode', type: 'licensingMode', required: true },
  { key: 'issueDate', type: 'date' },
  { key: 'expireDate', type: 'date' },
  { key: 'supportExpireDate', type: 'date' },
  { key: 'maxAllowedSites', type: 'count' },
  { key: 'licensee', type: { record: textFields('name', 'company', 'email', 'contactInfo', 'url') } },
  { key: 'product', type: { record: textFields('id', 'name', 'version', 'copyright', 'url', 'description') } },
  { key: 'components', type: { list: 'Component', of: 'text' } },
  {
    key: 'assemblies',
    type: {
      list: 'Assembly',
      of: {
        record: [{ key: 'name', type: 'text', required: true }, ...textFields('version', 'culture', 'publicKeyToken')],
      },
    },
  },
  {
    key: 'fields',
    type: {
      list: 'Field',
      of: {
        record: [
          { key: 'name', type: 'text', required: true },
          { key: 'value', type: 'text', required: true },
        ],
      },
    },
  },
  {
    key: 'features',
    type: {
      list: 'Feature',
      of: {
        record: [
          { key: 'id', type: 'text' },
          { key: 'name', type: 'text', required: true },
          { key: 'description', type: 'text' },
          { key: 'expireDate', type: 'date' },
          ...textFields('key', 'data'),
        ],
      },
    },
  },
  {
    key: 'restrictions',
    type: {
      list: 'Restriction',
      of: {
        record: [
          { key: 'id', type: 'text' },
          { key: 'name', type: 'text', required: true },
          { key: 'expireDate', type: 'date' },
          { key: 'properties', type: { map: 'Property' } },
          // Kept as text, escaped in XML: embedding it raw would put foreign markup under the signature.
          { key: 'customXmlContent', type: 'text' },
        ],
      },
    },
  },
];

const elementName = (key: string) => key[0].toUpperCase() + key.slice(1);
const ISO_UTC_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Checks a decoded document against the model; members it does not know are refused, not ignored. */
function checkValue(type: LicenseFieldType, value: unknown, path: string): void {
  const fail = (expectation: string) => reject(`malformed license: ${path} ${expectation}`);
  switch (type) {
    case 'text':
      if (typeof value !== 'string') fail('must be a string');
      return;
    case 'date':
      if (typeof value !== 'string' || !ISO_UTC_DATE.test(value) || Number.isNaN(Date.parse(value)))
        fail('must be an ISO-8601 UTC date');
      return;
    case 'count':
      if (!Number.isInteger(value) || (value as number) < 0 || (value as number) > 2 ** 31 - 1)
        fail('must be a non-negative integer');
      return;
    case 'licensingMode':
      if (value !== 0 && value !== 1 && value !== 2) fail('must be 0, 1 or 2');
      return;
  }
  if ('list' in type) {
    if (!Array.isArray(value)) fail('must be a list');
    (value as unknown[]).forEach((item, index) => checkValue(type.of, item, `${path}[${index}]`));
  } else if ('map' in type) {
    if (!isPlainObject(value) || Object.values(value).some((item) => typeof item !== 'string'))
      fail('must map names to strings');
  } else {
    if (!isPlainObject(value)) fail('must be an object');
    checkRecord(type.record, value as Record<string, unknown>, path);
  }
}

function checkRecord(fields: LicenseField[], record: Record<string, unknown>, path: string): void {
  const known = new Set(fields.map((field) => field.key));
  const unknown = Object.keys(record).find((key) => !known.has(key));
  if (unknown !== undefined)
    reject(
      `malformed license: ${path ? `${path}.` : ''}${unknown} is not part of the license model (is this verifier older than the server?)`,
    );
  for (const field of fields) {
    const fieldPath = path ? `${path}.${field.key}` : field.key;
    if (record[field.key] !== undefined) checkValue(field.type, record[field.key], fieldPath);
    else if (field.required) reject(`malformed license: ${fieldPath} is missing`);
  }
}

function checkDocument(value: unknown): LicenseDocument {
  if (!isPlainObject(value)) reject('malformed license: the payload is not an object');
  checkRecord(LICENSE_FIELDS, value, '');
  return value as unknown as LicenseDocument;
}

// ---------------------------------------------------------------------------------------------
// XML. The server writes XML already in exclusive canonical form, and this parser accepts only the
// subset that form uses: elements, attributes in double quotes, text and the predefined or numeric
// character references. Comments, CDATA, processing instructions, DTDs, default namespaces and
// prefixed attributes are refused outright, because canonicalisation would drop or reinterpret them
// and the signed bytes would no longer be the bytes this verifier reads. Within the subset,
// canonicalize() below is exact exclusive C14N (without comments).

interface XmlElement {
  name: string;
  /** Namespace URI of the element's prefix; undefined for unprefixed names. */
  namespace?: string;
  attributes: [string, string][];
  namespaceDeclarations: Map<string, string>;
  children: (XmlElement | string)[];
}

const NAME = '[A-Za-z_][A-Za-z0-9._-]*(?::[A-Za-z_][A-Za-z0-9._-]*)?';
const START_TAG = new RegExp(`<(${NAME})((?:\\s+${NAME}\\s*=\\s*"[^"<]*")*)\\s*>`, 'y');
const ATTRIBUTE = new RegExp(`\\s+(${NAME})\\s*=\\s*"([^"<]*)"`, 'g');
const END_TAG = new RegExp(`</(${NAME})\\s*>`, 'y');
const MAX_XML_DEPTH = 16;
const NON_XML_CHARACTER = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
const PREDEFINED_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decodeReferences(raw: string): string {
  const decoded = raw.replace(/&([^;&]*);?/g, (reference, body: string) => {
    if (!reference.endsWith(';')) reject('malformed XML: a bare "&" must be written &amp;');
    if (Object.hasOwn(PREDEFINED_ENTITIES, body)) return PREDEFINED_ENTITIES[body];
    const codePoint = /^#x[0-9A-Fa-f]{1,6}$/.test(body)
      ? parseInt(body.slice(2), 16)
      : /^#[0-9]{1,7}$/.test(body)
        ? parseInt(body.slice(1), 10)
        : NaN;
    if (!(codePoint <= 0x10ffff)) reject(`malformed XML: unknown entity ${reference}`);
    return String.fromCodePoint(codePoint);
  });
  if (NON_XML_CHARACTER.test(decoded))
    reject('malformed XML: a character reference names a character XML cannot carry');
  return decoded;
}

function prefixOf(name: string): string | undefined {
  const colon = name.indexOf(':');
  return colon === -1 ? undefined : name.slice(0, colon);
}

function parseXml(text: string): XmlElement {
  if (NON_XML_CHARACTER.test(text)) reject('malformed XML: it contains a character XML cannot carry');
  const open: XmlElement[] = [];
  let root: XmlElement | undefined;
  let position = 0;
  while (position < text.length) {
    if (root && open.length === 0) reject('malformed XML: content after the root element');
    const tagStart = text.indexOf('<', position);
    const textEnd = tagStart === -1 ? text.length : tagStart;
    if (textEnd > position) {
      if (open.length === 0) reject('malformed XML: text outside the root element');
      open[open.length - 1].children.push(decodeReferences(text.slice(position, textEnd)));
      position = textEnd;
      continue;
    }
    const next = text[tagStart + 1];
    if (next === '!' || next === '?')
      reject('XML comments, CDATA sections, processing instructions and DTDs are not allowed in a license');

    if (next === '/') {
      END_TAG.lastIndex = tagStart;
      const end = END_TAG.exec(text);
      const element = open.pop();
      if (!end || !element || end[1] !== element.name)
        reject(`malformed XML: unexpected end tag at offset ${tagStart}`);
      position = END_TAG.lastIndex;
      continue;
    }

    START_TAG.lastIndex = tagStart;
    const start = START_TAG.exec(text);
    if (!start)
      reject(
        `malformed XML: unreadable tag at offset ${tagStart} (self-closing tags and single quotes are not used in licenses)`,
      );
    position = START_TAG.lastIndex;
    const element: XmlElement = { name: start[1], attributes: [], namespaceDeclarations: new Map(), children: [] };
    for (const [, name, rawValue] of start[2].matchAll(ATTRIBUTE)) {
      // Attribute-value normalisation: literal whitespace characters read as spaces.
      const value = decodeReferences(rawValue.replace(/[\t\n\r]/g, ' '));
      if (name === 'xmlns') reject('malformed license: default namespace declarations are not used in licenses');
      if (name.startsWith('xmlns:')) {
        element.namespaceDeclarations.set(name.slice(6), value);
      } else if (prefixOf(name) !== undefined) {
        reject(`malformed license: prefixed attribute ${name} is not used in licenses`);
      } else {
        if (element.attributes.some(([existing]) => existing === name))
          reject(`malformed XML: attribute ${name} appears twice`);
        element.attributes.push([name, value]);
      }
    }
    const prefix = prefixOf(element.name);
    if (prefix !== undefined) {
      const declaringElement = [...open, element].findLast((candidate) => candidate.namespaceDeclarations.has(prefix));
      if (!declaringElement) reject(`malformed XML: namespace prefix ${prefix} is not declared`);
      element.namespace = declaringElement.namespaceDeclarations.get(prefix);
    }
    if (open.length === 0) root = element;
    else open[open.length - 1].children.push(element);
    open.push(element);
    if (open.length > MAX_XML_DEPTH) reject('malformed license: XML nested too deeply');
  }
  if (!root || open.length > 0) reject('malformed XML: the document is incomplete');
  return root;
}

const escapeText = (text: string) =>
  text.replace(/[&<>\r]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '\r': '&#xD;' })[c]!);
const escapeAttribute = (text: string) =>
  text.replace(
    /[&<"\t\n\r]/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '"': '&quot;', '\t': '&#x9;', '\n': '&#xA;', '\r': '&#xD;' })[c]!,
  );

/**
 * Exclusive XML canonicalisation of `element` (as the apex of its own output), leaving out `omit`.
 * Only an element's own prefix can be visibly utilised (attributes are never prefixed), so a
 * namespace is rendered where an element uses a prefix not yet rendered with that URI above it.
 */
function canonicalize(
  element: XmlElement,
  omit?: XmlElement,
  rendered: ReadonlyMap<string, string> = new Map(),
): string {
  let output = `<${element.name}`;
  const prefix = prefixOf(element.name);
  let renderedBelow = rendered;
  if (prefix !== undefined && rendered.get(prefix) !== element.namespace) {
    output += ` xmlns:${prefix}="${escapeAttribute(element.namespace!)}"`;
    renderedBelow = new Map(rendered).set(prefix, element.namespace!);
  }
  const attributes = [...element.attributes].sort(([a], [b]) => (a < b ? -1 : 1));
  for (const [name, value] of attributes) output += ` ${name}="${escapeAttribute(value)}"`;
  output += '>';
  for (const child of element.children) {
    if (child === omit) continue;
    output += typeof child === 'string' ? escapeText(child) : canonicalize(child, omit, renderedBelow);
  }
  return `${output}</${element.name}>`;
}

function assertNoAttributes(element: XmlElement): void {
  if (element.attributes.length > 0 || element.namespaceDeclarations.size > 0)
    reject(`malformed license: <${element.name}> takes no attributes`);
}

function childElements(element: XmlElement, path: string): XmlElement[] {
  assertNoAttributes(element);
  return element.children.map((child) =>
    typeof child === 'string' ? reject(`malformed license: unexpected text in ${path || 'License'}`) : child,
  );
}

function textContent(element: XmlElement, path: string): string {
  if (element.children.length === 0) return '';
  const [only] = element.children;
  if (element.children.length > 1 || typeof only !== 'string') reject(`malformed license: ${path} must be text`);
  return only;
}

/** Maps XML to plain values by the model's structure; checkDocument() then checks their types. */
function readXmlValue(type: LicenseFieldType, element: XmlElement, path: string): unknown {
  if (type === 'count' || type === 'licensingMode') {
    assertNoAttributes(element);
    const text = textContent(element, path);
    return /^(0|[1-9][0-9]{0,9})$/.test(text) ? Number(text) : text;
  }
  if (typeof type === 'string') {
    assertNoAttributes(element);
    return textContent(element, path);
  }
  const children = childElements(element, path);
  if ('record' in type) return readXmlRecord(type.record, children, path);
  if ('list' in type) {
    return children.map((child, index) => {
      if (child.name !== type.list) reject(`malformed license: unexpected <${child.name}> in ${path}`);
      return readXmlValue(type.of, child, `${path}[${index}]`);
    });
  }
  const entries = new Map<string, string>();
  for (const child of children) {
    const [nameAttribute, ...otherAttributes] = child.attributes;
    if (
      child.name !== type.map ||
      nameAttribute?.[0] !== 'Name' ||
      otherAttributes.length > 0 ||
      child.namespaceDeclarations.size > 0
    ) {
      reject(`malformed license: ${path} holds only <${type.map} Name="…"> elements`);
    }
    if (entries.has(nameAttribute[1])) reject(`malformed license: ${path} names ${nameAttribute[1]} twice`);
    entries.set(nameAttribute[1], textContent(child, `${path}.${nameAttribute[1]}`));
  }
  return Object.fromEntries(entries);
}

/** Members must come in model order, each at most once. */
function readXmlRecord(fields: LicenseField[], children: XmlElement[], path: string): Record<string, unknown> {
  const record: Record<string, unknown> = {};
  let index = 0;
  for (const field of fields) {
    const child = children[index];
    if (child?.name !== elementName(field.key)) continue;
    record[field.key] = readXmlValue(field.type, child, path ? `${path}.${field.key}` : field.key);
    index++;
  }
  if (index < children.length)
    reject(`malformed license: unexpected <${children[index].name}> in ${path || 'License'}`);
  return record;
}

const XML_DSIG_NAMESPACE = 'http://www.w3.org/2000/09/xmldsig#';
const XML_DSIG11_NAMESPACE = 'http://www.w3.org/2009/xmldsig11#';
const EXCLUSIVE_C14N = 'http://www.w3.org/2001/10/xml-exc-c14n#';
const BASE64 = '[A-Za-z0-9+/]+={0,2}';
const KEY_ID = '[0-9a-f]{16}';

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** The one Signature element the XML format uses, matched on its canonical form. */
const XML_SIGNATURE = new RegExp(`^<Signature Algorithm="([^"]*)" KeyId="(${KEY_ID})">(${BASE64})</Signature>$`);

/** The one ds:Signature shape the XML-DSig format uses (enveloped, exclusive C14N, SHA-256), matched on its canonical form. */
const XML_DSIG_SIGNATURE = new RegExp(
  '^' +
    escapeRegExp(`<ds:Signature xmlns:ds="${XML_DSIG_NAMESPACE}"><ds:SignedInfo>`) +
    `(${escapeRegExp(`<ds:CanonicalizationMethod Algorithm="${EXCLUSIVE_C14N}"></ds:CanonicalizationMethod>`)}` +
    '<ds:SignatureMethod Algorithm="([^"]*)"></ds:SignatureMethod>' +
    escapeRegExp(
      '<ds:Reference URI=""><ds:Transforms>' +
        '<ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"></ds:Transform>' +
        `<ds:Transform Algorithm="${EXCLUSIVE_C14N}"></ds:Transform></ds:Transforms>` +
        '<ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"></ds:DigestMethod><ds:DigestValue>',
    ) +
    `(${BASE64})</ds:DigestValue></ds:Reference>)</ds:SignedInfo>` +
    `<ds:SignatureValue>(${BASE64})</ds:SignatureValue>` +
    `<ds:KeyInfo><ds:KeyName>(${KEY_ID})</ds:KeyName>` +
    `(?:${escapeRegExp(`<dsig11:DEREncodedKeyValue xmlns:dsig11="${XML_DSIG11_NAMESPACE}">`)}(${BASE64})</dsig11:DEREncodedKeyValue>)?` +
    '</ds:KeyInfo></ds:Signature>$',
);

/** JOSE algorithm names, used by the XML and ASCII formats. */
const JOSE_ALGORITHMS: Record<string, SignatureAlgorithm> = { RS256: 'RSA', ES256: 'ECDSA', EdDSA: 'Ed25519' };
const XML_DSIG_ALGORITHMS: Record<string, SignatureAlgorithm> = {
  'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256': 'RSA',
  'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256': 'ECDSA',
  'http://www.w3.org/2021/04/xmldsig-more#eddsa-ed25519': 'Ed25519',
};

/** A license taken apart: what is signed, the signature, and how to read the content once it is trusted. */
interface SignedEnvelope {
  format: LicenseFormatName;
  algorithm: SignatureAlgorithm;
  keyId: string;
  signedBytes: Buffer;
  signature: Buffer;
  /** SPKI DER of a public key the license carries; it must be the caller's key, never a substitute for it. */
  embeddedPublicKey?: Buffer;
  readDocument(): LicenseDocument;
}

/** Refuses encodings with stray bits or characters (which Buffer.from skips), so every change to the text changes the bytes. */
function strictBase64(text: string, encoding: 'base64' | 'base64url', what: string): Buffer {
  const bytes = Buffer.from(text, encoding);
  if (bytes.toString(encoding) !== text) reject(`malformed license: the ${what} is not valid ${encoding}`);
  return bytes;
}

function signatureAlgorithm(names: Record<string, SignatureAlgorithm>, name: string): SignatureAlgorithm {
  if (!Object.hasOwn(names, name)) reject(`unsupported signature algorithm ${name}`);
  return names[name];
}

function decodeXml(text: string): SignedEnvelope {
  const root = parseXml(text);
  if (root.name !== 'License') reject(`malformed license: the root element is <${root.name}>, not <License>`);
  const children = childElements(root, '');
  const signatureElement = children.pop();
  const documentOf = (members: XmlElement[]) => () => checkDocument(readXmlRecord(LICENSE_FIELDS, members, ''));

  if (signatureElement?.name === 'Signature') {
    const match = XML_SIGNATURE.exec(canonicalize(signatureElement));
    if (!match) reject('malformed license: the <Signature> element is not in the expected form');
    // An embedded public key sits just before the signature, inside the signed content.
    const publicKeyElement = children.at(-1)?.name === 'PublicKey' ? children.pop()! : undefined;
    if (publicKeyElement) assertNoAttributes(publicKeyElement);
    return {
      format: 'XML',
      algorithm: signatureAlgorithm(JOSE_ALGORITHMS, match[1]),
      keyId: match[2],
      signedBytes: Buffer.from(canonicalize(root, signatureElement)),
      signature: strictBase64(match[3], 'base64', 'signature'),
      embeddedPublicKey:
        publicKeyElement && strictBase64(textContent(publicKeyElement, 'PublicKey'), 'base64', 'embedded public key'),
      readDocument: documentOf(children),
    };
  }
  if (signatureElement?.name === 'ds:Signature' && signatureElement.namespace === XML_DSIG_NAMESPACE) {
    const match = XML_DSIG_SIGNATURE.exec(canonicalize(signatureElement));
    if (!match)
      reject(
        'unsupported XML-DSig signature: only the enveloped, exclusive-C14N, SHA-256 form the licensing server writes is accepted',
      );
    const [, signedInfoContent, signatureMethod, digestValue, signatureValue, keyName, publicKey] = match;
    const algorithm = signatureAlgorithm(XML_DSIG_ALGORITHMS, signatureMethod);
    const digest = createHash('sha256').update(canonicalize(root, signatureElement)).digest();
    if (!digest.equals(strictBase64(digestValue, 'base64', 'digest')))
      reject('the license content was altered after signing (XML-DSig digest mismatch)');
    return {
      format: 'XML-DSig',
      algorithm,
      keyId: keyName,
      signedBytes: Buffer.from(`<ds:SignedInfo xmlns:ds="${XML_DSIG_NAMESPACE}">${signedInfoContent}</ds:SignedInfo>`),
      signature: strictBase64(signatureValue, 'base64', 'signature'),
      embeddedPublicKey: publicKey === undefined ? undefined : strictBase64(publicKey, 'base64', 'embedded public key'),
      readDocument: documentOf(children),
    };
  }
  return reject('malformed license: the XML carries no signature as its last element');
}

// ---------------------------------------------------------------------------------------------
// ASCII and Base32: a JSON payload with a header and signature around it.

const BASE32_ALGORITHMS: Record<string, SignatureAlgorithm> = { 1: 'RSA', 2: 'ECDSA', 3: 'Ed25519' };
const BASE32_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const BASE32_ENVELOPE_VERSION = 1;
const BASE32_HEADER_BYTES = 12;

function jsonDocument(payload: Buffer): () => LicenseDocument {
  return () => {
    let value: unknown;
    try {
      value = JSON.parse(payload.toString('utf8'));
    } catch {
      reject('malformed license: the payload is not JSON');
    }
    return checkDocument(value);
  };
}

function decodeAscii(text: string): SignedEnvelope {
  const parts = text.split('.');
  if (parts.length < 5 || parts.length > 6)
    reject('malformed license: an ASCII license has the form LIC1.<alg>.<keyId>.<payload>.<signature>');
  const [, algorithmName, keyId, payload, signature] = parts;
  if (!new RegExp(`^${KEY_ID}$`).test(keyId)) reject('malformed license: the key id is not 16 hex digits');
  return {
    format: 'ASCII',
    algorithm: signatureAlgorithm(JOSE_ALGORITHMS, algorithmName),
    keyId,
    signedBytes: Buffer.from(parts.slice(0, 4).join('.')),
    signature: strictBase64(signature, 'base64url', 'signature'),
    embeddedPublicKey: parts.length === 6 ? strictBase64(parts[5], 'base64url', 'embedded public key') : undefined,
    readDocument: jsonDocument(strictBase64(payload, 'base64url', 'payload')),
  };
}

function fromBase32(text: string): Buffer {
  // Lengths of 1, 3 or 6 characters past a multiple of 8 cannot end on a byte boundary.
  if ([1, 3, 6].includes(text.length % 8)) reject('malformed license: the Base32 text is truncated');
  const bytes: number[] = [];
  let bits = 0;
  let bitCount = 0;
  for (const character of text) {
    bits = ((bits << 5) | BASE32_ALPHABET.indexOf(character)) & 0x1fff;
    bitCount += 5;
    if (bitCount >= 8) {
      bitCount -= 8;
      bytes.push((bits >> bitCount) & 0xff);
    }
  }
  if ((bits & ((1 << bitCount) - 1)) !== 0) reject('malformed license: the Base32 text has stray bits at its end');
  return Buffer.from(bytes);
}

function decodeBase32(text: string): SignedEnvelope {
  const bytes = fromBase32(text);
  if (bytes.length < BASE32_HEADER_BYTES || bytes[0] !== BASE32_ENVELOPE_VERSION)
    reject('malformed license: not a version 1 Base32 license');
  const signedLength = BASE32_HEADER_BYTES + bytes.readUInt16BE(10);
  if (bytes.length < signedLength + 2) reject('malformed license: the Base32 license is truncated');
  const signatureEnd = signedLength + 2 + bytes.readUInt16BE(signedLength);
  if (bytes.length < signatureEnd) reject('malformed license: the Base32 license is truncated');
  return {
    format: 'Base32',
    algorithm: signatureAlgorithm(BASE32_ALGORITHMS, String(bytes[1])),
    keyId: bytes.subarray(2, 10).toString('hex'),
    signedBytes: bytes.subarray(0, signedLength),
    signature: bytes.subarray(signedLength + 2, signatureEnd),
    // Any bytes after the signature are an embedded public key.
    embeddedPublicKey: signatureEnd < bytes.length ? bytes.subarray(signatureEnd) : undefined,
    readDocument: jsonDocument(bytes.subarray(BASE32_HEADER_BYTES, signedLength)),
  };
}

function decodeLicense(licenseKey: string): SignedEnvelope {
  // XML end-of-line handling turns CRLF into LF; mail and editors may have added either.
  const text = licenseKey
    .replace(/^\uFEFF/, '')
    .replace(/\r\n?/g, '\n')
    .trim();
  if (text.startsWith('<')) return decodeXml(text);
  const compact = text.replace(/\s+/g, '');
  if (compact.startsWith('LIC1.')) return decodeAscii(compact);
  const base32 = compact.replace(/-/g, '').toUpperCase();
  if (/^[A-Z2-7]+$/.test(base32)) return decodeBase32(base32);
  return reject('not a license key: expected XML, an ASCII key starting with LIC1. or Base32 text');
}

// ---------------------------------------------------------------------------------------------

interface PublicKeyInfo {
  key: KeyObject;
  algorithm: SignatureAlgorithm;
  /** SPKI DER. */
  spki: Buffer;
  keyId: string;
}

function readPublicKey(publicKeyPem: string): PublicKeyInfo {
  let key: KeyObject;
  try {
    key = createPublicKey(publicKeyPem);
  } catch {
    return reject('the public key could not be read: expected a PEM public key');
  }
  const spki = key.export({ type: 'spki', format: 'der' });
  const keyId = createHash('sha256').update(spki).digest('hex').slice(0, 16);
  const type = key.asymmetricKeyType;
  if (type === 'rsa') return { key, algorithm: 'RSA', spki, keyId };
  if (type === 'ed25519') return { key, algorithm: 'Ed25519', spki, keyId };
  if (type === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1')
    return { key, algorithm: 'ECDSA', spki, keyId };
  return reject(
    `the public key is of an unsupported type (${type}${type === 'ec' ? ` on ${key.asymmetricKeyDetails?.namedCurve}` : ''})`,
  );
}

function signatureMatches(publicKey: PublicKeyInfo, data: Buffer, signature: Buffer): boolean {
  try {
    return checkSignature(publicKey, data, signature);
  } catch {
    // OpenSSL throws rather than answers false for some malformed signatures (e.g. of the wrong length).
    return false;
  }
}

function checkSignature(publicKey: PublicKeyInfo, data: Buffer, signature: Buffer): boolean {
  switch (publicKey.algorithm) {
    case 'RSA':
      return verify('sha256', data, { key: publicKey.key, padding: constants.RSA_PKCS1_PADDING }, signature);
    case 'ECDSA':
      return verify('sha256', data, { key: publicKey.key, dsaEncoding: 'ieee-p1363' }, signature);
    case 'Ed25519':
      return verify(null, data, publicKey.key, signature);
  }
}

function usageProblem(license: LicenseDocument, options: VerifyOptions): string | undefined {
  const now = options.now ?? new Date();
  if (license.expireDate !== undefined && Date.parse(license.expireDate) <= now.getTime())
    return `expired on ${license.expireDate}`;
  const machineBindings = (license.restrictions ?? []).filter(
    (restriction) => restriction.name.toLowerCase() === 'hardware',
  );
  if (options.machineId !== undefined && machineBindings.length > 0) {
    const licensedMachines = machineBindings.map((restriction) => restriction.properties?.machineId);
    if (!licensedMachines.includes(options.machineId))
      return `licensed for another machine, not for machine id ${options.machineId}`;
  }
  return undefined;
}

/**
 * Checks a license key against the vendor's public key (never a key embedded in the license), then
 * its expiry and, when `machineId` is given, its Hardware restriction. Never throws: every problem
 * comes back as `valid: false` with a reason.
 */
export function verifyLicense(
  licenseKey: string,
  publicKeyPem: string,
  options: VerifyOptions = {},
): VerificationResult {
  const result: VerificationResult = { valid: false };
  try {
    const publicKey = readPublicKey(publicKeyPem);
    const envelope = decodeLicense(licenseKey);
    result.format = envelope.format;
    result.algorithm = envelope.algorithm;
    result.keyId = envelope.keyId;
    if (envelope.keyId !== publicKey.keyId)
      reject(`signed with key ${envelope.keyId}, public key is ${publicKey.keyId}`);
    if (envelope.algorithm !== publicKey.algorithm)
      reject(`signed with ${envelope.algorithm}, but the public key is ${publicKey.algorithm}`);
    if (!signatureMatches(publicKey, envelope.signedBytes, envelope.signature)) {
      reject('the signature does not match: the license was altered after signing');
    }
    if (envelope.embeddedPublicKey && !envelope.embeddedPublicKey.equals(publicKey.spki)) {
      reject('the license embeds a public key other than the one it was checked with');
    }
    result.license = envelope.readDocument();
    const problem = usageProblem(result.license, options);
    if (problem) reject(problem);
    result.valid = true;
  } catch (error) {
    result.reason =
      error instanceof LicenseRejected
        ? error.message
        : `the license could not be checked: ${error instanceof Error ? error.message : String(error)}`;
  }
  return result;
}
