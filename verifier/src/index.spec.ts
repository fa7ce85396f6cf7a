import {
  generateSigningKeyPair,
  LicenseDocument,
  LicenseFormat,
  signLicense,
  SigningAlgorithm,
  SigningKey,
} from '../../src/modules/signing';
import { verifyLicense } from './index';

const NOW = new Date('2026-06-01T00:00:00Z');
const FORMATS = [LicenseFormat.Xml, LicenseFormat.XmlDsig, LicenseFormat.Ascii, LicenseFormat.Base32];
const FORMAT_NAMES = {
  [LicenseFormat.Xml]: 'XML',
  [LicenseFormat.XmlDsig]: 'XML-DSig',
  [LicenseFormat.Ascii]: 'ASCII',
  [LicenseFormat.Base32]: 'Base32',
};
const ALGORITHMS: SigningAlgorithm[] = ['RSA', 'ECDSA', 'Ed25519'];

/** Every member the model has, with text that needs escaping in XML and JSON. */
function fullLicense(overrides: Partial<LicenseDocument> = {}): LicenseDocument {
  return {
    licenseId: 'lic0A1B2C3D',
    userKey: 'ABCDE-FGHIJ-KLMNO-PQRST',
    licenseType: 'Standard & <Pro>',
    licensingMode: 1,
    issueDate: '2026-01-01T00:00:00Z',
    expireDate: '2027-01-01T00:00:00.000Z',
    supportExpireDate: '2026-12-31T00:00:00Z',
    maxAllowedSites: 3,
    licensee: {
      name: 'Zoë "Q" O\'Neil',
      company: 'Acme\r\nLtd',
      email: 'zoe@example.com',
      contactInfo: '',
      url: 'https://example.com/?a=1&b=2',
    },
    product: {
      id: 'p-1',
      name: 'Widget Studio',
      version: '2.1',
      copyright: '© 2026',
      url: 'https://example.com',
      description: 'Tabs\tand ]]> and 🎉',
    },
    components: ['Core', 'Export'],
    assemblies: [{ name: 'Widget.Core', version: '2.1.0.0', culture: 'neutral', publicKeyToken: 'b77a5c561934e089' }],
    fields: [{ name: 'seats', value: '10' }],
    features: [
      { id: 'f1', name: 'Reports', description: 'PDF', expireDate: '2026-09-01T00:00:00Z', key: 'k', data: '{"x":1}' },
    ],
    restrictions: [
      {
        id: 'r1',
        name: 'Hardware',
        properties: { machineId: 'MACHINE-1', note: '<a b="c">' },
        customXmlContent: '<Custom attr="1"/>',
      },
    ],
    ...overrides,
  };
}

function sign(key: SigningKey, format: LicenseFormat, document = fullLicense(), includePublicKey = false): string {
  return signLicense(document, format, key, { includePublicKey }).licenseKey;
}

/** A different character of the same alphabet at `index`. */
function changeCharacterAt(text: string, index: number, alphabet: string): string {
  const replacement = alphabet[(alphabet.indexOf(text[index]) + 7) % alphabet.length];
  return text.slice(0, index) + replacement + text.slice(index + 1);
}

