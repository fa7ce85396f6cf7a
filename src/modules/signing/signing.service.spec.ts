import { randomBytes } from 'node:crypto';
import { LicenseFormat } from './license-document';
import { SigningService } from './signing.service';

describe('SigningService', () => {
  const service = new SigningService(randomBytes(32));

  it('should refuse a master key that is not 32 bytes', () => {
    expect(() => new SigningService(randomBytes(31))).toThrow('The signing master key must be 32 bytes, got 31');
  });

  it('should take a generated key through encryption at rest and sign with it', async () => {
    const generated = await service.generateKeyPair('ECDSA');
    const stored = service.encryptPrivateKey(generated.privateKeyPem);
    const key = service.importPrivateKey(service.decryptPrivateKey(stored), 'ECDSA');
    expect(key.keyId).toBe(generated.keyId);

    const signed = service.signLicense({ licenseId: 'lic1', licensingMode: 0 }, LicenseFormat.XmlDsig, key, true);
    expect(signed.keyId).toBe(generated.keyId);
    expect(signed.licenseKey).toContain('<dsig11:DEREncodedKeyValue');
  });

  it('should not decrypt what another master key encrypted', () => {
    const stored = new SigningService(randomBytes(32)).encryptPrivateKey('-----BEGIN PRIVATE KEY-----');
    expect(() => service.decryptPrivateKey(stored)).toThrow(
      'the signing master key is not the one it was encrypted with',
    );
  });
});
