import { QueryEntity, defineQueryEntity, namedQueryEntity } from '../../common/query';

/**
 * What filters may read of a product's signature key: descriptive columns only. Key material and
 * password hashes are deliberately absent, so no filter can probe them character by character.
 */
export const SIGNATURE_KEY_QUERY: QueryEntity = defineQueryEntity({
  name: 'SignatureKeys',
  fields: {
    id: { type: 'number' },
    name: { type: 'string' },
    type: { type: 'string' },
    code: { type: 'string' },
    createdAt: { type: 'date' },
    updatedAt: { type: 'date' },
  },
});

export const PRODUCT_QUERY: QueryEntity = defineQueryEntity({
  name: 'Product',
  fields: {
    id: { type: 'number' },
    code: { type: 'string' },
    name: { type: 'string' },
    description: { type: 'string', sortable: false },
    url: { type: 'string' },
    copyright: { type: 'string' },
    createdAt: { type: 'date' },
    image: { type: 'string', filterable: false, sortable: false },
    price: { type: 'decimal' },
    resellerPrice: { type: 'decimal' },
    currency: { type: 'string' },
    signatureKeysId: { type: 'number' },
    meta: { type: 'string', sortable: false },
  },
  relations: {
    signatureKeys: { target: () => SIGNATURE_KEY_QUERY, many: false },
    productOrders: { target: namedQueryEntity('ProductOrder'), many: true, readArea: 'commerce' },
  },
});

export const RELEASE_QUERY: QueryEntity = defineQueryEntity({
  name: 'Release',
  fields: {
    id: { type: 'number' },
    releaseDate: { type: 'date' },
    name: { type: 'string' },
    version: { type: 'string' },
    description: { type: 'string', sortable: false },
  },
});

export const ASSEMBLY_QUERY: QueryEntity = defineQueryEntity({
  name: 'Assembly',
  fields: {
    id: { type: 'number' },
    name: { type: 'string' },
    version: { type: 'string' },
    culture: { type: 'string' },
    publicKeyToken: { type: 'string' },
    mappingFileId: { type: 'number' },
    debugSymbolsKey: { type: 'string' },
  },
});
