import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  ForeignKey,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import type { CustomerEntity } from '../customers/customer.entity';
import type {
  AssemblyPart,
  FeaturePart,
  FieldPart,
  LicenseProductPart,
  RestrictionPart,
} from '../license-templates/license-parts';
import type { LicenseTemplateEntity } from '../license-templates/license-template.entity';
import type { OrderEntity } from '../orders/order.entity';
import type { ProductEntity } from '../products/product.entity';
import { LicenseFormat, LicensingMode } from '../signing';

/** Licensee members the reference keeps apart from licenseeName/Company/Email. */
export interface LicenseeExtra {
  contactInfo?: string;
  url?: string;
}

@Entity('licenses')
@Index('licenses_license_id_unique', ['licenseId'], { unique: true })
@Index('licenses_user_key_unique', ['userKey'], { unique: true })
@Index('licenses_licensee_email_idx', ['licenseeEmail'])
@Index('licenses_licensee_name_idx', ['licenseeName'])
@Index('licenses_created_at_idx', ['createdAt'])
@Index('licenses_expire_date_idx', ['expireDate'])
@Index('licenses_mode_created_at_idx', ['licensingMode', 'createdAt'])
@Index('licenses_revoked_idx', ['id'], { where: '"revoked"' })
@Index('licenses_customer_created_at_idx', ['customerId', 'createdAt'])
@Index('licenses_order_id_idx', ['orderId'])
@Index('licenses_product_id_idx', ['productId'])
@Index('licenses_template_id_idx', ['templateId'])
@Index('licenses_signature_keys_id_idx', ['signatureKeysId'])
@Check('licenses_format_check', '"format" BETWEEN 0 AND 3')
@Check('licenses_max_allowed_sites_check', '"max_allowed_sites" >= 0')
@Check('licenses_licensing_mode_check', '"licensing_mode" BETWEEN 0 AND 2')
export class LicenseEntity {
  @PrimaryGeneratedColumn()
  id: number;

  /** The public license id, e.g. `lic0A1B2C3D`; unique. */
  @Column({ type: 'varchar', length: 128 }) licenseId: string;
  @Column({ type: 'varchar', length: 128, nullable: true }) licenseType: string | null;
  @Column({ type: 'smallint', default: LicenseFormat.Xml }) format: LicenseFormat;
  @Column({ type: 'text', nullable: true }) description: string | null;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt: Date;
  @Column({ type: 'timestamptz', nullable: true }) issueDate: Date | null;
  @Column({ type: 'timestamptz', nullable: true }) expireDate: Date | null;
  @Column({ type: 'timestamptz', nullable: true }) supportExpireDate: Date | null;
  @Column({ type: 'boolean', default: false }) revoked: boolean;
  @Column({ type: 'boolean', default: false }) trace: boolean;
  /** The signed license document itself. */
  @Column({ type: 'text' }) licenseKey: string;
  @Column({ type: 'int', nullable: true }) maxAllowedSites: number | null;
  @Column({ type: 'varchar', length: 256 }) userKey: string;
  @Column({ type: 'smallint', default: LicensingMode.File }) licensingMode: LicensingMode;
  @Column({ type: 'varchar', length: 256, nullable: true }) licenseeName: string | null;
  @Column({ type: 'varchar', length: 256, nullable: true }) licenseeCompany: string | null;
  @Column({ type: 'varchar', length: 256, nullable: true }) licenseeEmail: string | null;
  /** SHA-256 (hex) of licenseKey. */
  @Column({ type: 'char', length: 64 }) hash: string;
  @Column({ type: 'text', nullable: true }) meta: string | null;
  /** Whether the public key is embedded; kept so that re-signing makes the same kind of license. */
  @Column({ type: 'boolean', default: false }) generateKeyInfo: boolean;

  @Column({ type: 'int', nullable: true }) templateId: number | null;
  /** The signature key that signed licenseKey (resolved license → template → product at signing time). */
  @ForeignKey('ResourceEntity', { onDelete: 'RESTRICT' })
  @Column({ type: 'int' })
  signatureKeysId: number;
  /** Key id of that key when it signed: a key replaced later does not change what this license verifies with. */
  @Column({ type: 'varchar', length: 16 }) signingKeyId: string;
  @Column({ type: 'int', nullable: true }) customerId: number | null;
  @Column({ type: 'int', nullable: true }) orderId: number | null;
  @Column({ type: 'int', nullable: true }) productId: number | null;

  @Column({ type: 'jsonb', nullable: true }) product: LicenseProductPart | null;
  @Column({ type: 'jsonb', nullable: true }) licensee: LicenseeExtra | null;
  @Column({ type: 'jsonb', default: () => "'[]'" }) components: string[];
  @Column({ type: 'jsonb', default: () => "'[]'" }) assemblies: AssemblyPart[];
  @Column({ type: 'jsonb', default: () => "'[]'" }) fields: FieldPart[];
  @Column({ type: 'jsonb', default: () => "'[]'" }) features: FeaturePart[];
  @Column({ type: 'jsonb', default: () => "'[]'" }) restrictions: RestrictionPart[];

  @ManyToOne('CustomerEntity', { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'customer_id' })
  customer: CustomerEntity | null;

  @ManyToOne('OrderEntity', { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'order_id' })
  order: OrderEntity | null;

  @ManyToOne('LicenseTemplateEntity', { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'template_id' })
  template: LicenseTemplateEntity | null;

  /** The product row; `product` is the product as written into the license. */
  @ManyToOne('ProductEntity', { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'product_id' })
  productRecord: ProductEntity | null;
}
