import { Injectable, Logger } from '@nestjs/common';
import { isSecretMember } from '../../common/audit';
import { Principal, Role } from '../../common/auth';
import { QueryOptions } from '../../common/query';
import { CustomersService } from '../customers/customers.service';
import { LicenseTemplatesService } from '../license-templates/license-templates.service';
import { LicensesService } from '../licenses/licenses.service';
import { ProductsService } from '../products/products.service';
import { ResourcesService } from '../resources/resources.service';
import { UsersService } from '../users/users.service';
import { toWebhookDto } from './webhook.mapper';
import { OutboxEvent, WebhooksRepository } from './webhooks.repository';

/** Reads records as an Administrator would see them in the Management API's lists. */
const SYSTEM_READER: Principal = {
  kind: 'user',
  userId: '00000000-0000-0000-0000-000000000000',
  userName: 'system',
  roles: [Role.Administrator],
  permissions: 15,
};

// One record by id: the list's count would only be thrown away.
const one = (filter: string): QueryOptions => ({ filter, take: 1, skip: 0, withTotal: false });
const quoted = (id: string) => `"${id.replace(/["\\]/g, '')}"`;
const numeric = (id: string) => (/^\d+$/.test(id) ? id : '0');

/** Drops secret members (keys, hashes, secrets, private key material) at every depth. */
export function withoutSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutSecrets);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>)
      .filter(([name]) => !isSecretMember(name))
      .map(([name, member]) => [name, withoutSecrets(member)]),
  );
}

/**
 * The `data` of an event: the record it names as the Management API answers it (read when the event is relayed,
 * within a second or so of its commit), without secrets, plus what the event adds (`changes`, `seat`). A record
 * that is gone (a delete) or of a type without a reader here is `{ id }`.
 */
@Injectable()
export class WebhookEventData {
  private readonly logger = new Logger('Webhooks');
  private readonly readers: Record<string, (id: string) => Promise<object | undefined>>;

  constructor(
    licenses: LicensesService,
    customers: CustomersService,
    products: ProductsService,
    users: UsersService,
    resources: ResourcesService,
    templates: LicenseTemplatesService,
    webhooks: WebhooksRepository,
  ) {
    this.readers = {
      license: async (id) => (await licenses.list(one(`Id == ${numeric(id)}`), SYSTEM_READER)).licenses[0],
      customer: async (id) => (await customers.list(one(`Id == ${numeric(id)}`))).customers[0],
      product: async (id) => (await products.list(one(`Id == ${numeric(id)}`), SYSTEM_READER)).products[0],
      user: async (id) => (await users.list(one(`Id == ${quoted(id)}`))).users[0],
      resource: async (id) => (await resources.list(one(`Id == ${numeric(id)}`))).resources[0],
      licenseTemplate: async (id) => (await templates.list(one(`Id == ${numeric(id)}`))).licenseTemplates[0],
      webhook: async (id) => {
        const webhook = await webhooks.findById(Number(numeric(id)));
        return webhook ? toWebhookDto(webhook) : undefined;
      },
    };
  }

  async of(event: Pick<OutboxEvent, 'entityType' | 'entityId' | 'detail'>): Promise<Record<string, unknown>> {
    const id = event.entityId === null ? null : /^\d+$/.test(event.entityId) ? Number(event.entityId) : event.entityId;
    let record: object | undefined;
    const reader = event.entityType ? this.readers[event.entityType] : undefined;
    if (reader && event.entityId !== null) {
      record = await reader(event.entityId).catch((error: unknown) => {
        this.logger.warn(
          `Could not read ${event.entityType} ${event.entityId} for a webhook event: ${error instanceof Error ? error.message : String(error)}`,
        );
        return undefined;
      });
    }
    return withoutSecrets({ ...(record ?? { id }), ...(event.detail ?? {}) }) as Record<string, unknown>;
  }
}
