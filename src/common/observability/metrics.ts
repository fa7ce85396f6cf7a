import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { ApiException } from '../errors/api.exception';
import { ErrorCode } from '../errors/error-code';

/**
 * The process's Prometheus registry and the metrics every module updates. Updates are O(1) and never wait
 * (a counter or histogram bucket increment); gauges that need the database or a service are collected when
 * /metrics is scraped (src/modules/metrics). Counters are per process, as Prometheus expects: a scrape of
 * each instance, summed by the query.
 */
export const metricsRegistry = new Registry();

collectDefaultMetrics({ register: metricsRegistry });

/** Seconds; buckets from 1 ms (a cached validation) to 10 s (a large list or a slow database). */
export const httpRequestDuration = new Histogram({
  name: 'http_request_duration_seconds',
  help: 'Time from request to response, by route pattern (e.g. /v1/licenses/:id), method and status',
  labelNames: ['method', 'route', 'status'] as const,
  buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [metricsRegistry],
});

/** A counter of one client-API call's outcomes, labelled by `result`. */
function resultCounter(name: string, help: string): Counter<'result'> {
  return new Counter({ name, help, labelNames: ['result'] as const, registers: [metricsRegistry] });
}

export const licensingActivations = resultCounter(
  'licensing_activations_total',
  'Activation requests of the client Licensing API by result (activated, reactivated, or the refusal code)',
);

export const licensingDeactivations = resultCounter(
  'licensing_deactivations_total',
  'Deactivation requests of the client Licensing API by result (deactivated, or the refusal code)',
);

export const licensingValidations = resultCounter(
  'licensing_validations_total',
  'Validations of the client Licensing API by result (valid, invalid, or the refusal code)',
);

export const licensingFloatingRequests = resultCounter(
  'licensing_floating_requests_total',
  'Floating seat requests of the client Licensing API by result (granted, renewed, or the refusal code)',
);

export const licensingSeats = new Counter({
  name: 'licensing_seats_total',
  help: 'Seats (activation and floating tokens) by outcome: granted, refused (none free), released, expired (swept)',
  labelNames: ['kind', 'outcome'] as const,
  registers: [metricsRegistry],
});

export const licensesGenerated = new Counter({
  name: 'licensing_licenses_generated_total',
  help: 'Licenses signed for a new license (POST /v1/licenses, order generation), by signature algorithm',
  labelNames: ['algorithm'] as const,
  registers: [metricsRegistry],
});

/** A refusal's result label: its stable error code's name (a bounded set: the catalogue), else "error". */
export function refusalResult(error: unknown): string {
  return error instanceof ApiException ? (ErrorCode[error.errorCode] ?? 'error') : 'error';
}

/**
 * Counts a refused licensing call under `counter` (by its error code) and, when the refusal is that no seat is
 * free, a refused seat of `seatKind`.
 */
export function countRefusal(counter: Counter<'result'>, error: unknown, seatKind?: 'activation' | 'floating'): void {
  counter.inc({ result: refusalResult(error) });
  if (seatKind && error instanceof ApiException && error.errorCode === ErrorCode.NoFreeSeat)
    licensingSeats.inc({ kind: seatKind, outcome: 'refused' });
}

/** A promise's catch handler that counts the refusal under `counter` and passes the error on. */
export function countedRefusal(counter: Counter<'result'>): (error: unknown) => never {
  return (error: unknown) => {
    countRefusal(counter, error);
    throw error;
  };
}
