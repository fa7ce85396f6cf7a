/**
 * Every error the API can answer with. The numeric values are part of the wire contract:
 * integrators switch on them, so a value is never reused or renumbered.
 */
export enum ErrorCode {
  Success = 0,

  // 1xx: the request itself is wrong
  ValidationFailed = 100,
  MalformedJson = 101,
  InvalidFilter = 102,
  InvalidQueryOption = 103,
  PayloadTooLarge = 104,
  UnsupportedMediaType = 105,
  MissingParameter = 106,
  InvalidReference = 107,
  WrongLicensingMode = 108,
  /** The body is missing, not a JSON object, or lacks the object member it wraps (`{"release": {…}}`). */
  InvalidBodyShape = 109,
  /** A string holds a control character, a lone surrogate, or bytes that are not UTF-8. */
  InvalidCharacters = 110,
  /** The body nests deeper or holds a longer array than the server accepts. */
  BodyTooComplex = 111,
  /** A webhook URL that is not http(s), carries credentials, does not resolve, or reaches a private address. */
  InvalidWebhookUrl = 112,
  /** A webhook subscribes to an event type the server does not send. */
  UnknownWebhookEvent = 113,
  /** The Idempotency-Key header is empty, longer than 255 characters or holds a character outside printable ASCII. */
  InvalidIdempotencyKey = 116,
  /** A list's `cursor` is malformed, was altered, or was signed with another secret. */
  InvalidCursor = 120,
  /** A list's `cursor` was issued for another list, filter or sort. */
  CursorQueryMismatch = 121,
  /** A list request gives both `cursor` and `skip`. */
  CursorWithSkip = 122,
  /** A list request gives `cursor` with a sort through a related record (`customer.company`). */
  CursorSortUnsupported = 123,

  // 2xx: who you are
  Unauthorized = 200,
  InvalidCredentials = 201,
  AccountLocked = 202,
  ApiKeyRevoked = 203,
  ApiKeyExpired = 204,
  TokenInvalid = 205,
  /** Too many failed logins from the client's address: 429 with Retry-After. */
  TooManyFailedLogins = 206,

  // 3xx: what you may do
  Forbidden = 300,
  PasswordChangeRequiresCurrentPassword = 301,
  LicenseRevoked = 310,
  LicenseExpired = 311,
  TokenExpired = 312,
  /** The signed-in user has the Customer role but belongs to no customer (the portal needs one). */
  NoCustomerAccount = 320,
  /** The customer portal's machine deactivations for a license are used up for the last 30 days. */
  DeactivationLimitReached = 321,

  // 4xx: what does not exist
  NotFound = 400,
  LicenseKeyNotFound = 410,
  TokenNotFound = 411,
  /** The portal's license id names no license of the caller's customer (another customer's looks the same). */
  CustomerLicenseNotFound = 420,

  // 5xx: state conflicts
  Conflict = 500,
  Duplicate = 501,
  InUse = 502,
  NoFreeSeat = 503,
  LicenseTampered = 504,
  EmailDisabled = 505,
  /** The webhook is disabled: enable it (PUT /v1/webhooks) before testing it or redelivering to it. */
  WebhookDisabled = 520,
  /** A request with this Idempotency-Key is still running: 409. */
  IdempotencyKeyInProgress = 530,
  /** This Idempotency-Key was used for a different method, path or body: 422. */
  IdempotencyKeyReused = 531,

  // 6xx: load and the limits of the HTTP server
  RateLimited = 600,
  /** Every password-hashing slot is taken and the queue is full: 503 with Retry-After. */
  ServerBusy = 601,
  /** Request headers larger than HTTP_MAX_HEADER_BYTES: 431. */
  HeadersTooLarge = 602,
  /** More header fields than the HTTP parser takes: 400. */
  TooManyHeaders = 603,
  /** Headers or body not received within HTTP_HEADERS_TIMEOUT_SECONDS / HTTP_REQUEST_TIMEOUT_SECONDS: 408. */
  RequestTimeout = 604,
  /** Not HTTP the server can parse (a bad request line, header or chunk): 400. */
  MalformedRequest = 605,

  // 9xx: the server or what it depends on
  InternalError = 900,
  DatabaseUnavailable = 901,
  UpstreamFailure = 902,
}
