import { HttpStatus } from '@nestjs/common';
import { ApiException, ErrorCode } from '../../common/errors';
import { LicensingMode } from '../signing';

const iso = (date: Date) => date.toISOString();

const MODE_NAMES: Record<LicensingMode, string> = {
  [LicensingMode.File]: 'a file license',
  [LicensingMode.Activation]: 'an activation license',
  [LicensingMode.Floating]: 'a floating license',
};

/** What to call instead, by the mode the license really has. */
const MODE_HINTS: Record<LicensingMode, string> = {
  [LicensingMode.File]:
    'it needs neither activation nor a seat: verify its licenseKey offline (POST /v1/license/validate answers it)',
  [LicensingMode.Activation]: 'activate it with POST /v1/license/activate and free it with POST /v1/license/deactivate',
  [LicensingMode.Floating]:
    'take a seat with POST /v1/license/floating/request and free it with POST /v1/license/floating/release',
};

/**
 * The client API's refusals. Messages name the public license id (never the row id, the user key or
 * anything of another license) and say what the caller can do.
 */
export const LicensingErrors = {
  keyNotFound: () =>
    new ApiException(
      ErrorCode.LicenseKeyNotFound,
      'No license has this user key; check the key exactly as it was delivered',
      HttpStatus.NOT_FOUND,
    ),

  /** Also for tokens of another user key: whether they exist is not this caller's business. */
  tokenNotFound: () =>
    new ApiException(
      ErrorCode.TokenNotFound,
      'No such license token for this license; activate again or request a new seat',
      HttpStatus.NOT_FOUND,
    ),

  tokenExpired: (expiredAt: Date | null) =>
    new ApiException(
      ErrorCode.TokenExpired,
      `The license token expired${expiredAt ? ` at ${iso(expiredAt)}` : ''}; request a new seat (floating) or activate again`,
      HttpStatus.FORBIDDEN,
    ),

  revoked: (licenseId: string) =>
    new ApiException(
      ErrorCode.LicenseRevoked,
      `License ${licenseId} is revoked; contact the vendor`,
      HttpStatus.FORBIDDEN,
    ),

  expired: (licenseId: string, expiredAt: Date | null) =>
    new ApiException(
      ErrorCode.LicenseExpired,
      `License ${licenseId} expired${expiredAt ? ` on ${iso(expiredAt)}` : ''}; renew it with the vendor`,
      HttpStatus.FORBIDDEN,
    ),

  tampered: (licenseId: string) =>
    new ApiException(
      ErrorCode.LicenseTampered,
      `License ${licenseId} no longer matches its hash or signature as stored on the server; the vendor must re-issue it`,
      HttpStatus.CONFLICT,
    ),

  wrongMode: (licenseId: string, mode: LicensingMode, operation: string) =>
    ApiException.badRequest(
      `License ${licenseId} is ${MODE_NAMES[mode] ?? `a mode ${mode} license`}, so it cannot ${operation}: ${MODE_HINTS[mode] ?? ''}`,
      ErrorCode.WrongLicensingMode,
    ),

  noFreeSeat: (licenseId: string, mode: LicensingMode, active: number, max: number) => {
    const what = mode === LicensingMode.Floating ? 'floating seats' : 'activations';
    const remedy =
      mode === LicensingMode.Floating ? 'release a seat or retry later' : 'deactivate another machine first';
    return ApiException.conflict(
      `License ${licenseId} has no free seat: ${active} of ${max} ${what} are in use; ${remedy}`,
      ErrorCode.NoFreeSeat,
      {
        activeClientCount: active,
        maxClientCount: max,
      },
    );
  },
};
