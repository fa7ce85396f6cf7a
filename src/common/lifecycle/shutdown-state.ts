import { Injectable } from '@nestjs/common';

/**
 * Whether the service is shutting down. Set first when SIGINT or SIGTERM arrives, so that the readiness probe
 * answers 503 and a load balancer sends no new requests while the ones in flight finish.
 */
@Injectable()
export class ShutdownState {
  private since?: Date;

  get stopping(): boolean {
    return this.since !== undefined;
  }

  markStopping(): void {
    this.since ??= new Date();
  }
}
