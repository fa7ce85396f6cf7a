import { AsyncLocalStorage } from 'node:async_hooks';

/** Who caused a change: a signed-in user, an API key, a client of the Licensing API, or the server itself. */
export type ActorType = 'user' | 'apiKey' | 'client' | 'system';

export interface Actor {
  type: ActorType;
  id: string | null;
  name: string | null;
}

/** What the request that is running says about itself; absent outside a request (jobs, the sweeper). */
export interface RequestContext {
  actor: Actor;
  address: string | null;
  requestId: string | null;
}

export const SYSTEM_ACTOR: Actor = Object.freeze({ type: 'system', id: null, name: null });

const storage = new AsyncLocalStorage<RequestContext>();

/** Runs `work` with `context` as the current request's context, for everything it awaits. */
export function runInRequestContext<T>(context: RequestContext, work: () => T): T {
  return storage.run(context, work);
}

/** Names the caller of the running request (the guard, once it knows the principal). */
export function setRequestActor(actor: Actor): void {
  const context = storage.getStore();
  if (context) context.actor = actor;
}

/** The running request's context; outside a request, the system with no address. */
export function currentRequestContext(): RequestContext {
  return storage.getStore() ?? { actor: SYSTEM_ACTOR, address: null, requestId: null };
}
