import { Identity1764300000000 } from './1764300000000-identity';
import { AppSettings1764300050000 } from './1764300050000-app-settings';
import { Operations1764300300000 } from './1764300300000-operations';

/** Every migration, oldest first. A new migration file is added here too. */
export const ALL_MIGRATIONS = [Identity1764300000000, AppSettings1764300050000, Operations1764300300000];
