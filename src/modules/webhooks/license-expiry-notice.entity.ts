import { Column, Entity, ForeignKey, PrimaryColumn } from 'typeorm';

/** The expiry date a license.expiring event was sent for, so that the daily job announces each expiry once. */
@Entity('license_expiry_notices')
export class LicenseExpiryNoticeEntity {
  @ForeignKey('LicenseEntity', { onDelete: 'CASCADE' })
  @PrimaryColumn({ type: 'int' })
  licenseId: number;

  @Column({ type: 'timestamptz' })
  expireDate: Date;
}
