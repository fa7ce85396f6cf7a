import type { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';
import { ApiException } from '../common/errors';
import { isUuid } from '../common/uuid';

/**
 * 404 "<Noun> <id> does not exist" unless a row of `entity` has this primary key: the parent named in
 * the path of a scoped list or a sub-resource (GET /v1/orders/7/licenses). A text that is no UUID
 * cannot name a row of a UUID key, so it is answered without asking PostgreSQL to cast it.
 */
export async function assertRowExists(
  manager: EntityManager,
  entity: EntityTarget<ObjectLiteral>,
  id: number | string,
  noun: string,
): Promise<void> {
  const [key] = manager.connection.getMetadata(entity).primaryColumns;
  const castable = key.type !== 'uuid' || isUuid(id);
  if (!castable || !(await manager.existsBy(entity, { [key.propertyName]: id })))
    throw ApiException.notFound(`${noun} ${id} does not exist`);
}
