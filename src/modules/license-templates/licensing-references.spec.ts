import type { SigningKeysService } from '../resources/signing-keys.service';
import { LicensingReferences, NewLicenseReferenceIds, NewLicenseReferences } from './licensing-references';
import type { LicensingReferencesRepository } from './licensing-references.repository';

const IDS: NewLicenseReferenceIds = {
  templateId: 7,
  orderId: null,
  customerId: 3,
  productId: null,
  signatureKeysId: null,
};

function answer(): NewLicenseReferences {
  return {
    template: { id: 7, fields: [{ name: 'Edition', value: 'Pro' }] } as unknown as NewLicenseReferences['template'],
    order: null,
    customer: { id: 3, firstName: 'Ada', lastName: null, company: 'Acme', email: null },
    product: null,
    signatureKey: { id: 1, type: 'Ed25519', keyId: 'k1' },
  };
}

/** A repository whose lookups wait until the test answers them, counting how many ran. */
function pendingRepository() {
  const lookups: Array<(row: NewLicenseReferences) => void> = [];
  const repository = {
    forNewLicense: () => new Promise<NewLicenseReferences>((resolve) => lookups.push(resolve)),
  } as unknown as LicensingReferencesRepository;
  return { repository, lookups };
}

describe('LicensingReferences.forNewLicense', () => {
  it('runs one lookup for licenses generated together and hands each the same frozen answer', async () => {
    const { repository, lookups } = pendingRepository();
    const references = new LicensingReferences(repository, {} as SigningKeysService);
    const first = references.forNewLicense(IDS);
    const second = references.forNewLicense({ ...IDS });
    expect(lookups).toHaveLength(1);
    lookups[0](answer());
    const [a, b] = await Promise.all([first, second]);
    expect(a).toBe(b);
    expect(a.customer?.company).toBe('Acme');
    // Shared, so no caller may change what the other reads.
    expect(() => {
      (a.customer as { company: string | null }).company = 'Other';
    }).toThrow(TypeError);
    expect(() => (a.template!.fields as unknown[]).push({ name: 'x' })).toThrow(TypeError);
    expect(b.customer?.company).toBe('Acme');
  });

  it('looks up again once the shared lookup has answered, and apart for other references', async () => {
    const { repository, lookups } = pendingRepository();
    const references = new LicensingReferences(repository, {} as SigningKeysService);
    const first = references.forNewLicense(IDS);
    const other = references.forNewLicense({ ...IDS, customerId: 4 });
    expect(lookups).toHaveLength(2);
    lookups[0](answer());
    lookups[1]({ ...answer(), customer: { id: 4, firstName: null, lastName: null, company: 'Beta', email: null } });
    expect((await other).customer?.company).toBe('Beta');
    await first;
    const later = references.forNewLicense(IDS);
    expect(lookups).toHaveLength(3);
    lookups[2](answer());
    expect(await later).not.toBe(await first);
  });
});
