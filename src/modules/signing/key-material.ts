import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPair,
  KeyObject,
  randomBytes,
} from 'node:crypto';
import { promisify } from 'node:util';
import { ApiException } from '../../common/errors';

export const SIGNING_ALGORITHMS = ['RSA', 'ECDSA', 'Ed25519'] as const;
export type SigningAlgorithm = (typeof SIGNING_ALGORITHMS)[number];

export const RSA_MODULUS_SIZES = [2048, 3072, 4096] as const;
const MIN_RSA_MODULUS_BITS = 2048;
const PASSPHRASE_PROTECTED_PEM = /-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type: 4,ENCRYPTED/;

/** A private key ready to sign with; keep it rather than re-reading the PEM for every license. */
export interface SigningKey {
  algorithm: SigningAlgorithm;
  /** First 16 hex characters of SHA-256 over the SPKI DER of the public key. */
  keyId: string;
  /** SPKI PEM. */
  publicKeyPem: string;
  privateKey: KeyObject;
}

export interface GeneratedKeyPair extends SigningKey {
  /** PKCS#8 PEM, to be stored only through encryptPrivateKey. */
  privateKeyPem: string;
}

const generateKeyPairAsync = promisify(generateKeyPair);

function keyIdOf(publicKey: KeyObject): string {
  return createHash('sha256')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest('hex')
    .slice(0, 16);
}

function toSigningKey(algorithm: SigningAlgorithm, privateKey: KeyObject): SigningKey {
  const publicKey = createPublicKey(privateKey);
  return {
    algorithm,
    keyId: keyIdOf(publicKey),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    privateKey,
  };
}

function assertSigningAlgorithm(value: string): asserts value is SigningAlgorithm {
  if (!(SIGNING_ALGORITHMS as readonly string[]).includes(value)) {
    throw ApiException.badRequest(
      `Unknown signature key type "${value}"; expected one of ${SIGNING_ALGORITHMS.join(', ')}`,
    );
  }
}

/** Generation runs off the event loop: an RSA-4096 key takes seconds. */
export async function generateSigningKeyPair(
  algorithm: string,
  rsaModulusBits: number = MIN_RSA_MODULUS_BITS,
): Promise<GeneratedKeyPair> {
  assertSigningAlgorithm(algorithm);
  let privateKey: KeyObject;
  if (algorithm === 'RSA') {
    if (!(RSA_MODULUS_SIZES as readonly number[]).includes(rsaModulusBits)) {
      throw ApiException.badRequest(
        `RSA keys are generated with ${RSA_MODULUS_SIZES.join(', ')} bits, not ${rsaModulusBits}`,
      );
    }
    ({ privateKey } = await generateKeyPairAsync('rsa', { modulusLength: rsaModulusBits }));
  } else if (algorithm === 'ECDSA') {
    ({ privateKey } = await generateKeyPairAsync('ec', { namedCurve: 'P-256' }));
  } else {
    ({ privateKey } = await generateKeyPairAsync('ed25519'));
  }
  return {
    ...toSigningKey(algorithm, privateKey),
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
}

/** The key's type in SigningAlgorithm terms, or a description of what it is when no algorithm fits. */
function keyTypeOf(privateKey: KeyObject): string {
  switch (privateKey.asymmetricKeyType) {
    case 'rsa':
      return 'RSA';
    case 'ec':
      return privateKey.asymmetricKeyDetails?.namedCurve === 'prime256v1'
        ? 'ECDSA'
        : `ECDSA on curve ${privateKey.asymmetricKeyDetails?.namedCurve}`;
    case 'ed25519':
      return 'Ed25519';
    case 'rsa-pss':
      // An RSA-PSS-restricted key cannot make the PKCS#1 v1.5 signatures every format uses.
      return 'RSA-PSS';
    default:
      return String(privateKey.asymmetricKeyType);
  }
}

/**
 * Parses a PEM private key (PKCS#8, PKCS#1 RSA or SEC1 EC) declared as `declaredAlgorithm`
 * (a Resource's `type`). Anything that cannot sign as declared is a 400: wrong type, an EC curve other
 * than P-256, RSA below 2048 bits, a passphrase-protected PEM, a public key.
 */
export function importPrivateKey(pem: string, declaredAlgorithm: string): SigningKey {
  assertSigningAlgorithm(declaredAlgorithm);
  // Recognised by its PEM headers: OpenSSL's error for a missing passphrase differs between versions.
  if (PASSPHRASE_PROTECTED_PEM.test(pem)) {
    throw ApiException.badRequest(
      'The private key is protected by a passphrase; upload it unprotected, the server encrypts it at rest',
    );
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: pem, format: 'pem' });
  } catch {
    throw ApiException.badRequest('The key is not a PEM private key (PKCS#8, PKCS#1 or SEC1)');
  }
  const actualType = keyTypeOf(privateKey);
  if (actualType !== declaredAlgorithm) {
    throw ApiException.badRequest(
      `The key is declared as ${declaredAlgorithm} but the PEM holds a key of type ${actualType}`,
    );
  }
  const modulusLength = privateKey.asymmetricKeyDetails?.modulusLength ?? 0;
  if (declaredAlgorithm === 'RSA' && modulusLength < MIN_RSA_MODULUS_BITS) {
    throw ApiException.badRequest(`RSA keys need at least ${MIN_RSA_MODULUS_BITS} bits; this one has ${modulusLength}`);
  }
  return toSigningKey(declaredAlgorithm, privateKey);
}

const ENCRYPTED_KEY_VERSION = 'v1';
const GCM_IV_BYTES = 12;
const GCM_TAG_BYTES = 16;

/** Master keys come from configuration; a wrong length is a deployment error, not a caller's. */
export function assertMasterKey(masterKey: Buffer): void {
  if (masterKey.length !== 32) throw new Error(`The signing master key must be 32 bytes, got ${masterKey.length}`);
}

/** `v1:<base64 iv>:<base64 tag>:<base64 ciphertext>`, AES-256-GCM under the master key. */
export function encryptPrivateKey(privateKeyPem: string, masterKey: Buffer): string {
  assertMasterKey(masterKey);
  const iv = randomBytes(GCM_IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', masterKey, iv);
  const ciphertext = Buffer.concat([cipher.update(privateKeyPem, 'utf8'), cipher.final()]);
  return [
    ENCRYPTED_KEY_VERSION,
    iv.toString('base64'),
    cipher.getAuthTag().toString('base64'),
    ciphertext.toString('base64'),
  ].join(':');
}

export function decryptPrivateKey(encrypted: string, masterKey: Buffer): string {
  assertMasterKey(masterKey);
  const [version, ivText, tagText, ciphertextText, ...rest] = encrypted.split(':');
  if (version !== ENCRYPTED_KEY_VERSION || ciphertextText === undefined || rest.length > 0) {
    throw new Error(`The stored private key is not in the ${ENCRYPTED_KEY_VERSION}:<iv>:<tag>:<ciphertext> format`);
  }
  const iv = Buffer.from(ivText, 'base64');
  const tag = Buffer.from(tagText, 'base64');
  if (iv.length !== GCM_IV_BYTES || tag.length !== GCM_TAG_BYTES) {
    throw new Error('The stored private key has a malformed IV or authentication tag');
  }
  const decipher = createDecipheriv('aes-256-gcm', masterKey, iv, { authTagLength: GCM_TAG_BYTES });
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(Buffer.from(ciphertextText, 'base64')), decipher.final()]).toString('utf8');
  } catch {
    throw new Error(
      'Cannot decrypt the stored private key: the signing master key is not the one it was encrypted with, or the value was altered',
    );
  }
}
