import { HttpStatus } from '@nestjs/common';
import { createHash, createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { ApiException } from '../../common/errors';
import { importPrivateKey, SigningKey } from './key-material';
import { LicenseDocument, LicenseFormat, normalizeLicenseDocument } from './license-document';
import { signLicense } from './license-formats';

/** Ed25519 signatures are deterministic, so a fixed key pins every byte of every format. */
function fixedEd25519Key(): SigningKey {
  const pkcs8 = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), Buffer.alloc(32, 7)]);
  const pem = createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' })
    .export({ type: 'pkcs8', format: 'pem' })
    .toString();
  return importPrivateKey(pem, 'Ed25519');
}

const SAMPLE: LicenseDocument = {
  licenseId: 'lic00000001',
  licensingMode: 0,
  expireDate: '2030-01-01T00:00:00Z',
  licensee: { name: 'A & B <C>' },
  restrictions: [{ name: 'Hardware', properties: { machineId: 'M1' } }],
};

function badRequest(action: () => unknown): string {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(ApiException);
    expect(error.getStatus()).toBe(HttpStatus.BAD_REQUEST);
    return error.message;
  }
  throw new Error('no error was thrown');
}

describe('signLicense', () => {
  const key = fixedEd25519Key();

  describe('wire formats (changing one of these breaks every verifier in the field)', () => {
    it('should write XML in canonical form with the signature element last', () => {
      expect(key.keyId).toBe('324be2dea8bc4446');
      expect(signLicense(SAMPLE, LicenseFormat.Xml, key, { includePublicKey: false }).licenseKey).toBe(
        '<License><LicenseId>lic00000001</LicenseId><LicensingMode>0</LicensingMode><ExpireDate>2030-01-01T00:00:00Z</ExpireDate>' +
          '<Licensee><Name>A &amp; B &lt;C&gt;</Name></Licensee><Restrictions><Restriction><Name>Hardware</Name><Properties>' +
          '<Property Name="machineId">M1</Property></Properties></Restriction></Restrictions>' +
          '<Signature Algorithm="EdDSA" KeyId="324be2dea8bc4446">5qh/KhRogCj2Q17/MUqK7wsOS4sZfLo6sB1E0C0fh6qlUIH8bWUmHr16j9UyQPUEtIK83IJwNV+I5DI4wqEZCg==</Signature></License>',
      );
    });

    it('should write ASCII as LIC1.<alg>.<keyId>.<payload>.<signature>', () => {
      expect(signLicense(SAMPLE, LicenseFormat.Ascii, key, { includePublicKey: false }).licenseKey).toBe(
        'LIC1.EdDSA.324be2dea8bc4446.eyJsaWNlbnNlSWQiOiJsaWMwMDAwMDAwMSIsImxpY2Vuc2luZ01vZGUiOjAsImV4cGlyZURhdGUiOiIyMDMwLTAxLTAxVDAwOjAwOjAwWiIs' +
          'ImxpY2Vuc2VlIjp7Im5hbWUiOiJBICYgQiA8Qz4ifSwicmVzdHJpY3Rpb25zIjpbeyJuYW1lIjoiSGFyZHdhcmUiLCJwcm9wZXJ0aWVzIjp7Im1hY2hpbmVJZCI6Ik0xIn19XX0' +
          '.SKd5C8Iq2te9Dtn5A8-rB9xsHCQWO_thKgi-ksO5TiHviS2-t_xNDimoJnOl4TFa_F5eXKS6haCJNdhYlZcqCA',
      );
    });

    it.each([
      [LicenseFormat.XmlDsig, 'cc742ef74d69fe6c097c6b00c764c6f4d8b2924692cfd9370a99260b6ab942e0'],
      [LicenseFormat.Base32, 'b25a6e62e42bb2b6384dd723a31fa7f08b1ab201e2b213b1b5e8cad17329b8cf'],
    ])('should write format %s byte for byte as before', (format, hash) => {
      expect(signLicense(SAMPLE, format, key, { includePublicKey: false }).hash).toBe(hash);
    });

    it('should group Base32 in blocks of five upper-case characters', () => {
      expect(signLicense(SAMPLE, LicenseFormat.Base32, key, { includePublicKey: true }).licenseKey).toMatch(
        /^([A-Z2-7]{5}-)+[A-Z2-7]{1,5}$/,
      );
    });
  });

  it('should return the key id and the SHA-256 of the license key', () => {
    const signed = signLicense(SAMPLE, LicenseFormat.Ascii, key, { includePublicKey: true });
    expect(signed.keyId).toBe(key.keyId);
    expect(signed.hash).toBe(createHash('sha256').update(signed.licenseKey).digest('hex'));
  });

  it('should sign only the members of the model, in model order, whatever else the caller passes', () => {
    const reordered = {
      restrictions: SAMPLE.restrictions,
      licensee: SAMPLE.licensee,
      expireDate: SAMPLE.expireDate,
      licensingMode: 0,
      licenseId: 'lic00000001',
    };
    const withExtras = {
      ...SAMPLE,
      userKey: null,
      product: undefined,
      passwordHash: 'secret',
    } as unknown as LicenseDocument;
    const expected = signLicense(SAMPLE, LicenseFormat.Ascii, key, { includePublicKey: false }).licenseKey;
    expect(
      signLicense(reordered as LicenseDocument, LicenseFormat.Ascii, key, { includePublicKey: false }).licenseKey,
    ).toBe(expected);
    expect(signLicense(withExtras, LicenseFormat.Ascii, key, { includePublicKey: false }).licenseKey).toBe(expected);
  });

  it('should sort restriction properties so equal documents sign alike', () => {
    // As a JSON request body would deliver it, "__proto__" included.
    const restriction = { name: 'Hardware', properties: JSON.parse('{"zeta":"1","alpha":"2","__proto__":"3"}') };
    expect(
      Object.keys(normalizeLicenseDocument({ ...SAMPLE, restrictions: [restriction] }).restrictions![0].properties!),
    ).toEqual(['__proto__', 'alpha', 'zeta']);
  });

  it.each([
    [{ licenseId: undefined }, 'license.licenseId is required'],
    [{ licensingMode: 3 }, 'license.licensingMode must be 0 (File), 1 (Activation) or 2 (Floating)'],
    [{ expireDate: '2030-01-01' }, 'license.expireDate must be an ISO-8601 UTC date such as 2025-01-31T00:00:00Z'],
    [{ maxAllowedSites: -1 }, 'license.maxAllowedSites must be a non-negative integer'],
    [
      { licensee: { name: 'bell\u0007' } },
      'license.licensee.name contains a control character or an unpaired surrogate',
    ],
    [{ features: [{ description: 'no name' }] }, 'license.features[0].name is required'],
    [
      { restrictions: [{ name: 'Hardware', properties: { machineId: 7 } }] },
      'license.restrictions[0].properties.machineId must be a string',
    ],
    [{ components: 'Core' }, 'license.components must be an array'],
  ])('should refuse %j with a 400', (override, message) => {
    const document = { ...SAMPLE, ...override } as unknown as LicenseDocument;
    expect(badRequest(() => signLicense(document, LicenseFormat.Xml, key, { includePublicKey: false }))).toBe(message);
  });

  it('should refuse an unknown format', () => {
    expect(badRequest(() => signLicense(SAMPLE, 4 as LicenseFormat, key, { includePublicKey: false }))).toContain(
      'Unknown license format 4',
    );
  });

  it('should refuse a license too large for the Base32 length field', () => {
    const document = { ...SAMPLE, product: { description: 'x'.repeat(70_000) } };
    expect(badRequest(() => signLicense(document, LicenseFormat.Base32, key, { includePublicKey: false }))).toContain(
      'too large for the Base32 format',
    );
  });

  it('should sign with RSA PKCS#1 v1.5 and raw r||s ECDSA', () => {
    const rsa = importPrivateKey(
      generateKeyPairSync('rsa', { modulusLength: 2048 })
        .privateKey.export({ type: 'pkcs8', format: 'pem' })
        .toString(),
      'RSA',
    );
    const ecdsa = importPrivateKey(
      generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      'ECDSA',
    );
    const signatureOf = (signingKey: SigningKey) =>
      signLicense(SAMPLE, LicenseFormat.Ascii, signingKey, { includePublicKey: false }).licenseKey.split('.')[4];
    // PKCS#1 v1.5 is deterministic: signing twice gives the same bytes, unlike PSS.
    expect(signatureOf(rsa)).toBe(signatureOf(rsa));
    expect(Buffer.from(signatureOf(rsa), 'base64url')).toHaveLength(256);
    expect(Buffer.from(signatureOf(ecdsa), 'base64url')).toHaveLength(64);
  });
});
