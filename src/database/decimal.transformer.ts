import type { ValueTransformer } from 'typeorm';

/**
 * numeric columns reach JavaScript as strings (pg keeps them exact); on the wire money is a number.
 * Amounts are stored with 4 decimals and computed in SQL, so the float conversion happens only at
 * the edge, where it cannot accumulate.
 */
export const decimalTransformer: ValueTransformer = {
  to: (value: number | null | undefined) => value,
  from: (value: string | null) => (value === null || value === undefined ? null : Number(value)),
};
