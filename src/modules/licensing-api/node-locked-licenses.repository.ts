import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { LicenseEntity } from '../licenses/license.entity';
import { LicensingMode } from '../signing';

/** A license row's columns as the node-locked copy stores them. */
export type NodeLockedRow = Omit<
  LicenseEntity,
  'id' | 'createdAt' | 'updatedAt' | 'customer' | 'order' | 'template' | 'productRecord'
>;

/**
 * Node-locked licenses (file licenses an activation issues, see NodeLockedLicensesService) and
 * the license rows they copy. Every method runs in the activation's or the sweep's transaction.
 */
@Injectable()
export class NodeLockedLicensesRepository {
  findLicense(manager: EntityManager, id: number): Promise<LicenseEntity | null> {
    return manager.getRepository(LicenseEntity).findOneBy({ id });
  }

  /** No audit event of its own: the activation that issues the copy is the event (listeners off). */
  async save(manager: EntityManager, license: LicenseEntity): Promise<void> {
    await manager.getRepository(LicenseEntity).save(license, { listeners: false });
  }

  /**
   * Inserts the license; undefined when its license id or user key is taken (ON CONFLICT DO NOTHING:
   * "no row" rather than an aborted transaction, so the caller can retry with new ones).
   */
  async insertUnlessTaken(manager: EntityManager, row: NodeLockedRow): Promise<number | undefined> {
    const result = await manager
      .createQueryBuilder()
      .insert()
      .into(LicenseEntity)
      .values(row)
      .orIgnore()
      .returning(['id'])
      .callListeners(false)
      .execute();
    return result.raw[0]?.id as number | undefined;
  }

  async attachToToken(
    manager: EntityManager,
    { tokenId, nodeLockedLicenseId }: { tokenId: number; nodeLockedLicenseId: number },
  ): Promise<void> {
    await manager.query('UPDATE license_tokens SET node_locked_license_id = $1 WHERE id = $2', [
      nodeLockedLicenseId,
      tokenId,
    ]);
  }

  /** Deletes those of the node-locked licenses `ids` that no token points to any more; how many went. */
  async deleteUnreferenced(manager: EntityManager, ids: number[]): Promise<number> {
    const rows: unknown[] = await manager.query(
      `WITH deleted AS (
         DELETE FROM licenses l WHERE l.id = ANY($1::int[]) AND l.licensing_mode = ${LicensingMode.File}
            AND NOT EXISTS (SELECT 1 FROM license_tokens t WHERE t.node_locked_license_id = l.id) RETURNING l.id)
       SELECT id FROM deleted`,
      [ids],
    );
    return rows.length;
  }
}
