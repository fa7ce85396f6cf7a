import { defineQueryEntity } from '../../common/query';
import { LOG_LEVEL_VALUES } from './log-level';

export const LOG_ENTRY_QUERY = defineQueryEntity({
  name: 'LogEntry',
  fields: {
    id: { type: 'number' },
    message: { type: 'string' },
    messageTemplate: { type: 'string' },
    level: { type: 'enum', enumValues: LOG_LEVEL_VALUES },
    timeStamp: { type: 'date' },
    exception: { type: 'string', sortable: false },
    properties: { type: 'string', sortable: false },
  },
});
