import { createHash } from 'node:crypto';

/** API keys are high-entropy random strings, so a fast hash is enough to keep them unusable if the table leaks. */
export function hashApiKey(plainKey: string): string {
  return createHash('sha256').update(plainKey, 'utf8').digest('hex');
}

export const API_KEY_PATTERN = /^api_[a-z0-9]{24}$/;
