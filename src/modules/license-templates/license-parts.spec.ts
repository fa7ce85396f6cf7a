import { ApiException } from '../../common/errors';
import { EMPTY_PARTS, isoUtc, mergeParts, normalizeParts } from './license-parts';

function errorOf(action: () => unknown): ApiException {
  try {
    action();
  } catch (error) {
    if (error instanceof ApiException) return error;
    throw error;
  }
  throw new Error('expected an ApiException');
}

describe('license parts', () => {
  describe('normalizeParts', () => {
    it('drops null members, trims names, writes dates in UTC and defaults field values to ""', () => {
      const parts = normalizeParts(
        {
          product: { id: ' 12 ', name: 'Suite', version: null, url: undefined },
          components: [' core '],
          assemblies: [{ name: ' App.dll ', version: '1.0', mappingFileId: null }],
          fields: [{ name: 'Edition', value: null }],
          features: [{ name: ' Reports ', id: null, expireDate: '2030-01-31T10:00:00+02:00' }],
          restrictions: [{ name: 'Hardware', properties: { machineId: 'M-1' }, expireDate: null }],
        },
        'license',
      );
      expect(parts).toEqual({
        product: { id: '12', name: 'Suite' },
        components: ['core'],
        assemblies: [{ name: 'App.dll', version: '1.0' }],
        fields: [{ name: 'Edition', value: '' }],
        features: [{ name: 'Reports', expireDate: '2030-01-31T08:00:00Z' }],
        restrictions: [{ name: 'Hardware', properties: { machineId: 'M-1' } }],
      });
    });

    it('answers 400 naming the member for missing names, duplicates and non-string properties', () => {
      expect(errorOf(() => normalizeParts({ features: [{ name: ' ' }] }, 'license')).message).toBe(
        'license.features[0].name is required',
      );
      expect(
        errorOf(() => normalizeParts({ fields: [{ name: 'a' }, { name: 'a' }] }, 'licenseTemplate')).message,
      ).toMatch(/^licenseTemplate\.fields has two entries with the name "a"/);
      expect(
        errorOf(() =>
          normalizeParts(
            {
              features: [
                { id: 'x', name: 'a' },
                { id: 'x', name: 'b' },
              ],
            },
            'license',
          ),
        ).message,
      ).toMatch(/the id "x"/);
      expect(
        errorOf(() =>
          normalizeParts({ restrictions: [{ name: 'r', properties: { n: 3 as unknown as string } }] }, 'license'),
        ).message,
      ).toBe('license.restrictions[0].properties.n must be a string');
      expect(
        errorOf(() => normalizeParts({ features: [{ name: 'a', expireDate: 'soon' }] }, 'license')).message,
      ).toMatch(/features\[0\]\.expireDate/);
    });
  });

  describe('mergeParts', () => {
    const template = normalizeParts(
      {
        product: { id: 'P', name: 'Suite', version: '1.0' },
        components: ['core', 'ui'],
        assemblies: [{ name: 'App.dll', version: '1.0', culture: 'neutral' }],
        fields: [
          { name: 'Edition', value: 'Pro' },
          { name: 'Seats', value: '5' },
        ],
        features: [
          { id: 'f1', name: 'Reports', data: 't' },
          { name: 'Export', description: 'CSV' },
        ],
        restrictions: [{ name: 'Hardware', properties: { machineId: 'A', cpu: 'x64' } }],
      },
      't',
    );

    it('lets the request win member by member and keeps the template order, appending new entries', () => {
      const own = normalizeParts(
        {
          product: { version: '1.1' },
          components: ['ui', 'addon'],
          assemblies: [{ name: 'App.dll', version: '1.1' }],
          fields: [
            { name: 'Seats', value: '10' },
            { name: 'Region', value: 'EU' },
          ],
          features: [{ id: 'f1', name: 'Reports v2' }, { name: 'Export', data: 'x' }, { name: 'Sync' }],
          restrictions: [{ name: 'Hardware', properties: { machineId: 'B' } }, { name: 'Domain' }],
        },
        'license',
      );
      expect(mergeParts(template, own)).toEqual({
        product: { id: 'P', name: 'Suite', version: '1.1' },
        components: ['core', 'ui', 'addon'],
        assemblies: [{ name: 'App.dll', version: '1.1', culture: 'neutral' }],
        fields: [
          { name: 'Edition', value: 'Pro' },
          { name: 'Seats', value: '10' },
          { name: 'Region', value: 'EU' },
        ],
        features: [
          { id: 'f1', name: 'Reports v2', data: 't' },
          { name: 'Export', description: 'CSV', data: 'x' },
          { name: 'Sync' },
        ],
        restrictions: [{ name: 'Hardware', properties: { machineId: 'B', cpu: 'x64' } }, { name: 'Domain' }],
      });
    });

    it('matches features by name when either side has no id, and never changes its inputs', () => {
      const own = normalizeParts({ features: [{ name: 'Reports', key: 'k' }] }, 'license');
      const before = JSON.stringify(template);
      expect(mergeParts(template, own).features[0]).toEqual({ id: 'f1', name: 'Reports', data: 't', key: 'k' });
      expect(JSON.stringify(template)).toBe(before);
      expect(mergeParts(EMPTY_PARTS, EMPTY_PARTS)).toEqual(EMPTY_PARTS);
    });
  });

  it('isoUtc drops zero milliseconds only', () => {
    expect(isoUtc(new Date('2030-01-01T00:00:00Z'))).toBe('2030-01-01T00:00:00Z');
    expect(isoUtc(new Date('2030-01-01T00:00:00.250Z'))).toBe('2030-01-01T00:00:00.250Z');
  });
});
