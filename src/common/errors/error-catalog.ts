import { ErrorCode } from './error-code';

/** What a client needs to know about one error code: the README table and the OpenAPI examples are built from it. */
export interface ErrorCodeEntry {
  /** The HTTP statuses the code is answered with (most codes have one). */
  statuses: readonly number[];
  meaning: string;
  /** What the caller should do about it. */
  action: string;
  /** A message the server really answers with this code, for the OpenAPI examples. */
  example: string;
  /** Envelope members beyond success, code and message that come with this code. */
  details?: Record<string, unknown>;
}

/**
 * Every code of ErrorCode, typed so that a code added to the enum without an entry here fails to compile.
 * `npm run errors:table` writes the README's table from it; error-catalog.spec.ts fails when the two differ.
 */
export const ERROR_CATALOG: Record<ErrorCode, ErrorCodeEntry> = {
  [ErrorCode.Success]: {
    statuses: [200],
    meaning: 'The operation succeeded',
    action: 'Nothing',
    example: 'OK',
  },

  [ErrorCode.ValidationFailed]: {
    statuses: [400],
    meaning: 'A body member, path id or query parameter is missing, of the wrong type, out of range or unknown',
    action: 'Correct the members the message names and send again',
    example: 'Invalid request: license.unknownMember: property unknownMember should not exist',
  },
  [ErrorCode.MalformedJson]: {
    statuses: [400],
    meaning: 'The body is not valid JSON',
    action: 'Send well-formed JSON in UTF-8',
    example: 'The request body is not valid JSON: Unexpected end of JSON input',
  },
  [ErrorCode.InvalidFilter]: {
    statuses: [400],
    meaning:
      'The `filter` expression does not parse, names an unknown field or compares with a value of the wrong type',
    action: 'Fix the expression at the column the message names (README "Lists")',
    example:
      'Invalid filter at column 6: expected "false", "null", "true", field name, number or string but found the end of the filter',
  },
  [ErrorCode.InvalidQueryOption]: {
    statuses: [400],
    meaning: '`sort`, `select`, `include`, `take`, `skip` or another query parameter is malformed or out of range',
    action: 'Use only the fields and ranges the message lists',
    example: 'take must be a whole number from 0 to 1000',
  },
  [ErrorCode.PayloadTooLarge]: {
    statuses: [413],
    meaning: 'The body, a report content or a resource data is larger than the server accepts',
    action: 'Send less, or raise BODY_LIMIT_BYTES or the setting the message names',
    example: 'Request body is too large',
  },
  [ErrorCode.UnsupportedMediaType]: {
    statuses: [415],
    meaning: 'The body is sent with a content type other than JSON',
    action: 'Send Content-Type: application/json',
    example: 'Unsupported Media Type',
  },
  [ErrorCode.MissingParameter]: {
    statuses: [400],
    meaning: 'A parameter the operation needs is absent',
    action: 'Add the parameter the message names',
    example: 'Send machineId (the machine to deactivate) or licenseToken (its activation token)',
  },
  [ErrorCode.InvalidReference]: {
    statuses: [400],
    meaning: 'An id in the body names a record that does not exist or is of the wrong kind',
    action: 'Send the id of an existing record of the kind the message names (0 or null for none)',
    example: 'license.customerId: customer 4711 does not exist',
  },
  [ErrorCode.WrongLicensingMode]: {
    statuses: [400],
    meaning: "The operation does not fit the license's licensing mode (file, activation, floating)",
    action: 'Call the operation the message suggests for this mode',
    example:
      'License lic1a2b3c4d is a floating license, so it cannot be activated: take a seat with POST /v1/license/floating/request and free it with POST /v1/license/floating/release',
  },
  [ErrorCode.InvalidBodyShape]: {
    statuses: [400],
    meaning:
      'The body is missing, empty, null, an array or not an object, or its wrapper member is missing or not an object',
    action: 'Send the JSON object the message shows, with the record inside its wrapper member',
    example: 'The body must be {"release": {…}}',
  },
  [ErrorCode.InvalidCharacters]: {
    statuses: [400],
    meaning:
      'A string (body value or member name, query or path parameter) holds a control character other than tab, CR and LF, a lone surrogate, or bytes that are not UTF-8',
    action: 'Remove the character from the field the message names and send UTF-8',
    example:
      'license.licenseeName contains the control character U+0000; text may hold no control characters other than tab, CR and LF',
  },
  [ErrorCode.BodyTooComplex]: {
    statuses: [400],
    meaning: 'The body nests objects and arrays deeper than 64 levels or holds an array of more than 10,000 items',
    action: 'Send a flatter body, or split a long array over several requests',
    example: 'The request body nests objects and arrays deeper than 64 levels',
  },
  [ErrorCode.InvalidWebhookUrl]: {
    statuses: [400],
    meaning:
      'The webhook URL is not an absolute http or https URL, carries a user name or password, names a host that does not resolve, or reaches a loopback, private or link-local address while WEBHOOK_ALLOW_PRIVATE_NETWORKS is off',
    action: 'Send a public http or https URL of the receiver',
    example:
      'webhook.url: 127.0.0.1 is a loopback, private or link-local address (WEBHOOK_ALLOW_PRIVATE_NETWORKS is off)',
  },
  [ErrorCode.UnknownWebhookEvent]: {
    statuses: [400],
    meaning: 'webhook.events names an event type the server does not send, or is empty',
    action: 'Subscribe to event types of the README\'s Webhooks section, or to "*" for all',
    example: 'webhook.events: unknown event type "licence.created"; send types such as license.created, or "*"',
  },
  [ErrorCode.InvalidIdempotencyKey]: {
    statuses: [400],
    meaning:
      'The Idempotency-Key header is empty, longer than 255 characters or holds a character outside printable ASCII',
    action: 'Send 1 to 255 printable ASCII characters, e.g. a UUID generated once per logical request',
    example: 'Idempotency-Key must be 1 to 255 printable ASCII characters (e.g. a UUID); got 300 characters',
  },
  [ErrorCode.InvalidCursor]: {
    statuses: [400],
    meaning:
      "The list `cursor` is not one this server issued: malformed, altered, or signed before the server's secret (JWT_SECRET) changed",
    action: 'Pass the `nextCursor` of the previous page unchanged, or start again from the first page without `cursor`',
    example: 'cursor was altered or not issued by this server; pass the nextCursor of the previous page unchanged',
  },
  [ErrorCode.CursorQueryMismatch]: {
    statuses: [400],
    meaning: 'The list `cursor` was issued for another list, filter or sort than this request',
    action:
      'Send the same path, `filter` and `sort` as the request that answered the cursor, or start again without `cursor`',
    example:
      'cursor belongs to another list, filter or sort; send the path, filter and sort of the request that answered it, or leave cursor out to start again',
  },
  [ErrorCode.CursorWithSkip]: {
    statuses: [400],
    meaning: 'A list request gives both `cursor` and `skip`, two ways of saying where the page starts',
    action: 'Leave out `skip` when you pass `cursor`',
    example: 'cursor and skip cannot be combined: the cursor already says where the page starts; leave out skip',
  },
  [ErrorCode.CursorSortUnsupported]: {
    statuses: [400],
    meaning:
      "A list request gives `cursor` with a sort through a related record (`customer.company`); cursors follow sorts on the list's own fields",
    action: "Sort by the list's own fields to page with `cursor`, or page with `skip`",
    example:
      'cursor cannot follow sort "customer.company", a field of a related record; sort by the list\'s own fields or page with skip',
  },

  [ErrorCode.Unauthorized]: {
    statuses: [401],
    meaning: 'No credentials, or a login token or API key that is not valid',
    action: 'Send "Authorization: Bearer <token>" from POST /v1/auth/login or an "x-api-key" header',
    example:
      'Authentication required: send "Authorization: Bearer <token>" from POST /v1/auth/login or an "x-api-key" header',
  },
  [ErrorCode.InvalidCredentials]: {
    statuses: [401],
    meaning: 'The user name or password is wrong',
    action: 'Check both; repeated failures lock the account',
    example: 'Wrong user name or password',
  },
  [ErrorCode.AccountLocked]: {
    statuses: [401],
    meaning: 'The account is locked after too many failed logins',
    action: 'Wait the seconds the message names, or have an administrator set a new password (PUT /v1/users)',
    example: 'The account is locked after too many failed logins; try again in 300 s',
  },
  [ErrorCode.ApiKeyRevoked]: {
    statuses: [401],
    meaning: 'The API key has been revoked',
    action: 'Create a new API key',
    example: 'The API key has been revoked',
  },
  [ErrorCode.ApiKeyExpired]: {
    statuses: [401],
    meaning: 'The API key is past its expiry date',
    action: 'Create a new API key or extend this one',
    example: 'The API key has expired',
  },
  [ErrorCode.TokenInvalid]: {
    statuses: [401],
    meaning: 'The login token names a user that no longer exists',
    action: 'Log in again',
    example: 'The user of this token no longer exists',
  },
  [ErrorCode.TooManyFailedLogins]: {
    statuses: [429],
    meaning: 'Too many failed logins from this client address within the window',
    action: 'Wait the seconds in the Retry-After header (LOGIN_ADDRESS_MAX_FAILURES, LOGIN_ADDRESS_WINDOW_SECONDS)',
    example: 'Too many failed logins from this address; try again in 840 s',
    details: { retryAfterSeconds: 840 },
  },

  [ErrorCode.Forbidden]: {
    statuses: [403],
    meaning: "The caller's roles or the API key's permission bits do not allow this operation",
    action: 'Use an account with one of the roles the message lists, or an API key with the permission',
    example: 'Your roles (Sales) do not allow delete here; it needs one of: Administrator, LicenseManager',
  },
  [ErrorCode.PasswordChangeRequiresCurrentPassword]: {
    statuses: [400, 403],
    meaning: 'Changing your own password needs the current one: missing (400) or wrong (403)',
    action: 'Send currentPassword with newPassword',
    example: 'currentPassword is required to change your password',
  },
  [ErrorCode.LicenseRevoked]: {
    statuses: [403],
    meaning: 'The license is revoked',
    action: 'Contact the vendor',
    example: 'License lic1a2b3c4d is revoked; contact the vendor',
  },
  [ErrorCode.LicenseExpired]: {
    statuses: [403],
    meaning: 'The license is past its expiry date',
    action: 'Renew it with the vendor',
    example: 'License lic1a2b3c4d expired on 2026-01-31T00:00:00.000Z; renew it with the vendor',
  },
  [ErrorCode.TokenExpired]: {
    statuses: [403],
    meaning: 'The activation or floating token is past its expiry',
    action: 'Request a new seat (floating) or activate again',
    example: 'The license token expired at 2026-01-31T12:00:00.000Z; request a new seat (floating) or activate again',
  },

  [ErrorCode.NoCustomerAccount]: {
    statuses: [403],
    meaning: 'The customer portal was called by a user who belongs to no customer',
    action: "Have an administrator set the user's customerId (PUT /v1/users)",
    example: 'User "ada" belongs to no customer; an administrator sets its customerId to open the portal',
  },
  [ErrorCode.DeactivationLimitReached]: {
    statuses: [403],
    meaning:
      'The machine deactivations the portal allows per license in 30 days (Licensing.PortalDeactivationsPer30Days) are used up',
    action: 'Wait until the date the message names, or ask the vendor to free the machine',
    example:
      'License lic0a1b2c3d had 3 of 3 machine deactivations in the last 30 days; the next one is possible from 2026-12-24T10:00:00.000Z',
  },
  [ErrorCode.NotFound]: {
    statuses: [404],
    meaning: 'The record the path or body names does not exist (also: unknown route)',
    action: 'Check the id; list the records to find it',
    example: 'License 4711 does not exist',
  },
  [ErrorCode.LicenseKeyNotFound]: {
    statuses: [404],
    meaning: 'No license has this user key',
    action: 'Check the key exactly as it was delivered',
    example: 'No license has this user key; check the key exactly as it was delivered',
  },
  [ErrorCode.TokenNotFound]: {
    statuses: [404],
    meaning: 'No such license token for this license',
    action: 'Activate again or request a new seat',
    example: 'No such license token for this license; activate again or request a new seat',
  },

  [ErrorCode.CustomerLicenseNotFound]: {
    statuses: [404],
    meaning: "The customer portal names a license that is not one of your customer's",
    action: 'List your licenses (GET /v1/portal/licenses) and use one of their ids',
    example: 'Your customer has no license 42',
  },
  [ErrorCode.Conflict]: {
    statuses: [409],
    meaning: 'The request conflicts with the current state of the record',
    action: 'Read the record again and retry with the current state',
    example: 'The record is referenced by or references another record that blocks this change',
  },
  [ErrorCode.Duplicate]: {
    statuses: [409],
    meaning: 'A unique value (code, name, number, user key) is already taken',
    action: 'Choose another value, or update the record that holds it',
    example: 'The user name "jdoe" is already taken',
  },
  [ErrorCode.InUse]: {
    statuses: [409],
    meaning: 'Other records still point at the record, so it cannot be deleted or changed that way',
    action: 'Remove or re-point the records the message lists first',
    example: 'product 3 has 2 order lines and 1 release; remove them first',
  },
  [ErrorCode.NoFreeSeat]: {
    statuses: [409],
    meaning: 'Every activation or floating seat of the license is in use',
    action: 'Deactivate another machine or release a seat, or retry later',
    example: 'License lic1a2b3c4d has no free seat: 5 of 5 floating seats are in use; release a seat or retry later',
    details: { activeClientCount: 5, maxClientCount: 5 },
  },
  [ErrorCode.LicenseTampered]: {
    statuses: [409],
    meaning: 'The stored license no longer matches its hash or signature',
    action: 'Have the vendor re-issue the license',
    example:
      'License lic1a2b3c4d no longer matches its hash or signature as stored on the server; the vendor must re-issue it',
  },
  [ErrorCode.EmailDisabled]: {
    statuses: [409],
    meaning: 'Sending email is switched off or not configured',
    action: 'Set the Email settings (PUT /v1/settings) and enable sending',
    example:
      'Email is disabled: set the Email.Enabled setting to true (PUT /v1/settings) and configure the SMTP server to send email',
  },
  [ErrorCode.WebhookDisabled]: {
    statuses: [409],
    meaning:
      'The webhook is disabled (by a PUT, or after too many failed deliveries in a row), so nothing is sent to it',
    action: 'Enable it with PUT /v1/webhooks ({"webhook": {"id": …, "enabled": true}}), then try again',
    example: 'Webhook 3 is disabled; enable it with PUT /v1/webhooks before sending to it',
  },
  [ErrorCode.IdempotencyKeyInProgress]: {
    statuses: [409],
    meaning: 'A request with this Idempotency-Key is still running (on this or another instance)',
    action: "Wait a moment and send the same request again: it then answers the first request's result",
    example:
      'A request with Idempotency-Key "order-7-license" is still running; send it again once it has finished to get its answer',
  },
  [ErrorCode.IdempotencyKeyReused]: {
    statuses: [422],
    meaning: 'This Idempotency-Key was already used for a different method, path or body',
    action: 'Send the original request unchanged, or a new Idempotency-Key for a new request',
    example:
      'Idempotency-Key "order-7-license" was already used for a different request (method, path or body); use a new key for a new request',
  },

  [ErrorCode.RateLimited]: {
    statuses: [429],
    meaning: 'Too many requests from this client address or for this user key',
    action: 'Wait the seconds in the Retry-After header',
    example:
      'Too many licensing requests: the limit is 60 per minute per client address and per user key; retry in 42 s',
    details: { retryAfterSeconds: 42 },
  },
  [ErrorCode.ServerBusy]: {
    statuses: [503],
    meaning: 'Every password-hashing slot is busy and the queue is full (login, setting a password)',
    action: 'Retry after the seconds in the Retry-After header',
    example: 'The server is busy checking other passwords; try again in a second',
    details: { retryAfterSeconds: 1 },
  },
  // 602-605 are answered by the HTTP server before any route runs (common/http/server-limits.ts), so the
  // OpenAPI document lists them on no operation; the examples use the default limits.
  [ErrorCode.HeadersTooLarge]: {
    statuses: [431],
    meaning: 'The request headers are larger than HTTP_MAX_HEADER_BYTES',
    action: 'Send smaller headers (cookies, tokens)',
    example: 'The request headers are larger than the server accepts (16384 bytes)',
  },
  [ErrorCode.TooManyHeaders]: {
    statuses: [400],
    meaning: 'The request has more header fields than the HTTP parser takes',
    action: 'Send fewer header fields',
    example: 'The request has more header fields than the server accepts; send fewer',
  },
  [ErrorCode.RequestTimeout]: {
    statuses: [408],
    meaning: 'Headers or body did not arrive within HTTP_HEADERS_TIMEOUT_SECONDS / HTTP_REQUEST_TIMEOUT_SECONDS',
    action: 'Send the whole request promptly; check the network',
    example: 'The request was not received in time: headers are due within 20 s, the whole request within 120 s',
  },
  [ErrorCode.MalformedRequest]: {
    statuses: [400],
    meaning: 'Not HTTP the server can parse (a bad request line, header or chunk), or a request the client abandoned',
    action: 'Fix the HTTP client or proxy that sent it',
    example: 'The client closed the connection before the request was complete',
  },

  [ErrorCode.InternalError]: {
    statuses: [500],
    meaning: 'An unexpected error; it is logged with its stack on the server, never in the answer',
    action: 'Retry; if it persists, give the operator the time and the request (GET /v1/log)',
    example: 'An unexpected error occurred; it has been logged',
  },
  [ErrorCode.DatabaseUnavailable]: {
    statuses: [503],
    meaning: 'PostgreSQL cannot be reached',
    action: 'Retry shortly; operators: check the database (GET /health/ready)',
    example: 'The database is unavailable; try again shortly',
  },
  [ErrorCode.UpstreamFailure]: {
    statuses: [502],
    meaning: 'A server the service depends on (SMTP) refused or failed',
    action: 'Check the settings of that server (Email.*) and retry',
    example: 'The SMTP server smtp.example.com:587 did not accept the message: connection refused',
  },
};

