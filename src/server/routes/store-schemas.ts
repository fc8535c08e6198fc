// Response schemas of the store-backed routes. Rows are open JSON objects until the read model's
// types are settled; pages and the envelope around them are fixed here.
import { z } from 'zod';

/** One stored row: a JSON object. */
export const rowSchema = z.record(z.string(), z.unknown());

/** A page of `item`s and the cursor of the next page (null on the last). */
export const pageSchema = (item: z.ZodType) =>
  z.object({
    items: z.array(item),
    nextCursor: z.string().nullable().describe('pass as `cursor` for the next page; null on the last page'),
  });
