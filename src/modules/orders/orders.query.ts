import { QueryEntity, QueryEntityDefinition, defineQueryEntity } from '../../common/query';
import { CUSTOMER_QUERY } from '../customers/customers.query';
import { PRODUCT_QUERY } from '../products/products.query';

const PRODUCT_ORDER_FIELDS = {
  productId: { type: 'number' },
  orderId: { type: 'number' },
  quantity: { type: 'number' },
  unitPrice: { type: 'decimal' },
  discount: { type: 'decimal' },
  taxes: { type: 'decimal' },
  description: { type: 'string', sortable: false },
} as const satisfies QueryEntityDefinition['fields'];

const PRODUCT_ORDER_RELATIONS: QueryEntityDefinition['relations'] = {
  product: { target: () => PRODUCT_QUERY, many: false },
  order: { target: () => ORDER_QUERY, many: false },
};

/** The lines of one product: the order id tells them apart, so it is the sort tiebreak. */
export const PRODUCT_ORDER_QUERY: QueryEntity = defineQueryEntity({
  name: 'ProductOrder',
  fields: PRODUCT_ORDER_FIELDS,
  relations: PRODUCT_ORDER_RELATIONS,
  idField: 'orderId',
});

/** The lines of one order: the product id tells them apart. */
export const ORDER_PRODUCT_QUERY: QueryEntity = defineQueryEntity({
  name: 'OrderProduct',
  fields: PRODUCT_ORDER_FIELDS,
  relations: PRODUCT_ORDER_RELATIONS,
  idField: 'productId',
});

export const ORDER_QUERY: QueryEntity = defineQueryEntity({
  name: 'Order',
  fields: {
    id: { type: 'number' },
    orderNumber: { type: 'string' },
    status: { type: 'string' },
    processedBy: { type: 'string' },
    purchaseOrder: { type: 'string' },
    total: { type: 'decimal' },
    currency: { type: 'string' },
    createdAt: { type: 'date' },
    updatedAt: { type: 'date' },
    invoiceNumber: { type: 'string' },
    paymentType: { type: 'string' },
    paymentNumber: { type: 'string' },
    paymentStatus: { type: 'string' },
    paymentDate: { type: 'date' },
    description: { type: 'string', sortable: false },
    customerId: { type: 'number' },
    resellerId: { type: 'number' },
  },
  relations: {
    customer: { target: () => CUSTOMER_QUERY, many: false },
    // For filters such as `ProductOrders.ProductId == 3`; an order's lines are listed by /v1/orders/{id}/products.
    productOrders: { target: () => ORDER_PRODUCT_QUERY, many: true, includable: false },
  },
});
