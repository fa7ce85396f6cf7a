import { defineQueryEntity } from '../../common/query';
import { PRODUCT_QUERY } from '../products/products.query';

export const LICENSE_FORMAT_VALUES = { Xml: 0, XmlDsig: 1, Ascii: 2, Base32: 3 };
export const LICENSING_MODE_VALUES = { File: 0, Activation: 1, Floating: 2 };

export const LICENSE_TEMPLATE_QUERY = defineQueryEntity({
  name: 'LicenseTemplate',
  fields: {
    id: { type: 'number' },
    name: { type: 'string' },
    code: { type: 'string' },
    licenseType: { type: 'string' },
    format: { type: 'enum', enumValues: LICENSE_FORMAT_VALUES },
    licensingMode: { type: 'enum', enumValues: LICENSING_MODE_VALUES },
    licenseFileName: { type: 'string' },
    issueDate: { type: 'boolean' },
    expireDays: { type: 'number' },
    supportDays: { type: 'number' },
    generateKeyInfo: { type: 'boolean' },
    userKey: { type: 'string' },
    description: { type: 'string', sortable: false },
    template: { type: 'string', filterable: false, sortable: false },
    productId: { type: 'number' },
    signatureKeysId: { type: 'number' },
    releaseId: { type: 'number' },
  },
  relations: {
    // `product` is the template's own product member; include=Product fills what it leaves out from the product row.
    product: { property: 'productRecord', target: () => PRODUCT_QUERY, many: false },
  },
});
