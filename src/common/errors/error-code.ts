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

  // 2xx: who you are
  Unauthorized = 200,
  InvalidCredentials = 201,
  AccountLocked = 202,
  ApiKeyRevoked = 203,
  ApiKeyExpired = 204,
  TokenInvalid = 205,

  // 3xx: what you may do
  Forbidden = 300,
  PasswordChangeRequiresCurrentPassword = 301,
  LicenseRevoked = 310,
  LicenseExpired = 311,
  TokenExpired = 312,

  // 4xx: what does not exist
  NotFound = 400,
  LicenseKeyNotFound = 410,
  TokenNotFound = 411,

  // 5xx: state conflicts
  Conflict = 500,
  Duplicate = 501,
  InUse = 502,
  NoFreeSeat = 503,
  LicenseTampered = 504,
  EmailDisabled = 505,

  // 6xx: load
  RateLimited = 600,

  // 9xx: the server or what it depends on
  InternalError = 900,
  DatabaseUnavailable = 901,
  UpstreamFailure = 902,
}