describe('verifyLicense', () => {
  const keys = {} as Record<SigningAlgorithm, SigningKey>;
  let strangerKey: SigningKey;

  beforeAll(async () => {
    for (const algorithm of ALGORITHMS) keys[algorithm] = await generateSigningKeyPair(algorithm);
    strangerKey = await generateSigningKeyPair('Ed25519');
  });

  describe.each(FORMATS)('format %s', (format) => {
    it.each(ALGORITHMS)('should accept a %s-signed license and return its content unchanged', (algorithm) => {
      const result = verifyLicense(sign(keys[algorithm], format), keys[algorithm].publicKeyPem, { now: NOW });
      expect(result).toEqual({
        valid: true,
        format: FORMAT_NAMES[format],
        algorithm,
        keyId: keys[algorithm].keyId,
        license: fullLicense(),
      });
    });

    it.each(ALGORITHMS)('should accept a minimal %s-signed license', (algorithm) => {
      const result = verifyLicense(
        sign(keys[algorithm], format, { licenseId: 'lic1', licensingMode: 0 }),
        keys[algorithm].publicKeyPem,
      );
      expect(result).toMatchObject({ valid: true, license: { licenseId: 'lic1', licensingMode: 0 } });
    });

    it('should refuse the license after any single character of it changes', () => {
      const licenseKey = sign(keys.Ed25519, format);
      const alphabet =
        format === LicenseFormat.Base32
          ? 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'
          : 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_+/=<>&;:". ';
      for (let index = 0; index < licenseKey.length; index++) {
        if (format === LicenseFormat.Base32 && licenseKey[index] === '-') continue;
        const result = verifyLicense(changeCharacterAt(licenseKey, index, alphabet), keys.Ed25519.publicKeyPem, {
          now: NOW,
        });
        if (result.valid) throw new Error(`a change at offset ${index} went unnoticed`);
      }
    });

    it('should refuse a license checked against another public key', () => {
      const result = verifyLicense(sign(keys.RSA, format), keys.ECDSA.publicKeyPem, { now: NOW });
      expect(result).toMatchObject({
        valid: false,
        reason: `signed with key ${keys.RSA.keyId}, public key is ${keys.ECDSA.keyId}`,
      });
      expect(result.license).toBeUndefined();
    });

    it('should never trust a public key embedded in the license', () => {
      const forged = sign(strangerKey, format, fullLicense(), true);
      expect(verifyLicense(forged, keys.Ed25519.publicKeyPem, { now: NOW })).toMatchObject({
        valid: false,
        reason: expect.stringContaining('signed with key'),
      });

      const genuine = sign(keys.Ed25519, format, fullLicense(), true);
      expect(verifyLicense(genuine, keys.Ed25519.publicKeyPem, { now: NOW }).valid).toBe(true);
    });

    it('should refuse an expired license but still show what it says', () => {
      const result = verifyLicense(sign(keys.ECDSA, format), keys.ECDSA.publicKeyPem, {
        now: new Date('2027-01-01T00:00:00Z'),
      });
      expect(result).toMatchObject({
        valid: false,
        reason: 'expired on 2027-01-01T00:00:00.000Z',
        license: { licenseId: 'lic0A1B2C3D' },
      });
    });

    it('should refuse a hardware-bound license on another machine and accept it on its own', () => {
      const licenseKey = sign(keys.Ed25519, format);
      expect(verifyLicense(licenseKey, keys.Ed25519.publicKeyPem, { now: NOW, machineId: 'MACHINE-2' })).toMatchObject({
        valid: false,
        reason: 'licensed for another machine, not for machine id MACHINE-2',
      });
      expect(verifyLicense(licenseKey, keys.Ed25519.publicKeyPem, { now: NOW, machineId: 'MACHINE-1' }).valid).toBe(
        true,
      );
    });
  });

  it('should accept a license without Hardware restriction on any machine', () => {
    const licenseKey = sign(keys.Ed25519, LicenseFormat.Ascii, fullLicense({ restrictions: [] }));
    expect(verifyLicense(licenseKey, keys.Ed25519.publicKeyPem, { now: NOW, machineId: 'ANY' }).valid).toBe(true);
  });

  it('should accept text that mail or an editor reflowed: CRLF line ends, wrapped lines, lower-case Base32 without dashes', () => {
    const { publicKeyPem } = keys.Ed25519;
    const xml = sign(keys.Ed25519, LicenseFormat.Xml);
    expect(verifyLicense(`\uFEFF${xml.replace(/\n/g, '\r\n')}\r\n`, publicKeyPem, { now: NOW }).valid).toBe(true);
    const ascii = sign(keys.Ed25519, LicenseFormat.Ascii);
    expect(verifyLicense(ascii.match(/.{1,64}/g)!.join('\n'), publicKeyPem, { now: NOW }).valid).toBe(true);
    const base32 = sign(keys.Ed25519, LicenseFormat.Base32);
    expect(
      verifyLicense(
        base32
          .replace(/-/g, '')
          .toLowerCase()
          .match(/.{1,40}/g)!
          .join('\n'),
        publicKeyPem,
        { now: NOW },
      ).valid,
    ).toBe(true);
  });

  describe('XML outside the subset the server writes', () => {
    const signedXml = (format: LicenseFormat) => sign(keys.RSA, format);

    it.each([LicenseFormat.Xml, LicenseFormat.XmlDsig])(
      'should refuse format %s with an injected second element',
      (format) => {
        const injected = signedXml(format).replace(
          '</ExpireDate>',
          '</ExpireDate><ExpireDate>2099-01-01T00:00:00Z</ExpireDate>',
        );
        expect(verifyLicense(injected, keys.RSA.publicKeyPem, { now: NOW }).valid).toBe(false);
      },
    );

    it.each([LicenseFormat.Xml, LicenseFormat.XmlDsig])(
      'should refuse format %s with a comment, even one C14N would drop',
      (format) => {
        const commented = signedXml(format).replace('lic0A1B', 'lic0A1B<!-- -->');
        expect(verifyLicense(commented, keys.RSA.publicKeyPem, { now: NOW })).toMatchObject({
          valid: false,
          reason: 'XML comments, CDATA sections, processing instructions and DTDs are not allowed in a license',
        });
      },
    );

    it.each([
      ['a DTD', (xml: string) => `<!DOCTYPE License [<!ENTITY e "x">]>${xml}`],
      ['a processing instruction', (xml: string) => xml.replace('<LicenseId>', '<?pi x?><LicenseId>')],
      ['a CDATA section', (xml: string) => xml.replace('Widget Studio', '<![CDATA[Widget Studio]]>')],
      ['an undefined entity', (xml: string) => xml.replace('Widget Studio', '&widget;')],
      ['a default namespace', (xml: string) => xml.replace('<License>', '<License xmlns="urn:x">')],
      ['whitespace between elements', (xml: string) => xml.replace('<LicenseId>', '\n  <LicenseId>')],
      ['a second root element', (xml: string) => `${xml}<License></License>`],
    ])('should refuse an XML-DSig license with %s', (_, alter) => {
      expect(verifyLicense(alter(signedXml(LicenseFormat.XmlDsig)), keys.RSA.publicKeyPem, { now: NOW }).valid).toBe(
        false,
      );
    });

    it('should refuse an XML-DSig signature with an extra transform', () => {
      const xml = signedXml(LicenseFormat.XmlDsig).replace(
        '</ds:Transforms>',
        '<ds:Transform Algorithm="http://www.w3.org/TR/1999/REC-xpath-19991116"></ds:Transform></ds:Transforms>',
      );
      expect(verifyLicense(xml, keys.RSA.publicKeyPem, { now: NOW }).reason).toContain(
        'unsupported XML-DSig signature',
      );
    });

    it('should accept the same infoset written with character references instead of literal text', () => {
      const xml = signedXml(LicenseFormat.XmlDsig).replace('Widget Studio', 'Widget&#x20;Studio');
      expect(verifyLicense(xml, keys.RSA.publicKeyPem, { now: NOW }).valid).toBe(true);
    });
  });

  it('should explain what it cannot read instead of throwing', () => {
    const { publicKeyPem } = keys.Ed25519;
    expect(verifyLicense('hello, world', publicKeyPem).reason).toBe(
      'not a license key: expected XML, an ASCII key starting with LIC1. or Base32 text',
    );
    expect(verifyLicense('', publicKeyPem).valid).toBe(false);
    expect(verifyLicense('<License></License>', publicKeyPem).reason).toBe(
      'malformed license: the XML carries no signature as its last element',
    );
    expect(verifyLicense('LIC1.EdDSA.0123456789abcdef.e30', publicKeyPem).valid).toBe(false);
    expect(verifyLicense('ABCDEFGH', publicKeyPem).valid).toBe(false);
    expect(verifyLicense(sign(keys.Ed25519, LicenseFormat.Ascii), 'not a key').reason).toBe(
      'the public key could not be read: expected a PEM public key',
    );
  });
});
