import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import type { UserEntity } from '../users/user.entity';

@Entity('api_keys')
@Check('api_keys_permissions_check', '"permissions" BETWEEN 0 AND 15')
export class ApiKeyEntity {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'varchar', length: 128 })
  name: string;

  /** SHA-256 of the key; the key itself is shown once, by the insert call. */
  @Column({ type: 'char', length: 64, select: false, unique: true })
  keyHash: string;

  /** A recognisable, harmless part of the key (`api_ab12…yz89`) so people can tell keys apart. */
  @Column({ type: 'varchar', length: 32 })
  keyHint: string;

  @CreateDateColumn({ type: 'timestamptz' })
  createdDate: Date;

  @Column({ type: 'timestamptz', nullable: true })
  expireDate: Date | null;

  @Index('api_keys_owner_id_idx')
  @Column({ type: 'uuid' })
  ownerId: string;

  @ManyToOne('UserEntity', 'apiKeys', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'owner_id' })
  owner: UserEntity;

  @Column({ type: 'boolean', default: false })
  revoked: boolean;

  @Column({ type: 'smallint', default: 15 })
  permissions: number;

  @Column({ type: 'varchar', length: 512, nullable: true })
  description: string | null;
}
