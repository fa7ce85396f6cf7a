export interface CopyPresentOptions {
  /** Null keeps the current value instead of clearing it: for NOT NULL members such as flags and counts. */
  nullKeeps?: boolean;
  /** How a present value is stored (a date text as a Date, a blank id as null); the default stores it as given. */
  convert?: (value: unknown) => unknown;
}

/**
 * The update rule of every writable member: a member absent from `input` keeps its value, null clears it
 * (unless `nullKeeps`), anything else is written. `fields` are names from code, never from a request.
 */
export function copyPresent<T extends object, I extends object>(
  target: T,
  input: I,
  fields: ReadonlyArray<keyof T & keyof I & string>,
  options: CopyPresentOptions = {},
): void {
  for (const field of fields) {
    const value: unknown = input[field];
    if (value === undefined || (value === null && options.nullKeeps)) continue;
    (target as Record<string, unknown>)[field] = options.convert ? options.convert(value) : value;
  }
}

/** For `convert`: a date text (or null) as the Date a timestamptz column takes. */
export const toDateOrNull = (value: unknown): Date | null => (value ? new Date(value as string | number | Date) : null);
