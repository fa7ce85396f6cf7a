import { Column, Entity, Index, JoinColumn, JoinTable, ManyToMany, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import type { AssemblyEntity } from './assembly.entity';
import type { ProductEntity } from './product.entity';

@Entity('product_releases')
@Index('product_releases_product_id_idx', ['productId'])
@Index('product_releases_release_date_idx', ['releaseDate'])
export class ReleaseEntity {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'int' }) productId: number;
  @Column({ type: 'timestamptz', nullable: true }) releaseDate: Date | null;
  @Column({ type: 'varchar', length: 256, nullable: true }) name: string | null;
  @Column({ type: 'varchar', length: 64, nullable: true }) version: string | null;
  @Column({ type: 'text', nullable: true }) description: string | null;

  @ManyToOne('ProductEntity', 'releases', { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'product_id' })
  product: ProductEntity;

  /** An assembly may ship in several releases; the links go with either side. */
  @ManyToMany('AssemblyEntity', 'releases', { onUpdate: 'NO ACTION' })
  @JoinTable({
    name: 'release_assemblies',
    joinColumn: { name: 'release_id' },
    inverseJoinColumn: { name: 'assembly_id' },
  })
  assemblies: AssemblyEntity[];
}
