import { AUDITED_TABLES } from '../audit';

/** Events that are not audit actions: a seat refused for want of a free one, swept when it expired, a license near its expiry. */
export const NON_AUDIT_EVENT_TYPES = ['seat.exhausted', 'seat.expired', 'license.expiring', 'webhook.test'] as const;

/** Audit actions beyond `<entity>.created|updated|deleted` (src/common/audit and the services that record them). */
const OTHER_AUDIT_ACTIONS = [
  'license.revoked',
  'license.activated',
  'license.deactivated',
  'seat.granted',
  'seat.released',
  'user.login',
  'user.login_failed',
  'webhook.disabled',
];

/** Every event type a webhook may subscribe to, sorted; `*` (all of them) is accepted besides. */
export const WEBHOOK_EVENT_TYPES: readonly string[] = [
  ...new Set([
    ...[...Object.values(AUDITED_TABLES), 'setting', 'webhook'].flatMap((entity) =>
      ['created', 'updated', 'deleted'].map((verb) => `${entity}.${verb}`),
    ),
    ...OTHER_AUDIT_ACTIONS,
    ...NON_AUDIT_EVENT_TYPES,
  ]),
].sort();
