import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { generateKey } from '../../common/key-format';
import { RestrictionPart } from '../license-templates/license-parts';
import { LicenseEntity } from '../licenses/license.entity';
import { licenseDocumentOf } from '../licenses/licenses.mapper';
import { SigningKeysService } from '../resources/signing-keys.service';
import { SettingsService } from '../settings/settings.service';
import { LicensingMode, SigningKey, signLicense } from '../signing';
import { NodeLockedLicensesRepository, NodeLockedRow } from './node-locked-licenses.repository';

/** Generated ids and user keys are random; a collision is retried with new ones this many times. */
const MAX_GENERATION_ATTEMPTS = 8;
export const HARDWARE_RESTRICTION = 'Hardware';

type UnsignedValues = Omit<NodeLockedRow, 'licenseKey' | 'hash' | 'signingKeyId'>;

export interface NodeLockedPreparation {
  signatureKeysId: number;
  key: SigningKey;
  licenseIdFormat: string;
  userKeyFormat: string;
}

export interface NodeLockedLicense {
  id: number;
  licenseKey: string;
  expireDate: Date | null;
}

const wholeSeconds = (date: Date) => new Date(Math.floor(date.getTime() / 1000) * 1000);
const sameDocument = (a: NodeLockedRow | LicenseEntity, b: UnsignedValues) =>
  JSON.stringify(licenseDocumentOf(a)) === JSON.stringify(licenseDocumentOf(b));

/**
 * The node-locked license an activation hands to the client: a copy of the activated license with a
 * `Hardware` restriction naming the machine (the verifier checks it with its `machineId` option),
 * signed with the same key, and stored as a license row of its own that the activation token points
 * to (`node_locked_license_id`). It is a file license (licensingMode 0, no seats), so its own user
 * key can never be activated or lease seats: activation multiplies nothing. The document is built by
 * the licenses module's `licenseDocumentOf`, the one definition of what a license key carries.
 */
@Injectable()
export class NodeLockedLicensesService {
  constructor(
    private readonly repository: NodeLockedLicensesRepository,
    private readonly signingKeys: SigningKeysService,
    private readonly settings: SettingsService,
  ) {}

  /**
   * Answers the activation's node-locked license, issuing it if the token has none yet and signing
   * it anew when the activated license (or its signature key) changed since: activating again is
   * how a client picks up a renewed license. Runs inside the activation's transaction.
   */
  async ensure(
    manager: EntityManager,
    parentId: number,
    token: { id: number; machineId: string; expireDate: Date | null; nodeLockedLicenseId: number | null },
    prepared: NodeLockedPreparation,
  ): Promise<NodeLockedLicense> {
    const parent = await this.repository.findLicense(manager, parentId);
    if (!parent) throw new Error(`License ${parentId} went while its activation held its row lock`);
    const existing = token.nodeLockedLicenseId
      ? await this.repository.findLicense(manager, token.nodeLockedLicenseId)
      : null;
    // Changed since the preparation (a concurrent key change): load it here, at the cost of one more connection.
    const key =
      prepared.signatureKeysId === parent.signatureKeysId
        ? prepared.key
        : await this.signingKeys.loadSigningKey(parent.signatureKeysId, 'license.signatureKeysId');

    if (existing) {
      const values = this.valuesFor(parent, token, {
        licenseId: existing.licenseId,
        userKey: existing.userKey,
        issueDate: existing.issueDate,
      });
      if (existing.signingKeyId !== key.keyId || existing.format !== values.format || !sameDocument(existing, values)) {
        Object.assign(existing, values, this.sign(values, key));
        await this.repository.save(manager, existing);
      }
      return { id: existing.id, licenseKey: existing.licenseKey, expireDate: existing.expireDate };
    }

    const { licenseIdFormat, userKeyFormat } = prepared;
    for (let attempt = 0; attempt < MAX_GENERATION_ATTEMPTS; attempt++) {
      const values = this.valuesFor(parent, token, {
        licenseId: generateKey(licenseIdFormat),
        userKey: generateKey(userKeyFormat),
        issueDate: wholeSeconds(new Date()),
      });
      const signed = this.sign(values, key);
      const id = await this.repository.insertUnlessTaken(manager, { ...values, ...signed });
      if (id !== undefined) {
        await this.repository.attachToToken(manager, { tokenId: token.id, nodeLockedLicenseId: id });
        return { id, licenseKey: signed.licenseKey, expireDate: values.expireDate };
      }
    }
    throw new Error(
      `Could not generate a free license id and user key in ${MAX_GENERATION_ATTEMPTS} attempts; the key formats are too small for the number of licenses`,
    );
  }

  /**
   * What `ensure` needs from outside the transaction, loaded before it: taking another pooled
   * connection while holding the license lock could wait for ever on a pool of lock waiters.
   */
  async prepare(signatureKeysId: number): Promise<NodeLockedPreparation> {
    return {
      signatureKeysId,
      key: await this.signingKeys.loadSigningKey(signatureKeysId, 'license.signatureKeysId'),
      licenseIdFormat: await this.settings.get<string>('Licensing.LicenseIdFormat'),
      userKeyFormat: await this.settings.get<string>('Licensing.UserKeyFormat'),
    };
  }

  /** Deletes node-locked licenses no token points to any more (after a deactivation or a sweep). */
  async deleteOrphans(manager: EntityManager, ids: Array<number | null>): Promise<number> {
    const wanted = ids.filter((id): id is number => id !== null);
    if (!wanted.length) return 0;
    return this.repository.deleteUnreferenced(manager, wanted);
  }

  private valuesFor(
    parent: LicenseEntity,
    token: { machineId: string; expireDate: Date | null },
    identity: { licenseId: string; userKey: string; issueDate: Date | null },
  ): UnsignedValues {
    // Any Hardware restriction of the original would let the copy run on the machines it names too.
    const restrictions: RestrictionPart[] = [
      ...parent.restrictions.filter(
        (restriction) => restriction.name.toLowerCase() !== HARDWARE_RESTRICTION.toLowerCase(),
      ),
      { name: HARDWARE_RESTRICTION, properties: { machineId: token.machineId } },
    ];
    return {
      ...identity,
      licenseType: parent.licenseType,
      format: parent.format,
      description: `Node-locked to machine ${token.machineId} by an activation of license ${parent.licenseId}`,
      // The token's expiry is already capped at the license's.
      expireDate: token.expireDate ?? parent.expireDate,
      supportExpireDate: parent.supportExpireDate,
      revoked: false,
      trace: false,
      maxAllowedSites: null,
      licensingMode: LicensingMode.File,
      licenseeName: parent.licenseeName,
      licenseeCompany: parent.licenseeCompany,
      licenseeEmail: parent.licenseeEmail,
      meta: JSON.stringify({ nodeLockedFrom: parent.licenseId, machineId: token.machineId }),
      generateKeyInfo: parent.generateKeyInfo,
      templateId: parent.templateId,
      signatureKeysId: parent.signatureKeysId,
      customerId: parent.customerId,
      orderId: parent.orderId,
      productId: parent.productId,
      product: parent.product,
      licensee: parent.licensee,
      components: parent.components,
      assemblies: parent.assemblies,
      fields: parent.fields,
      features: parent.features,
      restrictions,
    };
  }

  private sign(values: UnsignedValues, key: SigningKey): { licenseKey: string; hash: string; signingKeyId: string } {
    const signed = signLicense(licenseDocumentOf(values), values.format, key, {
      includePublicKey: values.generateKeyInfo,
    });
    return { licenseKey: signed.licenseKey, hash: signed.hash, signingKeyId: signed.keyId };
  }
}
