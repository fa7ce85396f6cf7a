import type { ProductOrderDto } from '../orders/orders.dto';

/**
 * What the product list needs of the orders module for include=ProductOrders. The orders module owns order lines
 * (and embeds products in them) and provides this; the products module only names it, resolved from the
 * application on first use, so that the two modules do not import each other in a circle.
 */
export abstract class ProductOrderLines {
  abstract linesOfProducts(productIds: number[]): Promise<Map<number, ProductOrderDto[]>>;
}
