import type { EntityManager } from 'typeorm';
import { ApiException } from '../../common/errors';

/**
 * An order's total is the sum of its lines, each
 *
 *   quantity × unitPrice × (1 − discount/100) × (1 + taxes/100), rounded to 2 decimals,
 *
 * where discount and taxes are percentages (the reference sends them as doubles beside a unit price,
 * with no currency of their own, so they are rates rather than amounts). Each line is rounded to
 * cents before summing, as on an invoice, and the arithmetic runs in PostgreSQL's numeric type, so
 * no binary float ever touches money.
 */
export const LINE_AMOUNT_SQL = 'ROUND(quantity * unit_price * (100 - discount) * (100 + taxes) / 10000, 2)';

/**
 * Locks the order row for the rest of the transaction. Every change to an order's lines takes this
 * lock first, so two concurrent line changes run one after the other and the second recomputation
 * sees the first one's line: no update of the total is lost.
 */
export async function lockOrder(manager: EntityManager, orderId: number): Promise<void> {
  const rows = await manager.query('SELECT id FROM orders WHERE id = $1 FOR UPDATE', [orderId]);
  if (rows.length === 0) throw ApiException.notFound(`Order ${orderId} does not exist`);
}

/** Recomputes the order's total from its lines; call inside the transaction that holds `lockOrder`. */
export async function recomputeOrderTotal(manager: EntityManager, orderId: number): Promise<void> {
  await manager.query(
    `UPDATE orders
        SET total = COALESCE((SELECT SUM(${LINE_AMOUNT_SQL}) FROM order_products WHERE order_id = $1), 0),
            updated_at = now()
      WHERE id = $1`,
    [orderId],
  );
}
