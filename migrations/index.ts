import { Identity1764300000000 } from './1764300000000-identity';
import { AppSettings1764300050000 } from './1764300050000-app-settings';
import { CustomersResources1764300100000 } from './1764300100000-customers-resources';
import { ProductsOrders1764300200000 } from './1764300200000-products-orders';
import { Operations1764300300000 } from './1764300300000-operations';
import { Licensing1764300400000 } from './1764300400000-licensing';
import { PrincipalNotify1764300500000 } from './1764300500000-principal-notify';
import { LoginAddressFailures1764410000000 } from './1764410000000-login-address-failures';
import { LogExceptionsWithoutStacks1764410100000 } from './1764410100000-log-exceptions-without-stacks';
import { AuditEvents1764420000000 } from './1764420000000-audit-events';
import { IdempotencyKeys1764430000000 } from './1764430000000-idempotency-keys';
import { PortalDeactivations1764450000000 } from './1764450000000-portal-deactivations';
import { Webhooks1764470000000 } from './1764470000000-webhooks';
import { WebhookAttemptClaims1764470100000 } from './1764470100000-webhook-attempt-claims';
import { WebhookOutboxChanges1764470200000 } from './1764470200000-webhook-outbox-changes';
import { WebhookOutboxPerStatement1764470300000 } from './1764470300000-webhook-outbox-per-statement';

/** Every migration, oldest first. A new migration file is added here too. */
export const ALL_MIGRATIONS = [
  Identity1764300000000,
  AppSettings1764300050000,
  CustomersResources1764300100000,
  ProductsOrders1764300200000,
  Operations1764300300000,
  Licensing1764300400000,
  PrincipalNotify1764300500000,
  LoginAddressFailures1764410000000,
  LogExceptionsWithoutStacks1764410100000,
  AuditEvents1764420000000,
  IdempotencyKeys1764430000000,
  PortalDeactivations1764450000000,
  Webhooks1764470000000,
  WebhookAttemptClaims1764470100000,
  WebhookOutboxChanges1764470200000,
  WebhookOutboxPerStatement1764470300000,
];
