import { API_KEY_PATTERN, hashApiKey } from './api-key-hash';

describe('hashApiKey', () => {
  it('is SHA-256 in lower-case hex (FIPS 180-2 vector, and a key-shaped one from sha256sum)', () => {
    expect(hashApiKey('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(hashApiKey('api_0123456789abcdefghijklmn')).toBe(
      '75bb8693edbef8925ff5200983f561dd25ca3e6d195495b6f68bea3157252efe',
    );
  });

  it('never answers the key or a part of it', () => {
    const key = 'api_0123456789abcdefghijklmn';
    expect(key).toMatch(API_KEY_PATTERN);
    expect(hashApiKey(key)).not.toContain(key.slice(4));
  });
});
