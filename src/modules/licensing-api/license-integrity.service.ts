import { Injectable, Logger } from '@nestjs/common';
import { hash } from 'node:crypto';
import { verifyLicense } from '../../../verifier/src';
import { SigningKeysService } from '../resources/signing-keys.service';
import { LicensingErrors } from './licensing-errors';

/** What an integrity check needs of a stored license. */
export interface StoredLicenseKey {
  licenseId: string;
  licenseKey: string;
  hash: string;
  signatureKeysId: number;
  signingKeyId: string;
}

/** Signature checks remembered per process; beyond this many the oldest are forgotten. */
const MAX_REMEMBERED = 20_000;

/**
 * Refuses (409 LicenseTampered) a stored license whose text no longer matches its SHA-256 hash, or
 * whose signature does not verify with the public key of its signature key: someone changed the
 * row behind the server's back. The signature check is the shipped verifier itself, run once per
 * license version: the key id is the hash of the public key, so a (key id, license hash) pair that
 * verified once always verifies. When the signature key was replaced after the license was signed
 * (rotation), the old public key is gone and only the hash can be checked.
 */
@Injectable()
export class LicenseIntegrityService {
  private readonly verified = new Set<string>();
  private readonly logger = new Logger('LicenseIntegrity');

  constructor(private readonly signingKeys: SigningKeysService) {}

  /**
   * Throws at once for a hash that does not match; undefined when the signature is known to verify (every call but a
   * license version's first), else the promise of the signature check: the client API's calls await only that.
   */
  assertIntact(license: StoredLicenseKey): Promise<void> | undefined {
    const actualHash = hash('sha256', license.licenseKey, 'hex');
    if (actualHash !== license.hash.trim().toLowerCase()) throw LicensingErrors.tampered(license.licenseId);
    const remembered = `${license.signingKeyId}:${actualHash}`;
    return this.verified.has(remembered) ? undefined : this.verifySignature(license, remembered);
  }

  private async verifySignature(license: StoredLicenseKey, remembered: string): Promise<void> {
    const publicKey = await this.signingKeys.describePublicKey(license.signatureKeysId).catch(() => null);
    if (!publicKey) throw LicensingErrors.tampered(license.licenseId);
    if (publicKey.keyId !== license.signingKeyId) {
      this.logger.debug(
        `License ${license.licenseId} was signed with key ${license.signingKeyId}, since replaced by ${publicKey.keyId}: hash checked only`,
      );
      return;
    }
    // `license` is present whenever the signature is good, even for an expired license.
    if (!verifyLicense(license.licenseKey, publicKey.publicKeyPem).license)
      throw LicensingErrors.tampered(license.licenseId);
    if (this.verified.size >= MAX_REMEMBERED) this.verified.delete(this.verified.values().next().value!);
    this.verified.add(remembered);
  }
}
