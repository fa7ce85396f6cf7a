import {
  LicenseFormat,
  LicensingMode,
  generateSigningKeyPair,
  normalizeLicenseDocument,
  signLicense,
} from '../signing';
import { verifyLicense } from '../../../verifier/src';
import { LicenseEntity } from './license.entity';
import { licenseDocumentOf, toLicenseDto } from './licenses.mapper';

function license(overrides: Partial<LicenseEntity> = {}): LicenseEntity {
  return Object.assign(new LicenseEntity(), {
    id: 7,
    licenseId: 'lic0000ABCD',
    licenseType: null,
    format: LicenseFormat.Ascii,
    description: null,
    createdAt: new Date('2030-01-01T00:00:00Z'),
    updatedAt: new Date('2030-01-01T00:00:00Z'),
    issueDate: new Date('2030-01-01T00:00:00Z'),
    expireDate: null,
    supportExpireDate: null,
    revoked: false,
    trace: false,
    licenseKey: 'k',
    maxAllowedSites: null,
    userKey: 'AAAAA-BBBBB',
    licensingMode: LicensingMode.File,
    licenseeName: 'Ada',
    licenseeCompany: null,
    licenseeEmail: null,
    hash: 'h',
    meta: 'server only',
    generateKeyInfo: false,
    templateId: 3,
    signatureKeysId: 4,
    signingKeyId: 'abc',
    customerId: 5,
    orderId: null,
    productId: null,
    product: null,
    licensee: { url: 'https://ada.test' },
    components: [],
    assemblies: [{ id: 9, name: 'App.dll', mappingFileId: 2 }],
    fields: [],
    features: [],
    restrictions: [],
    ...overrides,
  });
}

describe('licenses mapper', () => {
  it('writes only what the client needs into the document, leaving empty members and server bookkeeping out', () => {
    const document = licenseDocumentOf(license());
    expect(document).toEqual({
      licenseId: 'lic0000ABCD',
      userKey: 'AAAAA-BBBBB',
      licensingMode: 0,
      issueDate: '2030-01-01T00:00:00Z',
      licensee: { name: 'Ada', url: 'https://ada.test' },
      assemblies: [{ name: 'App.dll' }],
      licenseType: undefined,
      expireDate: undefined,
      supportExpireDate: undefined,
      maxAllowedSites: undefined,
      product: undefined,
      components: undefined,
      fields: undefined,
      features: undefined,
      restrictions: undefined,
    });
    expect(JSON.stringify(normalizeLicenseDocument(document))).not.toMatch(/server only|mappingFileId|"id":9/);
  });

  it('signs to a document the verifier reads back unchanged', async () => {
    const key = await generateSigningKeyPair('Ed25519');
    const entity = license({
      features: [{ name: 'Reports', expireDate: '2031-01-01T00:00:00Z' }],
      maxAllowedSites: 2,
      licensingMode: LicensingMode.Activation,
    });
    const signed = signLicense(licenseDocumentOf(entity), LicenseFormat.Xml, key, { includePublicKey: false });
    const result = verifyLicense(signed.licenseKey, key.publicKeyPem, { now: new Date('2030-06-01T00:00:00Z') });
    expect(result.valid).toBe(true);
    expect(result.license).toMatchObject({
      licenseId: 'lic0000ABCD',
      maxAllowedSites: 2,
      features: [{ name: 'Reports', expireDate: '2031-01-01T00:00:00Z' }],
    });
  });

  it('maps to the reference shape, with the licensee members and includes only when loaded', () => {
    const dto = toLicenseDto(license(), { product: { id: '1', name: 'Row name', url: 'u' } });
    expect(dto).toMatchObject({
      id: 7,
      licensee: { name: 'Ada', company: null, contactInfo: null, url: 'https://ada.test' },
      product: { id: '1', name: 'Row name', url: 'u', version: null },
    });
    expect(dto.assemblies).toEqual([
      {
        id: 9,
        name: 'App.dll',
        version: null,
        culture: null,
        publicKeyToken: null,
        mappingFileId: 2,
        debugSymbolsKey: null,
      },
    ]);
    expect('customer' in dto).toBe(false);
    expect(toLicenseDto(license(), { customer: null }).customer).toBeNull();
  });
});
