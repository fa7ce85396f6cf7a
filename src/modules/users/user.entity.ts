import {
  Column,
  CreateDateColumn,
  Entity,
  ForeignKey,
  Index,
  JoinTable,
  ManyToMany,
  OneToMany,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import { RoleEntity } from '../roles/role.entity';
import type { ApiKeyEntity } from '../api-keys/api-key.entity';
import { UserSettingEntity } from './user-setting.entity';

@Entity('users')
@Index('users_customer_id_idx', ['customerId'])
@Index('users_created_at_idx', ['createdAt'])
export class UserEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** Unique without regard to case (index on lower(user_name) in the migration). */
  @Column({ type: 'varchar', length: 128 })
  userName: string;

  @Column({ type: 'varchar', length: 256, nullable: true })
  email: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true }) phoneNumber: string | null;
  @Column({ type: 'varchar', length: 64, nullable: true }) title: string | null;
  @Column({ type: 'varchar', length: 128, nullable: true }) firstName: string | null;
  @Column({ type: 'varchar', length: 128, nullable: true }) lastName: string | null;
  @Column({ type: 'varchar', length: 128, nullable: true }) department: string | null;
  @Column({ type: 'timestamptz', nullable: true }) birthDate: Date | null;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt: Date;
  @Column({ type: 'timestamptz', nullable: true }) lastDismissMessages: Date | null;
  @Column({ type: 'timestamptz', nullable: true }) lastLogIn: Date | null;
  @Column({ type: 'int', default: 0 }) rank: number;
  @Column({ type: 'text', nullable: true }) image: string | null;
  @Column({ type: 'varchar', length: 512, nullable: true }) address: string | null;
  @Column({ type: 'varchar', length: 32, nullable: true }) postalCode: string | null;
  @Column({ type: 'varchar', length: 128, nullable: true }) region: string | null;
  @Column({ type: 'varchar', length: 128, nullable: true }) city: string | null;
  @Column({ type: 'varchar', length: 128, nullable: true }) country: string | null;
  @Column({ type: 'varchar', length: 8, nullable: true }) countryCode: string | null;
  @Column({ type: 'varchar', length: 64, nullable: true }) mobile: string | null;
  @Column({ type: 'text', nullable: true }) notes: string | null;

  @ForeignKey('CustomerEntity', { onDelete: 'SET NULL' })
  @Column({ type: 'int', nullable: true })
  customerId: number | null;

  @Column({ type: 'varchar', length: 256, select: false })
  passwordHash: string;

  @Column({ type: 'int', default: 0 })
  failedLoginCount: number;

  @Column({ type: 'timestamptz', nullable: true })
  lockedUntil: Date | null;

  @ManyToMany(() => RoleEntity, { onUpdate: 'NO ACTION' })
  @JoinTable({ name: 'user_roles', joinColumn: { name: 'user_id' }, inverseJoinColumn: { name: 'role_id' } })
  roles: RoleEntity[];

  @OneToMany('ApiKeyEntity', 'owner')
  apiKeys: ApiKeyEntity[];

  @OneToMany(() => UserSettingEntity, (setting) => setting.user)
  settings: UserSettingEntity[];
}
