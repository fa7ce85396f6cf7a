import { Injectable } from '@nestjs/common';
import {
  assertMasterKey,
  decryptPrivateKey,
  encryptPrivateKey,
  GeneratedKeyPair,
  generateSigningKeyPair,
  importPrivateKey,
  SigningKey,
} from './key-material';
import { LicenseDocument, LicenseFormat } from './license-document';
import { signLicense, SignedLicense } from './license-formats';

/**
 * Key handling and license signing, without storage: callers keep the encrypted private key in a
 * Resource and should cache the SigningKey from importPrivateKey instead of decrypting and parsing
 * it for every license. Provided with a factory that passes the configured master key, e.g.
 * `{ provide: SigningService, inject: [APP_CONFIG], useFactory: (config) => new SigningService(config.signingMasterKey) }`.
 */
@Injectable()
export class SigningService {
  constructor(private readonly masterKey: Buffer) {
    assertMasterKey(masterKey);
  }

  generateKeyPair(algorithm: string, rsaModulusBits?: number): Promise<GeneratedKeyPair> {
    return generateSigningKeyPair(algorithm, rsaModulusBits);
  }

  importPrivateKey(pem: string, declaredAlgorithm: string): SigningKey {
    return importPrivateKey(pem, declaredAlgorithm);
  }

  encryptPrivateKey(privateKeyPem: string): string {
    return encryptPrivateKey(privateKeyPem, this.masterKey);
  }

  decryptPrivateKey(encrypted: string): string {
    return decryptPrivateKey(encrypted, this.masterKey);
  }

  signLicense(
    document: LicenseDocument,
    format: LicenseFormat,
    key: SigningKey,
    includePublicKey: boolean,
  ): SignedLicense {
    return signLicense(document, format, key, { includePublicKey });
  }
}
