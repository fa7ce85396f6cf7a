import type { AuthProvider } from 'react-admin';
import { ApiError, api, call, getSession, saveSession, userIdOf } from './api';

export const authProvider: AuthProvider = {
  async login({ username, password }: { username: string; password: string }) {
    const answer = await call(api.login({ body: { userName: username, password } }));
    const userId = userIdOf(answer.token);
    // The token is needed to read one's own roles.
    saveSession(answer.token, { userId, userName: username, roles: [], expiresAt: answer.expiresAt });
    try {
      const roles = await call(api.getUserRoles({ path: { userId } }));
      const names = roles.roles.map((role) => role.name ?? '').filter(Boolean);
      saveSession(answer.token, { userId, userName: username, roles: names, expiresAt: answer.expiresAt });
    } catch (error) {
      saveSession(null, null);
      throw error;
    }
  },
  async logout() {
    saveSession(null, null);
  },
  async checkAuth() {
    const session = getSession();
    if (!session || new Date(session.expiresAt).getTime() <= Date.now()) {
      saveSession(null, null);
      throw new Error('Your session has ended; sign in again');
    }
  },
  async checkError(error: unknown) {
    if (error instanceof ApiError && error.status === 401) {
      saveSession(null, null);
      throw error;
    }
  },
  async getPermissions() {
    return getSession()?.roles ?? [];
  },
  async getIdentity() {
    const session = getSession();
    if (!session) throw new Error('Not signed in');
    return { id: session.userId, fullName: session.userName };
  },
};