/** The codes answered with `status`, in numeric order. */
export function errorCodesWithStatus(status: number): ErrorCode[] {
  return errorCodes().filter((code) => ERROR_CATALOG[code].statuses.includes(status));
}

/** Every code of the enum, in numeric order. */
export function errorCodes(): ErrorCode[] {
  return Object.values(ErrorCode)
    .filter((value): value is ErrorCode => typeof value === 'number')
    .sort((a, b) => a - b);
}

export function errorCodeName(code: ErrorCode): string {
  return ErrorCode[code];
}

export const ERROR_TABLE_START =
  '<!-- generated from ERROR_CATALOG (src/common/errors/error-catalog.ts): npm run errors:table -->';
export const ERROR_TABLE_END = '<!-- end of the generated error code table -->';

/** The README's table of error codes, between its two markers. */
export function renderErrorCodeTable(): string {
  const cell = (text: string) => text.replace(/\|/g, '\\|');
  const rows = errorCodes().map((code) => {
    const entry = ERROR_CATALOG[code];
    return `| ${code} | \`${errorCodeName(code)}\` | ${cell(entry.meaning)} | ${entry.statuses.join(', ')} | ${cell(entry.action)} |`;
  });
  return [
    ERROR_TABLE_START,
    '| code | name | meaning | HTTP status | what to do |',
    '|---|---|---|---|---|',
    ...rows,
    ERROR_TABLE_END,
  ].join('\n');
}

/** `readme` with its error code table replaced by the current one; throws when the markers are missing. */
export function withErrorCodeTable(readme: string): string {
  const start = readme.indexOf(ERROR_TABLE_START);
  const end = readme.indexOf(ERROR_TABLE_END);
  if (start < 0 || end < start) throw new Error(`README.md has no "${ERROR_TABLE_START}" … "${ERROR_TABLE_END}" block`);
  return readme.slice(0, start) + renderErrorCodeTable() + readme.slice(end + ERROR_TABLE_END.length);
}
