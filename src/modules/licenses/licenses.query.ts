import { defineQueryEntity } from '../../common/query';
import { CUSTOMER_QUERY } from '../customers/customers.query';
import { LICENSE_FORMAT_VALUES, LICENSE_TEMPLATE_QUERY, LICENSING_MODE_VALUES } from '../license-templates/license-templates.query';
import { ORDER_QUERY } from '../orders/orders.query';
import { PRODUCT_QUERY } from '../products/products.query';

/** `include` on GET /v1/licenses: Customer, Order, Template, Product; filters may reach into each (`Customer.Company`). */
export const LICENSE_QUERY = defineQueryEntity({
  name: 'License',
  fields: {
    id: { property: 'id', type: 'number' },
    licenseId: { property: 'licenseId', type: 'string' },
    licenseType: { property: 'licenseType', type: 'string' },
    format: { property: 'format', type: 'enum', enumValues: LICENSE_FORMAT_VALUES },
    description: { property: 'description', type: 'string', sortable: false },
    createdAt: { property: 'createdAt', type: 'date' },
    updatedAt: { property: 'updatedAt', type: 'date' },
    issueDate: { property: 'issueDate', type: 'date' },
    expireDate: { property: 'expireDate', type: 'date' },
    supportExpireDate: { property: 'supportExpireDate', type: 'date' },
    revoked: { property: 'revoked', type: 'boolean' },
    trace: { property: 'trace', type: 'boolean' },
    licenseKey: { property: 'licenseKey', type: 'string', filterable: false, sortable: false },
    maxAllowedSites: { property: 'maxAllowedSites', type: 'number' },
    userKey: { property: 'userKey', type: 'string' },
    licensingMode: { property: 'licensingMode', type: 'enum', enumValues: LICENSING_MODE_VALUES },
    licenseeName: { property: 'licenseeName', type: 'string' },
    licenseeCompany: { property: 'licenseeCompany', type: 'string' },
    licenseeEmail: { property: 'licenseeEmail', type: 'string' },
    hash: { property: 'hash', type: 'string', sortable: false },
    meta: { property: 'meta', type: 'string', sortable: false },
    templateId: { property: 'templateId', type: 'number' },
    signatureKeysId: { property: 'signatureKeysId', type: 'number' },
    customerId: { property: 'customerId', type: 'number' },
    orderId: { property: 'orderId', type: 'number' },
  },
  relations: {
    customer: { property: 'customer', target: () => CUSTOMER_QUERY, many: false },
    order: { property: 'order', target: () => ORDER_QUERY, many: false },
    template: { property: 'template', target: () => LICENSE_TEMPLATE_QUERY, many: false },
    product: { property: 'productRecord', target: () => PRODUCT_QUERY, many: false },
  },
});

export const LICENSE_TOKEN_QUERY = defineQueryEntity({
  name: 'LicenseToken',
  fields: {
    id: { property: 'id', type: 'number' },
    token: { property: 'token', type: 'string' },
    address: { property: 'address', type: 'string' },
    clientId: { property: 'clientId', type: 'string' },
    clientName: { property: 'clientName', type: 'string' },
    machineId: { property: 'machineId', type: 'string' },
    issueDate: { property: 'issueDate', type: 'date' },
    expireDate: { property: 'expireDate', type: 'date' },
    lastHeartbeat: { property: 'lastHeartbeat', type: 'date' },
    hash: { property: 'hash', type: 'string' },
    licenseId: { property: 'licenseId', type: 'number' },
    nodeLockedLicenseId: { property: 'nodeLockedLicenseId', type: 'number' },
  },
  relations: {
    license: { property: 'license', target: () => LICENSE_QUERY, many: false, includable: false },
    nodeLockedLicense: { property: 'nodeLockedLicense', target: () => LICENSE_QUERY, many: false, includable: false },
  },
});

export const TRACE_ACTION_VALUES = { Unknown: 0, Activate: 1, Deactivate: 2, Validate: 3, FloatingRequest: 4, FloatingRelease: 5, Heartbeat: 6 };

export const LICENSE_TRACE_QUERY = defineQueryEntity({
  name: 'LicenseTrace',
  fields: {
    id: { property: 'id', type: 'number' },
    clientIp: { property: 'clientIp', type: 'string' },
    clientId: { property: 'clientId', type: 'string' },
    clientName: { property: 'clientName', type: 'string' },
    machineId: { property: 'machineId', type: 'string' },
    createdDate: { property: 'createdDate', type: 'date' },
    action: { property: 'action', type: 'enum', enumValues: TRACE_ACTION_VALUES },
    geoLocation: { property: 'geoLocation', type: 'string' },
    meta: { property: 'meta', type: 'string', sortable: false },
    licenseId: { property: 'licenseId', type: 'number' },
  },
  relations: {
    license: { property: 'license', target: () => LICENSE_QUERY, many: false, includable: false },
  },
});
