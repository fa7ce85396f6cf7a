import { HttpStatus } from '@nestjs/common';
import { createHash, createPublicKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import { ApiException, ErrorCode } from '../../common/errors';
import {
  decryptPrivateKey,
  encryptPrivateKey,
  generateSigningKeyPair,
  GeneratedKeyPair,
  importPrivateKey,
} from './key-material';

function badRequest(action: () => unknown): string {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(ApiException);
    expect(error.getStatus()).toBe(HttpStatus.BAD_REQUEST);
    expect(error.errorCode).toBe(ErrorCode.ValidationFailed);
    return error.message;
  }
  throw new Error('no error was thrown');
}

describe('key material', () => {
  let pairs: Record<'RSA' | 'ECDSA' | 'Ed25519', GeneratedKeyPair>;

  beforeAll(async () => {
    pairs = {
      RSA: await generateSigningKeyPair('RSA'),
      ECDSA: await generateSigningKeyPair('ECDSA'),
      Ed25519: await generateSigningKeyPair('Ed25519'),
    };
  });

  describe('generateSigningKeyPair', () => {
    it.each([
      ['RSA', 'rsa'],
      ['ECDSA', 'ec'],
      ['Ed25519', 'ed25519'],
    ] as const)('should make a %s key with a PKCS#8 private and an SPKI public PEM', (algorithm, nodeType) => {
      const pair = pairs[algorithm];
      expect(pair.algorithm).toBe(algorithm);
      expect(pair.privateKey.asymmetricKeyType).toBe(nodeType);
      expect(pair.privateKeyPem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
      expect(pair.publicKeyPem).toMatch(/^-----BEGIN PUBLIC KEY-----\n/);
    });

    it('should make RSA keys of 2048 bits and P-256 ECDSA keys by default', () => {
      expect(pairs.RSA.privateKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
      expect(pairs.ECDSA.privateKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    });

    it('should refuse RSA sizes other than 2048, 3072 and 4096 bits, and unknown types', async () => {
      await expect(generateSigningKeyPair('RSA', 1024)).rejects.toThrow(
        'RSA keys are generated with 2048, 3072, 4096 bits, not 1024',
      );
      await expect(generateSigningKeyPair('DSA')).rejects.toThrow('Unknown signature key type "DSA"');
    });
  });

  describe('key id', () => {
    it('should be the first 16 hex digits of SHA-256 over the SPKI DER', () => {
      for (const pair of Object.values(pairs)) {
        const spki = createPublicKey(pair.publicKeyPem).export({ type: 'spki', format: 'der' });
        expect(pair.keyId).toBe(createHash('sha256').update(spki).digest('hex').slice(0, 16));
      }
    });

    it('should stay the same whichever PEM encoding the private key is imported from', () => {
      const rsaPkcs1 = pairs.RSA.privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
      const ecSec1 = pairs.ECDSA.privateKey.export({ type: 'sec1', format: 'pem' }).toString();
      expect(importPrivateKey(pairs.RSA.privateKeyPem, 'RSA').keyId).toBe(pairs.RSA.keyId);
      expect(importPrivateKey(rsaPkcs1, 'RSA')).toMatchObject({
        keyId: pairs.RSA.keyId,
        publicKeyPem: pairs.RSA.publicKeyPem,
      });
      expect(importPrivateKey(ecSec1, 'ECDSA')).toMatchObject({
        keyId: pairs.ECDSA.keyId,
        publicKeyPem: pairs.ECDSA.publicKeyPem,
      });
      expect(importPrivateKey(pairs.Ed25519.privateKeyPem, 'Ed25519').keyId).toBe(pairs.Ed25519.keyId);
    });
  });

  describe('importPrivateKey', () => {
    it('should refuse an RSA key below 2048 bits', () => {
      const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
      const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
      expect(badRequest(() => importPrivateKey(pem, 'RSA'))).toBe(
        'RSA keys need at least 2048 bits; this one has 1024',
      );
    });

    it('should refuse a key of another type than declared', () => {
      expect(badRequest(() => importPrivateKey(pairs.Ed25519.privateKeyPem, 'RSA'))).toBe(
        'The key is declared as RSA but the PEM holds a key of type Ed25519',
      );
      expect(badRequest(() => importPrivateKey(pairs.RSA.privateKeyPem, 'ECDSA'))).toBe(
        'The key is declared as ECDSA but the PEM holds a key of type RSA',
      );
    });

    it('should refuse ECDSA keys on curves other than P-256', () => {
      const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-384' });
      const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
      expect(badRequest(() => importPrivateKey(pem, 'ECDSA'))).toBe(
        'The key is declared as ECDSA but the PEM holds a key of type ECDSA on curve secp384r1',
      );
    });

    it('should refuse passphrase-protected keys, public keys and other text', () => {
      const protectedPem = pairs.Ed25519.privateKey
        .export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'secret' })
        .toString();
      const protectedPkcs1 = pairs.RSA.privateKey
        .export({ type: 'pkcs1', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'secret' })
        .toString();
      expect(badRequest(() => importPrivateKey(protectedPem, 'Ed25519'))).toContain('protected by a passphrase');
      expect(badRequest(() => importPrivateKey(protectedPkcs1, 'RSA'))).toContain('protected by a passphrase');
      expect(badRequest(() => importPrivateKey(pairs.Ed25519.publicKeyPem, 'Ed25519'))).toBe(
        'The key is not a PEM private key (PKCS#8, PKCS#1 or SEC1)',
      );
      expect(badRequest(() => importPrivateKey('hello', 'Ed25519'))).toBe(
        'The key is not a PEM private key (PKCS#8, PKCS#1 or SEC1)',
      );
    });

    it('should refuse an unknown declared type', () => {
      expect(badRequest(() => importPrivateKey(pairs.RSA.privateKeyPem, 'rsa'))).toBe(
        'Unknown signature key type "rsa"; expected one of RSA, ECDSA, Ed25519',
      );
    });
  });

  describe('encryption at rest', () => {
    const masterKey = randomBytes(32);

    it('should give back the PEM it encrypted, in the v1 format, under a fresh IV each time', () => {
      const encrypted = encryptPrivateKey(pairs.RSA.privateKeyPem, masterKey);
      expect(encrypted).toMatch(/^v1:[A-Za-z0-9+/]{16}:[A-Za-z0-9+/]{22}==:[A-Za-z0-9+/=]+$/);
      expect(encrypted).not.toContain('PRIVATE KEY');
      expect(encryptPrivateKey(pairs.RSA.privateKeyPem, masterKey)).not.toBe(encrypted);
      expect(decryptPrivateKey(encrypted, masterKey)).toBe(pairs.RSA.privateKeyPem);
    });

    it('should say so when the master key is not the one used to encrypt', () => {
      const encrypted = encryptPrivateKey(pairs.Ed25519.privateKeyPem, masterKey);
      expect(() => decryptPrivateKey(encrypted, randomBytes(32))).toThrow(
        'the signing master key is not the one it was encrypted with',
      );
    });

    it('should refuse an altered value', () => {
      const [version, iv, tag, ciphertext] = encryptPrivateKey(pairs.Ed25519.privateKeyPem, masterKey).split(':');
      const altered = Buffer.from(ciphertext, 'base64');
      altered[0] ^= 1;
      expect(() => decryptPrivateKey([version, iv, tag, altered.toString('base64')].join(':'), masterKey)).toThrow(
        'or the value was altered',
      );
      expect(() => decryptPrivateKey(`v2:${iv}:${tag}:${ciphertext}`, masterKey)).toThrow(
        'not in the v1:<iv>:<tag>:<ciphertext> format',
      );
      expect(() => decryptPrivateKey(pairs.Ed25519.privateKeyPem, masterKey)).toThrow(
        'not in the v1:<iv>:<tag>:<ciphertext> format',
      );
    });

    it('should refuse a master key that is not 32 bytes', () => {
      expect(() => encryptPrivateKey(pairs.Ed25519.privateKeyPem, randomBytes(16))).toThrow(
        'The signing master key must be 32 bytes, got 16',
      );
    });
  });
});
