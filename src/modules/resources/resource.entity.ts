import { Check, Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

/**
 * Files, email templates and signature keys. For a signature key (`type` RSA, ECDSA or Ed25519)
 * `data` is the public key PEM and the private key lives, encrypted, in `privateKeyEncrypted`.
 */
@Entity('resources')
@Index('resources_code_idx', ['code'])
@Index('resources_name_idx', ['name'])
@Index('resources_type_idx', ['type'])
@Index('resources_created_at_idx', ['createdAt'])
@Index('resources_key_id_idx', ['keyId'], { where: '"key_id" IS NOT NULL' })
@Check('resources_signing_key_complete', '("key_id" IS NULL) = ("private_key_encrypted" IS NULL)')
export class ResourceEntity {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'varchar', length: 256 }) name: string;
  @Column({ type: 'varchar', length: 64, nullable: true }) type: string | null;

  /** Unique without regard to case when set (partial index on lower(code) in the migration). */
  @Column({ type: 'varchar', length: 128, nullable: true }) code: string | null;

  @Column({ type: 'text', nullable: true }) description: string | null;
  @Column({ type: 'varchar', length: 1024, nullable: true }) source: string | null;

  /** argon2id; the password itself is never stored nor returned. */
  @Column({ type: 'varchar', length: 256, nullable: true, select: false }) passwordHash: string | null;

  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt: Date;

  /** Text formats as they are; binary formats as base64. */
  @Column({ type: 'text', nullable: true }) data: string | null;
  @Column({ type: 'varchar', length: 32, nullable: true }) dataFormat: string | null;
  @Column({ type: 'text', nullable: true }) meta: string | null;

  /** Signature keys only: the signing library's key id (SHA-256 of the public key, 16 hex). */
  @Column({ type: 'varchar', length: 64, nullable: true }) keyId: string | null;

  /** Signature keys only: the PKCS#8 private key under AES-256-GCM with the configured master key. */
  @Column({ type: 'text', nullable: true, select: false }) privateKeyEncrypted: string | null;
}
