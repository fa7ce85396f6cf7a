import { QueryEntity, defineQueryEntity } from '../../common/query';
import { PRODUCT_ORDER_QUERY } from '../orders/orders.query';

/**
 * What filters may read of a product's signature key: descriptive columns only. Key material and
 * password hashes are deliberately absent, so no filter can probe them character by character.
 */
export const SIGNATURE_KEY_QUERY: QueryEntity = defineQueryEntity({
  name: 'SignatureKeys',
  fields: {
    id: { property: 'id', type: 'number' },
    name: { property: 'name', type: 'string' },
    type: { property: 'type', type: 'string' },
    code: { property: 'code', type: 'string' },
    createdAt: { property: 'createdAt', type: 'date' },
    updatedAt: { property: 'updatedAt', type: 'date' },
  },
});

export const PRODUCT_QUERY: QueryEntity = defineQueryEntity({
  name: 'Product',
  fields: {
    id: { property: 'id', type: 'number' },
    code: { property: 'code', type: 'string' },
    name: { property: 'name', type: 'string' },
    description: { property: 'description', type: 'string', sortable: false },
    url: { property: 'url', type: 'string' },
    copyright: { property: 'copyright', type: 'string' },
    createdAt: { property: 'createdAt', type: 'date' },
    image: { property: 'image', type: 'string', filterable: false, sortable: false },
    price: { property: 'price', type: 'decimal' },
    resellerPrice: { property: 'resellerPrice', type: 'decimal' },
    currency: { property: 'currency', type: 'string' },
    signatureKeysId: { property: 'signatureKeysId', type: 'number' },
    meta: { property: 'meta', type: 'string', sortable: false },
  },
  relations: {
    signatureKeys: { property: 'signatureKeys', target: () => SIGNATURE_KEY_QUERY, many: false },
    productOrders: { property: 'productOrders', target: () => PRODUCT_ORDER_QUERY, many: true },
  },
});

export const RELEASE_QUERY: QueryEntity = defineQueryEntity({
  name: 'Release',
  fields: {
    id: { property: 'id', type: 'number' },
    releaseDate: { property: 'releaseDate', type: 'date' },
    name: { property: 'name', type: 'string' },
    version: { property: 'version', type: 'string' },
    description: { property: 'description', type: 'string', sortable: false },
  },
});

export const ASSEMBLY_QUERY: QueryEntity = defineQueryEntity({
  name: 'Assembly',
  fields: {
    id: { property: 'id', type: 'number' },
    name: { property: 'name', type: 'string' },
    version: { property: 'version', type: 'string' },
    culture: { property: 'culture', type: 'string' },
    publicKeyToken: { property: 'publicKeyToken', type: 'string' },
    mappingFileId: { property: 'mappingFileId', type: 'number' },
    debugSymbolsKey: { property: 'debugSymbolsKey', type: 'string' },
  },
});
