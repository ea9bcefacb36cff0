import { recordPage } from '../../integration/e2e/support/records';
import type { ApiClient } from '../../integration/e2e/support/api-client';

/** Finished (completed or failed) records of the batch, from the read models through the API. */
export async function countTerminal(
  viewer: ApiClient,
  batch: { createBy: string; workId: string },
): Promise<number> {
  const totals = await Promise.all(
    (['image', 'video'] as const).flatMap((kind) =>
      [2, 3].map(
        async (generationStatus) =>
          (
            await recordPage(
              viewer,
              kind,
              { createBy: batch.createBy, workId: batch.workId, generationStatus },
              1,
              1,
            )
          ).total,
      ),
    ),
  );
  return totals.reduce((sum, total) => sum + total, 0);
}

/** A pause of a chosen length: how long a fault lasts or when it strikes, never a synchronisation. */
export function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
