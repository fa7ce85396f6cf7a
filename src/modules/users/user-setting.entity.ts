import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import type { UserEntity } from './user.entity';

@Entity('user_settings')
@Index('user_settings_user_category_name_unique', ['userId', 'category', 'name'], { unique: true })
export class UserSettingEntity {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'varchar', length: 128, default: '' }) category: string;
  @Column({ type: 'varchar', length: 128, nullable: true }) group: string | null;
  @Column({ type: 'varchar', length: 128 }) name: string;
  @Column({ type: 'text', nullable: true }) value: string | null;
  @Column({ type: 'varchar', length: 64, nullable: true }) type: string | null;
  @Column({ type: 'varchar', length: 512, nullable: true }) description: string | null;
  @Column({ type: 'boolean', default: false }) readOnly: boolean;

  @Column({ type: 'uuid' })
  userId: string;

  @ManyToOne('UserEntity', 'settings', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id' })
  user: UserEntity;
}
