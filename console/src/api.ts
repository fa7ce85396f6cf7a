// The console talks to the service only through the SDK generated from openapi.json (`npm run sdk`, into sdk/).
import { client } from '../../sdk/src/client.gen';

export * as api from '../../sdk/src/sdk.gen';

const TOKEN_KEY = 'ols.console.token';
const SESSION_KEY = 'ols.console.session';

export interface Session {
  userId: string;
  userName: string;
  roles: string[];
  expiresAt: string;
}

export function getToken(): string | null {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function getSession(): Session | null {
  const text = sessionStorage.getItem(SESSION_KEY);
  return text ? (JSON.parse(text) as Session) : null;
}

export function saveSession(token: string | null, session: Session | null): void {
  if (token && session) {
    sessionStorage.setItem(TOKEN_KEY, token);
    sessionStorage.setItem(SESSION_KEY, JSON.stringify(session));
  } else {
    sessionStorage.removeItem(TOKEN_KEY);
    sessionStorage.removeItem(SESSION_KEY);
  }
}

client.setConfig({
  baseUrl: window.location.origin,
  // Every operation accepts a Bearer token or an API key; the console signs in, so it sends the Bearer token only.
  auth: (scheme) => (scheme.scheme === 'bearer' ? (getToken() ?? undefined) : undefined),
});

/** The envelope of a refusal: a stable code and a message that says what to fix. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: number,
    readonly body: Record<string, unknown>,
  ) {
    super(message);
  }
}

interface SdkResult<T> {
  data?: T;
  error?: unknown;
  response?: Response;
}

/** Runs an SDK call and answers its payload, or throws the API's own message and code. */
export async function call<T>(request: Promise<SdkResult<T>>): Promise<T> {
  let result: SdkResult<T>;
  try {
    result = await request;
  } catch (error) {
    throw new ApiError(`The service cannot be reached: ${String(error)}`, 0, 0, {});
  }
  const status = result.response?.status ?? 0;
  if (result.error !== undefined || status >= 400) {
    const body = (typeof result.error === 'object' && result.error !== null ? result.error : {}) as Record<
      string,
      unknown
    >;
    const message = typeof body.message === 'string' ? body.message : `The service answered ${status}`;
    throw new ApiError(message, status, typeof body.code === 'number' ? body.code : 0, body);
  }
  return result.data as T;
}

/** The JWT's subject is the user id (the login answer carries only the token). */
export function userIdOf(token: string): string {
  const payload = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
  return (JSON.parse(atob(payload)) as { sub: string }).sub;
}
