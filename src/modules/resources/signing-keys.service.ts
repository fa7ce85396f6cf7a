import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { ApiException, ErrorCode } from '../../common/errors';
import { APP_CONFIG, AppConfig } from '../../config';
import {
  SIGNING_ALGORITHMS,
  SigningAlgorithm,
  SigningKey,
  decryptPrivateKey,
  encryptPrivateKey,
  generateSigningKeyPair,
  importPrivateKey,
} from '../signing';
import { ResourceEntity } from './resource.entity';
import { ResourcesRepository } from './resources.repository';

export interface PublicKeyDescription {
  keyId: string;
  algorithm: SigningAlgorithm;
  publicKeyPem: string;
}

export interface KeyMaterial {
  key: SigningKey;
  /** What goes into resources.private_key_encrypted. */
  privateKeyEncrypted: string;
}

/** Stored keys tried at start: a wrong master key fails them all, so a few newest ones tell. */
const MASTER_KEY_SAMPLE = 20;

const PUBLIC_ONLY_PEM = /-----BEGIN (?:RSA |EC )?PUBLIC KEY-----|-----BEGIN CERTIFICATE-----/;
const PRIVATE_PEM = /-----BEGIN [A-Z ]*PRIVATE KEY-----/;

/** The canonical signing algorithm a Resource `type` names (case-insensitive), or undefined for other resources. */
export function signingAlgorithmOf(type: string | null | undefined): SigningAlgorithm | undefined {
  const wanted = type?.trim().toLowerCase();
  return SIGNING_ALGORITHMS.find((algorithm) => algorithm.toLowerCase() === wanted);
}

/**
 * Signature keys stored as Resources: makes their key material (generated or imported, encrypted
 * with the master key) and hands the private key to whoever signs. A key is decrypted and parsed
 * once per process; the cache entry is checked against the stored key id on every load, so a key
 * replaced through another instance is picked up too.
 */
@Injectable()
export class SigningKeysService implements OnApplicationBootstrap {
  private readonly cache = new Map<number, SigningKey>();
  private readonly logger = new Logger('Secrets');

  constructor(
    private readonly resources: ResourcesRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * A master key that decrypts none of the stored private keys (a secrets.json lost and made anew, another
   * SIGNING_MASTER_KEY) leaves every stored signature key unusable: said at start, before the first license fails.
   */
  async onApplicationBootstrap(): Promise<void> {
    const warning = await this.masterKeyProblem();
    if (warning) this.logger.warn(warning);
  }

  /** What is wrong with the configured master key for the keys the database holds, or undefined. */
  async masterKeyProblem(): Promise<string | undefined> {
    const { total, encrypted } = await this.resources.sampleEncryptedKeys(MASTER_KEY_SAMPLE);
    const undecryptable = encrypted.filter((text) => {
      try {
        decryptPrivateKey(text, this.config.signingMasterKey);
        return false;
      } catch {
        return true;
      }
    }).length;
    if (undecryptable === 0) return undefined;
    const { secrets } = this.config;
    const source = secrets.masterKeyFromEnvironment ? 'SIGNING_MASTER_KEY' : `the master key of ${secrets.file}`;
    const what = `${undecryptable} of the ${encrypted.length} newest of ${total} stored private signing keys`;
    if (secrets.created && !secrets.masterKeyFromEnvironment)
      return `${secrets.file} was created at this start, but the database holds private signing keys encrypted under another master key (${what} do not decrypt): licenses cannot be signed with them. Stop the service and put back the secrets.json that was in use (README, Backups); a new one cannot decrypt them`;
    return `${source} does not decrypt ${what}: licenses cannot be signed with them. Configure the master key they were encrypted with (README, Backups)`;
  }

  /** A new key pair of `algorithm`; RSA with `rsaModulusBits` (2048 by default). */
  async generate(algorithm: SigningAlgorithm, rsaModulusBits?: number): Promise<KeyMaterial> {
    const generated = await generateSigningKeyPair(algorithm, rsaModulusBits);
    return {
      key: generated,
      privateKeyEncrypted: encryptPrivateKey(generated.privateKeyPem, this.config.signingMasterKey),
    };
  }

  /** Imports a PEM private key declared as `algorithm`; a public key or certificate alone is refused. */
  importPem(pem: string, algorithm: SigningAlgorithm, field = 'resource.data'): KeyMaterial {
    if (PUBLIC_ONLY_PEM.test(pem) && !PRIVATE_PEM.test(pem)) {
      throw ApiException.badRequest(
        `${field} holds only a public key or certificate; a signing key needs the private key: send the PEM private key, or omit ${field} to have a key pair generated`,
      );
    }
    let key: SigningKey;
    try {
      key = importPrivateKey(pem, algorithm);
    } catch (error) {
      if (error instanceof ApiException) throw ApiException.badRequest(`${field}: ${error.message}`);
      throw error;
    }
    const pkcs8 = key.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    return { key, privateKeyEncrypted: encryptPrivateKey(pkcs8, this.config.signingMasterKey) };
  }

  /**
   * The private key of signature-key resource `resourceId`, ready to sign. 400 (InvalidReference,
   * naming `field`) when the resource does not exist or is not a signature key.
   */
  async loadSigningKey(resourceId: number, field = 'signatureKeysId'): Promise<SigningKey> {
    const resource = await this.resources.findSigningKey(resourceId);
    const { algorithm, keyId } = this.assertSigningKey(resource, resourceId, field);
    const cached = this.cache.get(resourceId);
    if (cached && cached.keyId === keyId) return cached;
    const key = importPrivateKey(
      decryptPrivateKey(resource!.privateKeyEncrypted!, this.config.signingMasterKey),
      algorithm,
    );
    if (key.keyId !== keyId)
      throw new Error(`Resource ${resourceId}: the stored private key does not match its key id ${keyId}`);
    this.cache.set(resourceId, key);
    return key;
  }

  /** What a verifier needs: the public key and the key id licenses name. */
  async describePublicKey(resourceId: number, field = 'signatureKeysId'): Promise<PublicKeyDescription> {
    const resource = await this.resources.findPublicKey(resourceId);
    const { algorithm, keyId } = this.assertSigningKey(resource, resourceId, field);
    return { keyId, algorithm, publicKeyPem: resource!.data! };
  }

  /** Called whenever a signature key resource changes or goes. */
  invalidate(resourceId: number): void {
    this.cache.delete(resourceId);
  }

  private assertSigningKey(
    resource: Pick<ResourceEntity, 'type' | 'keyId'> | null,
    resourceId: number,
    field: string,
  ): { algorithm: SigningAlgorithm; keyId: string } {
    if (!resource)
      throw ApiException.badRequest(`${field}: resource ${resourceId} does not exist`, ErrorCode.InvalidReference);
    const algorithm = signingAlgorithmOf(resource.type);
    if (!algorithm || !resource.keyId) {
      throw ApiException.badRequest(
        `${field}: resource ${resourceId} (type ${resource.type ?? 'none'}) is not a signature key; use a resource of type ${SIGNING_ALGORITHMS.join(', ')}`,
        ErrorCode.InvalidReference,
      );
    }
    return { algorithm, keyId: resource.keyId };
  }
}
