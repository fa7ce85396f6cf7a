import { Column, Entity, ForeignKey, Index, ManyToMany, PrimaryGeneratedColumn } from 'typeorm';
import type { ReleaseEntity } from './release.entity';

@Entity('assemblies')
@Index('assemblies_name_idx', ['name'])
@Index('assemblies_mapping_file_id_idx', ['mappingFileId'])
export class AssemblyEntity {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'varchar', length: 256 }) name: string;
  @Column({ type: 'varchar', length: 64, nullable: true }) version: string | null;
  @Column({ type: 'varchar', length: 64, nullable: true }) culture: string | null;
  @Column({ type: 'varchar', length: 64, nullable: true }) publicKeyToken: string | null;
  /** A resource holding the obfuscation mapping file; cleared if that resource is deleted. */
  @ForeignKey('ResourceEntity', { onDelete: 'SET NULL' })
  @Column({ type: 'int', nullable: true })
  mappingFileId: number | null;
  @Column({ type: 'varchar', length: 256, nullable: true }) debugSymbolsKey: string | null;

  @ManyToMany('ReleaseEntity', 'assemblies', { onUpdate: 'NO ACTION' })
  releases: ReleaseEntity[];
}
