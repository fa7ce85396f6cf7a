import { DEFAULT_KEY_FORMATS } from '../../common/key-format';

export type SettingGroup = 'Application' | 'Licensing' | 'Email' | 'Reporting';
export type SettingType =
  'String' | 'Int32' | 'Double' | 'Boolean' | 'KeyFormat' | 'Email' | 'Password' | 'Enum' | 'Host';
export type SettingValue = string | number | boolean | null;

export interface SettingDefinition {
  group: SettingGroup;
  name: string;
  type: SettingType;
  default: SettingValue;
  description: string;
  min?: number;
  max?: number;
  values?: readonly string[];
  readOnly?: boolean;
  /** Never answered by GET; writable only. */
  secret?: boolean;
}

export const LOG_LEVELS = ['Verbose', 'Debug', 'Information', 'Warning', 'Error', 'Fatal'] as const;
export type LogLevelName = (typeof LOG_LEVELS)[number];

/** Which API calls the request log records; refusals (4xx) and failures (5xx) are in every volume. */
export const REQUEST_LOG_VOLUMES = ['All', 'WritesAndErrors', 'ErrorsOnly'] as const;
export type RequestLogVolume = (typeof REQUEST_LOG_VOLUMES)[number];

/**
 * Every application setting, its type, range and default. A setting absent from the database has its
 * default; PUT /v1/settings stores only what differs. Adding one here is all it takes to expose it.
 */
