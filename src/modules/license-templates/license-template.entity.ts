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
import type { ProductEntity } from '../products/product.entity';
import { LicenseFormat, LicensingMode } from '../signing';
import type { AssemblyPart, FeaturePart, FieldPart, LicenseProductPart, RestrictionPart } from './license-parts';

@Entity('license_templates')
@Index('license_templates_name_idx', ['name'])
@Index('license_templates_product_release_idx', ['productId', 'releaseId'])
@Index('license_templates_release_id_idx', ['releaseId'])
@Index('license_templates_signature_keys_id_idx', ['signatureKeysId'])
@Check('license_templates_format_check', '"format" BETWEEN 0 AND 3')
@Check('license_templates_licensing_mode_check', '"licensing_mode" BETWEEN 0 AND 2')
@Check('license_templates_expire_days_check', '"expire_days" >= 0')
@Check('license_templates_support_days_check', '"support_days" >= 0')
export class LicenseTemplateEntity {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'varchar', length: 256 }) name: string;
  @Column({ type: 'varchar', length: 128, nullable: true }) code: string | null;
  @Column({ type: 'varchar', length: 128, nullable: true }) licenseType: string | null;
  @Column({ type: 'smallint', default: LicenseFormat.Xml }) format: LicenseFormat;
  @Column({ type: 'smallint', default: LicensingMode.File }) licensingMode: LicensingMode;
  @Column({ type: 'varchar', length: 256, nullable: true }) licenseFileName: string | null;
  /** Whether licenses made from the template carry an issue date. */
  @Column({ type: 'boolean', default: true }) issueDate: boolean;
  @Column({ type: 'int', nullable: true }) expireDays: number | null;
  @Column({ type: 'int', nullable: true }) supportDays: number | null;
  @Column({ type: 'boolean', default: false }) generateKeyInfo: boolean;
  /** Key format of the user keys of its licenses; null falls back to the Licensing.UserKeyFormat setting. */
  @Column({ type: 'varchar', length: 256, nullable: true }) userKey: string | null;
  @Column({ type: 'text', nullable: true }) description: string | null;
  /** Rendered from the other members on every insert and update. */
  @Column({ type: 'text' }) template: string;

  @Column({ type: 'int', nullable: true }) productId: number | null;
  @ForeignKey('ResourceEntity', { onDelete: 'RESTRICT' })
  @Column({ type: 'int', nullable: true })
  signatureKeysId: number | null;
  @ForeignKey('ReleaseEntity', { onDelete: 'RESTRICT' })
  @Column({ type: 'int', nullable: true })
  releaseId: number | null;

  @Column({ type: 'jsonb', nullable: true }) product: LicenseProductPart | null;
  @Column({ type: 'jsonb', default: () => "'[]'" }) components: string[];
  @Column({ type: 'jsonb', default: () => "'[]'" }) assemblies: AssemblyPart[];
  @Column({ type: 'jsonb', default: () => "'[]'" }) fields: FieldPart[];
  @Column({ type: 'jsonb', default: () => "'[]'" }) features: FeaturePart[];
  @Column({ type: 'jsonb', default: () => "'[]'" }) restrictions: RestrictionPart[];

  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt: Date;

  /** The product row; `product` is the product as written into the licenses. */
  @ManyToOne('ProductEntity', { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'product_id' })
  productRecord: ProductEntity | null;
}
