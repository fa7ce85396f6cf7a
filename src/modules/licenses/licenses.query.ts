import { defineQueryEntity } from '../../common/query';
import { CUSTOMER_QUERY } from '../customers/customers.query';
import {
  LICENSE_FORMAT_VALUES,
  LICENSE_TEMPLATE_QUERY,
  LICENSING_MODE_VALUES,
} from '../license-templates/license-templates.query';
import { ORDER_QUERY } from '../orders/orders.query';
import { PRODUCT_QUERY } from '../products/products.query';

/** `include` on GET /v1/licenses: Customer, Order, Template, Product; filters may reach into each (`Customer.Company`). */
export const LICENSE_QUERY = defineQueryEntity({
  name: 'License',
  fields: {
    id: { type: 'number' },
    licenseId: { type: 'string' },
    licenseType: { type: 'string' },
    format: { type: 'enum', enumValues: LICENSE_FORMAT_VALUES },
    description: { type: 'string', sortable: false },
    createdAt: { type: 'date' },
    updatedAt: { type: 'date' },
    issueDate: { type: 'date' },
    expireDate: { type: 'date' },
    supportExpireDate: { type: 'date' },
    revoked: { type: 'boolean' },
    trace: { type: 'boolean' },
    licenseKey: { type: 'string', filterable: false, sortable: false },
    maxAllowedSites: { type: 'number' },
    userKey: { type: 'string' },
    licensingMode: { type: 'enum', enumValues: LICENSING_MODE_VALUES },
    licenseeName: { type: 'string' },
    licenseeCompany: { type: 'string' },
    licenseeEmail: { type: 'string' },
    hash: { type: 'string', sortable: false },
    meta: { type: 'string', sortable: false },
    templateId: { type: 'number' },
    signatureKeysId: { type: 'number' },
    customerId: { type: 'number' },
    orderId: { type: 'number' },
  },
  relations: {
    customer: { target: () => CUSTOMER_QUERY, many: false, readArea: 'commerce' },
    order: { target: () => ORDER_QUERY, many: false, readArea: 'commerce' },
    template: { target: () => LICENSE_TEMPLATE_QUERY, many: false, readArea: 'licensing' },
    product: { property: 'productRecord', target: () => PRODUCT_QUERY, many: false, readArea: 'products' },
  },
});

export const LICENSE_TOKEN_QUERY = defineQueryEntity({
  name: 'LicenseToken',
  fields: {
    id: { type: 'number' },
    token: { type: 'string' },
    address: { type: 'string' },
    clientId: { type: 'string' },
    clientName: { type: 'string' },
    machineId: { type: 'string' },
    issueDate: { type: 'date' },
    expireDate: { type: 'date' },
    lastHeartbeat: { type: 'date' },
    hash: { type: 'string' },
    licenseId: { type: 'number' },
    nodeLockedLicenseId: { type: 'number' },
  },
  relations: {
    license: { target: () => LICENSE_QUERY, many: false, includable: false },
    nodeLockedLicense: { target: () => LICENSE_QUERY, many: false, includable: false },
  },
});

export const TRACE_ACTION_VALUES = {
  Unknown: 0,
  Activate: 1,
  Deactivate: 2,
  Validate: 3,
  FloatingRequest: 4,
  FloatingRelease: 5,
  Heartbeat: 6,
};

export const LICENSE_TRACE_QUERY = defineQueryEntity({
  name: 'LicenseTrace',
  fields: {
    id: { type: 'number' },
    clientIp: { type: 'string' },
    clientId: { type: 'string' },
    clientName: { type: 'string' },
    machineId: { type: 'string' },
    createdDate: { type: 'date' },
    action: { type: 'enum', enumValues: TRACE_ACTION_VALUES },
    geoLocation: { type: 'string' },
    meta: { type: 'string', sortable: false },
    licenseId: { type: 'number' },
  },
  relations: {
    license: { target: () => LICENSE_QUERY, many: false, includable: false },
  },
});