export const SETTING_DEFINITIONS = [
  {
    group: 'Application',
    name: 'ProductName',
    type: 'String',
    default: 'Open Licensing Server',
    max: 128,
    description: 'Name shown by /v1/info and in emails',
  },
  {
    group: 'Application',
    name: 'LogMinimumLevel',
    type: 'Enum',
    values: LOG_LEVELS,
    default: 'Information',
    description: 'Entries below this level are not written to the database log',
  },
  {
    group: 'Application',
    name: 'RequestLogVolume',
    type: 'Enum',
    values: REQUEST_LOG_VOLUMES,
    default: 'All',
    description:
      'API calls the request log records: All, WritesAndErrors (every method but GET, HEAD and OPTIONS, plus every 4xx and 5xx) or ErrorsOnly (4xx and 5xx)',
  },
  {
    group: 'Application',
    name: 'RequestLogClientSampleRate',
    type: 'Double',
    default: 0.01,
    min: 0,
    max: 1,
    description:
      'Share of the successful client Licensing API calls (/v1/license/…) kept by RequestLogVolume that the request log records (0.01: one in a hundred, 1: all, 0: none); its refusals and failures are always recorded',
  },
  {
    group: 'Application',
    name: 'LogRetentionDays',
    type: 'Int32',
    default: 30,
    min: 1,
    max: 3650,
    description: 'Database log entries older than this are purged',
  },
  {
    group: 'Application',
    name: 'AuditRetentionDays',
    type: 'Int32',
    default: 365,
    min: 1,
    max: 36500,
    description: 'Audit events older than this are purged (daily)',
  },
  {
    group: 'Application',
    name: 'WebhookDeliveryRetentionDays',
    type: 'Int32',
    default: 30,
    min: 1,
    max: 36500,
    description: 'Finished webhook deliveries (succeeded or failed) older than this are purged (daily)',
  },
  {
    group: 'Application',
    name: 'MaxResourceDataBytes',
    type: 'Int32',
    default: 5 * 1024 * 1024,
    min: 1024,
    max: 100 * 1024 * 1024,
    description: 'Largest resource data (decoded bytes)',
  },
  {
    group: 'Application',
    name: 'DatabaseVersion',
    type: 'String',
    default: null,
    readOnly: true,
    description: 'Latest applied migration (read-only)',
  },

  {
    group: 'Licensing',
    name: 'LicenseIdFormat',
    type: 'KeyFormat',
    default: DEFAULT_KEY_FORMATS.licenseId,
    description: 'Format of new license ids',
  },
  {
    group: 'Licensing',
    name: 'UserKeyFormat',
    type: 'KeyFormat',
    default: DEFAULT_KEY_FORMATS.userKey,
    description: 'Format of new user keys when the template has none',
  },
  {
    group: 'Licensing',
    name: 'CustomerCodeFormat',
    type: 'KeyFormat',
    default: DEFAULT_KEY_FORMATS.customerCode,
    description: 'Format of generated customer codes',
  },
  {
    group: 'Licensing',
    name: 'OrderNumberFormat',
    type: 'KeyFormat',
    default: DEFAULT_KEY_FORMATS.orderNumber,
    description: 'Format of generated order numbers',
  },
  {
    group: 'Licensing',
    name: 'ActivationTokenFormat',
    type: 'KeyFormat',
    default: DEFAULT_KEY_FORMATS.activationToken,
    description: 'Format of activation tokens',
  },
  {
    group: 'Licensing',
    name: 'FloatingTokenFormat',
    type: 'KeyFormat',
    default: DEFAULT_KEY_FORMATS.floatingToken,
    description: 'Format of floating seat tokens',
  },
  {
    group: 'Licensing',
    name: 'ActivationTokenDays',
    type: 'Int32',
    default: 0,
    min: 0,
    max: 36500,
    description: 'Days an activation stays valid; 0 = until deactivated or the license expires',
  },
  {
    group: 'Licensing',
    name: 'HeartbeatIntervalSeconds',
    type: 'Int32',
    default: 300,
    min: 5,
    max: 86400,
    description: 'How often floating clients send a heartbeat',
  },
  {
    group: 'Licensing',
    name: 'HeartbeatGraceFactor',
    type: 'Double',
    default: 2,
    min: 1,
    max: 10,
    description: 'A seat expires after interval × factor without a heartbeat',
  },
  {
    group: 'Licensing',
    name: 'TokenSweepSeconds',
    type: 'Int32',
    default: 60,
    min: 5,
    max: 86400,
    description: 'How often expired seats are swept',
  },
  {
    group: 'Licensing',
    name: 'RateLimitPerMinute',
    type: 'Int32',
    default: 600,
    min: 1,
    max: 10_000_000,
    description: 'Client licensing API calls one client address may make per minute (429 beyond)',
  },
  {
    group: 'Licensing',
    name: 'UserKeyRateLimitPerMinute',
    type: 'Int32',
    default: 300,
    min: 1,
    max: 10_000_000,
    description: 'Client licensing API calls per user key (or license token) per minute (429 beyond)',
  },
  {
    group: 'Licensing',
    name: 'ExpiringNoticeDays',
    type: 'Int32',
    default: 7,
    min: 1,
    max: 3650,
    description: 'license.expiring webhook events go out this many days before a license expires (a daily job)',
  },
  {
    group: 'Licensing',
    name: 'PortalDeactivationsPer30Days',
    type: 'Int32',
    default: 3,
    min: 0,
    max: 1000,
    description: 'Machines a customer may deactivate per license in 30 days in the customer portal (0 = none)',
  },

  { group: 'Email', name: 'Enabled', type: 'Boolean', default: false, description: 'Send email at all' },
  { group: 'Email', name: 'SmtpHost', type: 'Host', default: 'localhost', max: 253, description: 'SMTP server host' },
  { group: 'Email', name: 'SmtpPort', type: 'Int32', default: 25, min: 1, max: 65535, description: 'SMTP server port' },
  {
    group: 'Email',
    name: 'SmtpSecure',
    type: 'Boolean',
    default: false,
    description: 'Use TLS from the start (port 465); otherwise STARTTLS when offered',
  },
  {
    group: 'Email',
    name: 'SmtpUser',
    type: 'String',
    default: '',
    max: 256,
    description: 'SMTP user name; empty for none',
  },
  {
    group: 'Email',
    name: 'SmtpPassword',
    type: 'Password',
    default: '',
    max: 256,
    secret: true,
    description: 'SMTP password (write-only)',
  },
  { group: 'Email', name: 'FromAddress', type: 'Email', default: 'licensing@localhost', description: 'Sender address' },
  {
    group: 'Email',
    name: 'FromName',
    type: 'String',
    default: 'Licensing',
    max: 128,
    description: 'Sender display name',
  },
  {
    group: 'Email',
    name: 'MaxMessageBytes',
    type: 'Int32',
    default: 10 * 1024 * 1024,
    min: 1024,
    max: 50 * 1024 * 1024,
    description: 'Largest message, attachments included',
  },

  {
    group: 'Reporting',
    name: 'MaxReportContentBytes',
    type: 'Int32',
    default: 1024 * 1024,
    min: 1024,
    max: 50 * 1024 * 1024,
    description: 'Largest report content a client may submit (decoded bytes)',
  },
  {
    group: 'Reporting',
    name: 'ReportRetentionDays',
    type: 'Int32',
    default: 365,
    min: 1,
    max: 36500,
    description: 'Reports older than this are purged',
  },
] as const satisfies readonly SettingDefinition[];

export type SettingKey =
  `${(typeof SETTING_DEFINITIONS)[number]['group']}.${(typeof SETTING_DEFINITIONS)[number]['name']}`;

export const settingKey = (group: string, name: string) => `${group}.${name}`.toLowerCase();
