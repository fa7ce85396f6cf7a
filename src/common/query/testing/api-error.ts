import { ApiException } from '../../errors';

/** Runs `action` and returns the ApiException it throws, failing the test if it throws nothing. */
export function apiErrorOf(action: () => unknown): ApiException {
  try {
    action();
  } catch (error) {
    if (error instanceof ApiException) return error;
    throw error;
  }
  throw new Error('expected an ApiException, but nothing was thrown');
}
