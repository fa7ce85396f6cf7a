import { QueryEntity, defineQueryEntity } from '../../common/query';

export const REPORT_PROPERTY_QUERY: QueryEntity = defineQueryEntity({
  name: 'ReportProperty',
  fields: {
    id: { type: 'number' },
    name: { type: 'string' },
    value: { type: 'string' },
    reportId: { type: 'number' },
  },
});

export const REPORT_QUERY: QueryEntity = defineQueryEntity({
  name: 'Report',
  fields: {
    id: { type: 'number' },
    uid: { type: 'uuid' },
    name: { type: 'string' },
    version: { type: 'string' },
    date: { type: 'date' },
    userKey: { type: 'string' },
    machineId: { type: 'string' },
    clientId: { type: 'string' },
    clientName: { type: 'string' },
    contentType: { type: 'string' },
    content: { type: 'string', filterable: false, sortable: false },
    address: { type: 'string' },
  },
  relations: {
    properties: { target: () => REPORT_PROPERTY_QUERY, many: true },
  },
});
