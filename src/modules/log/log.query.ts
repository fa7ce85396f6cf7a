import { defineQueryEntity } from '../../common/query';
import { LOG_LEVEL_VALUES } from './log-level';

export const LOG_ENTRY_QUERY = defineQueryEntity({
  name: 'LogEntry',
  fields: {
    id: { property: 'id', type: 'number' },
    message: { property: 'message', type: 'string' },
    messageTemplate: { property: 'messageTemplate', type: 'string' },
    level: { property: 'level', type: 'enum', enumValues: LOG_LEVEL_VALUES },
    timeStamp: { property: 'timeStamp', type: 'date' },
    exception: { property: 'exception', type: 'string', sortable: false },
    properties: { property: 'properties', type: 'string', sortable: false },
  },
});
