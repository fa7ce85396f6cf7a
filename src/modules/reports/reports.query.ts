import { QueryEntity, defineQueryEntity } from '../../common/query';

export const REPORT_PROPERTY_QUERY: QueryEntity = defineQueryEntity({
  name: 'ReportProperty',
  fields: {
    id: { property: 'id', type: 'number' },
    name: { property: 'name', type: 'string' },
    value: { property: 'value', type: 'string' },
    reportId: { property: 'reportId', type: 'number' },
  },
});

export const REPORT_QUERY: QueryEntity = defineQueryEntity({
  name: 'Report',
  fields: {
    id: { property: 'id', type: 'number' },
    uid: { property: 'uid', type: 'uuid' },
    name: { property: 'name', type: 'string' },
    version: { property: 'version', type: 'string' },
    date: { property: 'date', type: 'date' },
    userKey: { property: 'userKey', type: 'string' },
    machineId: { property: 'machineId', type: 'string' },
    clientId: { property: 'clientId', type: 'string' },
    clientName: { property: 'clientName', type: 'string' },
    contentType: { property: 'contentType', type: 'string' },
    content: { property: 'content', type: 'string', filterable: false, sortable: false },
    address: { property: 'address', type: 'string' },
  },
  relations: {
    properties: { property: 'properties', target: () => REPORT_PROPERTY_QUERY, many: true },
  },
});
