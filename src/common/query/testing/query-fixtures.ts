/**
 * Entities and whitelists shared by the query specs. They are not part of the application: they
 * exist to exercise to-one, one-to-many and many-to-many paths under a snake_case naming strategy
 * (so the specs prove column names come from metadata) and a reserved-word table name ("order").
 */
import {
  Column,
  DataSource,
  DefaultNamingStrategy,
  Entity,
  JoinTable,
  ManyToMany,
  ManyToOne,
  OneToMany,
  PrimaryGeneratedColumn,
  type DataSourceOptions,
  type NamingStrategyInterface,
} from 'typeorm';
import { defineQueryEntity, type QueryEntity } from '../query-entity';

export enum CustomerStatus {
  Active = 1,
  Suspended = 2,
  Closed = 3,
}

@Entity()
export class Region {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'varchar' })
  regionName: string;

  @OneToMany(() => Customer, (customer) => customer.region)
  customers: Customer[];
}

@Entity()
export class Tag {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'varchar' })
  label: string;
}

@Entity()
export class Customer {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'varchar', nullable: true })
  companyName: string | null;

  @Column({ type: 'timestamptz' })
  createdAt: Date;

  @Column({ type: 'integer', nullable: true })
  rating: number | null;

  @Column({ type: 'boolean', default: false })
  isReseller: boolean;

  @Column({ type: 'integer', default: CustomerStatus.Active })
  status: CustomerStatus;

  @Column({ type: 'uuid', nullable: true })
  externalId: string | null;

  @Column({ type: 'varchar', default: '' })
  internalNote: string;

  @ManyToOne(() => Region, (region) => region.customers, { nullable: true })
  region: Region | null;

  @OneToMany(() => Order, (order) => order.customer)
  orders: Order[];

  @ManyToMany(() => Tag)
  @JoinTable()
  tags: Tag[];
}

@Entity()
export class Order {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'numeric', precision: 12, scale: 2 })
  orderTotal: string;

  @Column({ type: 'timestamptz' })
  placedAt: Date;

  /** Nullable, for sorts whose NULLs and microseconds a cursor must keep apart. */
  @Column({ type: 'timestamptz', nullable: true })
  closedAt: Date | null;

  @ManyToOne(() => Customer, (customer) => customer.orders, { nullable: false })
  customer: Customer;
}

const snakeCase = (name: string) => name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();

class SnakeNamingStrategy extends DefaultNamingStrategy implements NamingStrategyInterface {
  override tableName(targetName: string, userSpecifiedName: string | undefined): string {
    return userSpecifiedName ?? snakeCase(targetName);
  }

  override columnName(propertyName: string, customName: string | undefined, embeddedPrefixes: string[]): string {
    return snakeCase([...embeddedPrefixes, customName ?? propertyName].join('_'));
  }

  override joinColumnName(relationName: string, referencedColumnName: string): string {
    return snakeCase(`${relationName}_${referencedColumnName}`);
  }
}

export const fixtureEntities = [Region, Tag, Customer, Order];

export function fixtureDataSourceOptions(overrides: Partial<DataSourceOptions> = {}): DataSourceOptions {
  return {
    type: 'postgres',
    entities: fixtureEntities,
    namingStrategy: new SnakeNamingStrategy(),
    ...overrides,
  } as DataSourceOptions;
}

/** Metadata without a connection: enough for query builders to produce SQL. */
export async function metadataOnlyDataSource(): Promise<DataSource> {
  const dataSource = new DataSource(fixtureDataSourceOptions());
  // buildMetadatas is what initialize() runs after connecting; it needs no connection itself.
  await (dataSource as unknown as { buildMetadatas(): Promise<void> }).buildMetadatas();
  return dataSource;
}

export const regionQuery: QueryEntity = defineQueryEntity({
  name: 'Region',
  fields: {
    id: { type: 'number' },
    name: { property: 'regionName', type: 'string' },
  },
});

export const tagQuery: QueryEntity = defineQueryEntity({
  name: 'Tag',
  fields: {
    id: { type: 'number' },
    label: { type: 'string' },
  },
});

export const customerQuery: QueryEntity = defineQueryEntity({
  name: 'Customer',
  fields: {
    id: { type: 'number' },
    company: { property: 'companyName', type: 'string' },
    createdAt: { type: 'date' },
    rating: { type: 'number' },
    isReseller: { type: 'boolean' },
    status: { type: 'enum', enumValues: { Active: 1, Suspended: 2, Closed: 3 } },
    externalId: { type: 'uuid' },
    internalNote: { type: 'string', filterable: false, sortable: false },
  },
  relations: {
    region: { target: () => regionQuery },
    orders: { target: () => orderQuery, many: true, includable: false },
    tags: { target: () => tagQuery, many: true },
  },
});

export const orderQuery: QueryEntity = defineQueryEntity({
  name: 'Order',
  fields: {
    id: { type: 'number' },
    total: { property: 'orderTotal', type: 'decimal' },
    placedAt: { type: 'date' },
    closedAt: { type: 'date' },
  },
  relations: {
    customer: { target: () => customerQuery },
  },
});
