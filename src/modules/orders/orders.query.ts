import { QueryEntity, defineQueryEntity } from '../../common/query';
import { CUSTOMER_QUERY } from '../customers/customers.query';
import { PRODUCT_QUERY } from '../products/products.query';

const PRODUCT_ORDER_FIELDS = {
  productId: { property: 'productId', type: 'number' },
  orderId: { property: 'orderId', type: 'number' },
  quantity: { property: 'quantity', type: 'number' },
  unitPrice: { property: 'unitPrice', type: 'decimal' },
  discount: { property: 'discount', type: 'decimal' },
  taxes: { property: 'taxes', type: 'decimal' },
  description: { property: 'description', type: 'string', sortable: false },
} as const satisfies QueryEntity['fields'];

const PRODUCT_ORDER_RELATIONS: QueryEntity['relations'] = {
  product: { property: 'product', target: () => PRODUCT_QUERY, many: false },
  order: { property: 'order', target: () => ORDER_QUERY, many: false },
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
    id: { property: 'id', type: 'number' },
    orderNumber: { property: 'orderNumber', type: 'string' },
    status: { property: 'status', type: 'string' },
    processedBy: { property: 'processedBy', type: 'string' },
    purchaseOrder: { property: 'purchaseOrder', type: 'string' },
    total: { property: 'total', type: 'decimal' },
    currency: { property: 'currency', type: 'string' },
    createdAt: { property: 'createdAt', type: 'date' },
    updatedAt: { property: 'updatedAt', type: 'date' },
    invoiceNumber: { property: 'invoiceNumber', type: 'string' },
    paymentType: { property: 'paymentType', type: 'string' },
    paymentNumber: { property: 'paymentNumber', type: 'string' },
    paymentStatus: { property: 'paymentStatus', type: 'string' },
    paymentDate: { property: 'paymentDate', type: 'date' },
    description: { property: 'description', type: 'string', sortable: false },
    customerId: { property: 'customerId', type: 'number' },
    resellerId: { property: 'resellerId', type: 'number' },
  },
  relations: {
    customer: { property: 'customer', target: () => CUSTOMER_QUERY, many: false },
    // For filters such as `ProductOrders.ProductId == 3`; an order's lines are listed by /v1/orders/{id}/products.
    productOrders: { property: 'productOrders', target: () => ORDER_PRODUCT_QUERY, many: true, includable: false },
  },
});
