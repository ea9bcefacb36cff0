import type { GenerationStatusCode } from '../../ports/read-models';

export const GENERATION_STATUS_CODES: readonly GenerationStatusCode[] = [0, 1, 2, 3, 4];

export function emptyStatusCounts(): Record<GenerationStatusCode, number> {
  return { 0: 0, 1: 0, 2: 0, 3: 0, 4: 0 };
}

export function isGenerationStatusCode(value: unknown): value is GenerationStatusCode {
  return GENERATION_STATUS_CODES.includes(value as GenerationStatusCode);
}
