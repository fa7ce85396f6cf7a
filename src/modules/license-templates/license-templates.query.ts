import { defineQueryEntity } from '../../common/query';
import { PRODUCT_QUERY } from '../products/products.query';

export const LICENSE_FORMAT_VALUES = { Xml: 0, XmlDsig: 1, Ascii: 2, Base32: 3 };
export const LICENSING_MODE_VALUES = { File: 0, Activation: 1, Floating: 2 };

export const LICENSE_TEMPLATE_QUERY = defineQueryEntity({
  name: 'LicenseTemplate',
  fields: {
    id: { property: 'id', type: 'number' },
    name: { property: 'name', type: 'string' },
    code: { property: 'code', type: 'string' },
    licenseType: { property: 'licenseType', type: 'string' },
    format: { property: 'format', type: 'enum', enumValues: LICENSE_FORMAT_VALUES },
    licensingMode: { property: 'licensingMode', type: 'enum', enumValues: LICENSING_MODE_VALUES },
    licenseFileName: { property: 'licenseFileName', type: 'string' },
    issueDate: { property: 'issueDate', type: 'boolean' },
    expireDays: { property: 'expireDays', type: 'number' },
    supportDays: { property: 'supportDays', type: 'number' },
    generateKeyInfo: { property: 'generateKeyInfo', type: 'boolean' },
    userKey: { property: 'userKey', type: 'string' },
    description: { property: 'description', type: 'string', sortable: false },
    template: { property: 'template', type: 'string', filterable: false, sortable: false },
    productId: { property: 'productId', type: 'number' },
    signatureKeysId: { property: 'signatureKeysId', type: 'number' },
    releaseId: { property: 'releaseId', type: 'number' },
  },
  relations: {
    // `product` is the template's own product member; include=Product fills what it leaves out from the product row.
    product: { property: 'productRecord', target: () => PRODUCT_QUERY, many: false },
  },
});
