import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  OneToMany,
  PrimaryGeneratedColumn,
} from 'typeorm';
import type { ResourceEntity } from '../resources/resource.entity';
import type { ProductOrderEntity } from '../orders/product-order.entity';
import { decimalTransformer } from '../../database/decimal.transformer';
import type { ReleaseEntity } from './release.entity';

@Entity('products')
@Index('products_name_idx', ['name'])
@Index('products_created_at_idx', ['createdAt'])
@Index('products_signature_keys_id_idx', ['signatureKeysId'])
export class ProductEntity {
  @PrimaryGeneratedColumn()
  id: number;

  /** Unique without regard to case when set (partial index in the migration). */
  @Column({ type: 'varchar', length: 64, nullable: true }) code: string | null;
  @Column({ type: 'varchar', length: 256 }) name: string;
  @Column({ type: 'text', nullable: true }) description: string | null;
  @Column({ type: 'varchar', length: 1024, nullable: true }) url: string | null;
  @Column({ type: 'varchar', length: 512, nullable: true }) copyright: string | null;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
  @Column({ type: 'text', nullable: true }) image: string | null;
  @Column({ type: 'numeric', precision: 18, scale: 4, nullable: true, transformer: decimalTransformer }) price:
    number | null;
  @Column({ type: 'numeric', precision: 18, scale: 4, nullable: true, transformer: decimalTransformer }) resellerPrice:
    number | null;
  @Column({ type: 'varchar', length: 8, nullable: true }) currency: string | null;
  @Column({ type: 'int', nullable: true }) signatureKeysId: number | null;
  @Column({ type: 'text', nullable: true }) meta: string | null;

  @ManyToOne('ResourceEntity', { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'signature_keys_id' })
  signatureKeys: ResourceEntity | null;

  @OneToMany('ReleaseEntity', 'product')
  releases: ReleaseEntity[];

  @OneToMany('ProductOrderEntity', 'product')
  productOrders: ProductOrderEntity[];
}
