// One line per record kind of the Management API: which SDK calls list, insert, update and delete it, the wrapper
// member its bodies use, and which fields the search box looks in. The data provider is built from this table.
import type { Area } from './access';
import { api } from './api';

type Query = { filter?: string; sort?: string; take?: number; skip?: number; include?: string };
/** A page of records as the API answers it: the list member and the total member, named per kind. */
type Answer = { data?: unknown; error?: unknown; response?: Response };
type Row = Record<string, unknown>;

export interface ResourceDef {
  area: Area;
  /** GET: list with QueryOptions; `scope` is what the page was asked for (releases need their product). */
  list: (query: Query, scope: Row) => Promise<Answer>;
  insert?: (record: Row) => Promise<Answer>;
  update?: (record: Row) => Promise<Answer>;
  remove?: (record: Row) => Promise<Answer>;
  /** The member of an insert answer that holds the new row's id. */
  insertedId?: string;
  /** Fields the search box (`q`) looks in. */
  search: string[];
  /** Ids are UUIDs (users), compared as strings in filters. */
  stringIds?: boolean;
  /** Sorted newest first when the page asks for nothing else. */
  defaultSort?: string;
}

const wrap = (member: string) => (record: Row) => ({ body: { [member]: record } as never });

export const RESOURCES: Record<string, ResourceDef> = {
  licenses: {
    area: 'licenses',
    list: (query) => api.getLicenses({ query }),
    insert: (record) => api.insertLicense(wrap('license')(record)),
    update: (record) => api.updateLicense(wrap('license')(record)),
    remove: (record) => api.deleteLicense({ path: { licenseId: Number(record.id) } }),
    insertedId: 'licenseId',
    search: ['LicenseId', 'LicenseeName', 'LicenseeCompany', 'LicenseeEmail', 'UserKey'],
    defaultSort: 'CreatedAt desc',
  },
  customers: {
    area: 'commerce',
    list: (query) => api.getCustomers({ query }),
    insert: (record) => api.insertCustomer(wrap('customer')(record)),
    update: (record) => api.updateCustomer(wrap('customer')(record)),
    remove: (record) => api.deleteCustomer({ path: { customerId: Number(record.id) } }),
    insertedId: 'customerId',
    search: ['Code', 'Company', 'FirstName', 'LastName', 'Email'],
  },
  contacts: {
    area: 'commerce',
    list: (query) => api.getContacts({ query }),
    insert: (record) => api.insertContact(wrap('contact')(record)),
    update: (record) => api.updateContact(wrap('contact')(record)),
    remove: (record) => api.deleteContact({ path: { contactId: Number(record.id) } }),
    insertedId: 'contactId',
    search: ['FirstName', 'LastName', 'Email', 'Company'],
  },
  orders: {
    area: 'commerce',
    list: (query) => api.getOrders({ query }),
    insert: (record) => api.insertOrder(wrap('order')(record)),
    update: (record) => api.updateOrder(wrap('order')(record)),
    remove: (record) => api.deleteOrder({ path: { orderId: Number(record.id) } }),
    insertedId: 'orderId',
    search: ['OrderNumber', 'PurchaseOrder', 'InvoiceNumber'],
    defaultSort: 'CreatedAt desc',
  },
  products: {
    area: 'products',
    list: (query) => api.getProducts({ query }),
    insert: (record) => api.insertProduct(wrap('product')(record)),
    update: (record) => api.updateProduct(wrap('product')(record)),
    remove: (record) => api.deleteProduct({ path: { productId: Number(record.id) } }),
    insertedId: 'productId',
    search: ['Name', 'Code', 'Version'],
  },
  releases: {
    area: 'licensing',
    list: (query, scope) =>
      scope.productId
        ? api.getProductReleases({ path: { productId: Number(scope.productId) }, query })
        : Promise.resolve({ data: { releases: [], totalReleasesCount: 0 } }),
    insert: (record) =>
      api.insertProductRelease({ path: { productId: Number(record.productId) }, body: { release: record } }),
    update: (record) =>
      api.updateProductRelease({ path: { productId: Number(record.productId) }, body: { release: record } }),
    remove: (record) =>
      api.deleteProductRelease({ path: { productId: Number(record.productId), releaseId: Number(record.id) } }),
    insertedId: 'releaseId',
    search: ['Name', 'Version'],
  },
  'license-templates': {
    area: 'licensing',
    list: (query) => api.getLicenseTemplates({ query }),
    insert: (record) => api.insertLicenseTemplate(wrap('licenseTemplate')(record)),
    update: (record) => api.updateLicenseTemplate(wrap('licenseTemplate')(record)),
    remove: (record) => api.deleteLicenseTemplate({ path: { templateId: Number(record.id) } }),
    insertedId: 'templateId',
    search: ['Name', 'Description'],
  },
  'license-tokens': {
    area: 'licensing',
    list: (query) => api.getLicenseTokens({ query }),
    remove: (record) =>
      api.deleteLicenseToken({ path: { licenseId: Number(record.licenseId), tokenId: Number(record.id) } }),
    search: ['Token', 'MachineId', 'ClientId', 'ClientName'],
    defaultSort: 'IssueDate desc',
  },
  'license-traces': {
    area: 'licensing',
    list: (query) => api.getLicenseTraces({ query }),
    remove: (record) => api.deleteLicenseTrace({ body: { traceId: Number(record.id) } }),
    search: ['MachineId', 'ClientId', 'ClientName', 'ClientIp'],
    defaultSort: 'Id desc',
  },
  reports: {
    area: 'operations',
    list: (query) => api.getReports({ query }),
    remove: (record) => api.deleteReport({ path: { reportId: Number(record.id) } }),
    search: ['Name', 'Version', 'MachineId', 'ClientName'],
    defaultSort: 'Id desc',
  },
  resources: {
    area: 'operations',
    list: (query) => api.getResources({ query: { ...query } }),
    insert: (record) => api.insertResource(wrap('resource')(record)),
    update: (record) => api.updateResource(wrap('resource')(record)),
    remove: (record) => api.deleteResource({ path: { resourceId: Number(record.id) } }),
    insertedId: 'resourceId',
    search: ['Name', 'Code', 'Type'],
  },
  users: {
    area: 'administration',
    list: (query) => api.getUsers({ query: { ...query, include: 'roles' } }),
    insert: ({ password, ...user }) => api.insertUser({ body: { user: user, password: String(password) } }),
    update: ({ newPassword, ...user }) =>
      api.updateUser({ body: { user: user, ...(newPassword ? { newPassword: newPassword as never } : {}) } }),
    remove: (record) => api.deleteUser({ path: { userId: String(record.id) } }),
    insertedId: 'userId',
    search: ['UserName', 'Email', 'FirstName', 'LastName'],
    stringIds: true,
  },
  'api-keys': {
    area: 'administration',
    list: (query) => api.getApiKeys({ query }),
    insert: (record) => api.insertApiKey(wrap('apiKey')(record)),
    update: (record) => api.updateApiKey(wrap('apiKey')(record)),
    remove: (record) => api.deleteApiKey({ path: { apiKeyId: Number(record.id) } }),
    insertedId: 'apiKeyId',
    search: ['Name', 'Description'],
  },
  webhooks: {
    area: 'webhooks',
    list: (query) => api.getWebhooks({ query }),
    insert: (record) => api.insertWebhook(wrap('webhook')(record)),
    update: (record) => api.updateWebhook(wrap('webhook')(record)),
    remove: (record) => api.deleteWebhook({ path: { webhookId: Number(record.id) } }),
    insertedId: 'webhookId',
    search: ['Url', 'Description'],
  },
  'audit-events': {
    area: 'audit',
    list: (query) => api.getAuditEvents({ query }),
    search: ['Action', 'EntityType', 'EntityId', 'ActorName'],
    defaultSort: 'Id desc',
  },
  log: {
    area: 'operations',
    list: (query) => api.getLog({ query }),
    search: ['Message', 'Exception'],
    defaultSort: 'Id desc',
  },
};
