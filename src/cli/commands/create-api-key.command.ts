import { Command, CommandRunner, Option } from 'nest-commander';
import { ALL_PERMISSIONS, PERMISSION_NAMES, Permission } from '../../common/auth';
import { ApiKeysService } from '../../modules/api-keys/api-keys.service';
import { UsersService } from '../../modules/users/users.service';
import { AdminContext } from '../admin-context';
import { CliError } from '../cli-error';

interface CreateApiKeyOptions {
  name?: string;
  owner?: string;
  permissions?: number;
  expires?: string;
  description?: string;
}

const PERMISSION_BY_NAME = new Map(
  Object.entries(PERMISSION_NAMES).map(([bit, name]) => [name.toLowerCase(), Number(bit) as Permission]),
);

/** `read,write`, `all`, or the bits as a number 0-15, as the API's `permissions` member takes them. */
export function parsePermissions(text: string): number {
  const value = text.trim().toLowerCase();
  if (/^\d+$/.test(value)) {
    const bits = Number(value);
    if (bits > ALL_PERMISSIONS) throw new CliError(`--permissions: ${bits} is not between 0 and ${ALL_PERMISSIONS}`, 2);
    return bits;
  }
  if (value === 'all') return ALL_PERMISSIONS;
  let bits = 0;
  for (const name of value.split(',').map((part) => part.trim())) {
    const bit = PERMISSION_BY_NAME.get(name);
    if (bit === undefined)
      throw new CliError(
        `--permissions: "${name}" is none of ${[...PERMISSION_BY_NAME.keys()].join(', ')}, all, or 0-15`,
        2,
      );
    bits |= bit;
  }
  return bits;
}

function permissionList(bits: number): string {
  const names = Object.entries(PERMISSION_NAMES)
    .filter(([bit]) => (bits & Number(bit)) !== 0)
    .map(([, name]) => name);
  return names.length ? names.join(', ') : 'none';
}

@Command({
  name: 'create-api-key',
  description:
    "create an API key acting with its owner's roles; the key is printed once on stdout and only its hash is stored",
})
export class CreateApiKeyCommand extends CommandRunner {
  constructor(private readonly context: AdminContext) {
    super();
  }

  @Option({ flags: '--name <name>', description: 'what the key is for', required: true })
  parseName(value: string): string {
    return value;
  }

  @Option({ flags: '--owner <userName>', description: 'the user whose roles it acts with (default: ADMIN_USERNAME)' })
  parseOwner(value: string): string {
    return value;
  }

  @Option({
    flags: '--permissions <list>',
    description: 'read, write, delete, create (comma list), all, or the bits 0-15 (default: all)',
  })
  parsePermissions(value: string): number {
    return parsePermissions(value);
  }

  @Option({ flags: '--expires <date>', description: 'ISO 8601 instant after which the key is refused' })
  parseExpires(value: string): string {
    if (Number.isNaN(Date.parse(value)))
      throw new CliError(`--expires: "${value}" is not a date; use ISO 8601, e.g. 2027-01-31T00:00:00Z`, 2);
    return new Date(value).toISOString();
  }

  @Option({ flags: '--description <text>', description: 'a note kept with the key' })
  parseDescription(value: string): string {
    return value;
  }

  async run(_params: string[], options: CreateApiKeyOptions = {}): Promise<void> {
    const config = await this.context.config();
    const ownerName = options.owner ?? config.admin.userName;
    const [users, keys] = [await this.context.get(UsersService), await this.context.get(ApiKeysService)];
    const ownerId = await users.idOf(ownerName);
    const permissions = options.permissions ?? ALL_PERMISSIONS;
    const created = await this.context.asCli(() =>
      keys.insert(
        {
          name: options.name,
          ownerId,
          permissions,
          expireDate: options.expires ?? null,
          description: options.description ?? null,
        },
        { userId: ownerId },
      ),
    );
    process.stderr.write(
      `API key ${created.apiKeyId} "${options.name}" for ${ownerName} (${permissionList(permissions)}): store it now, it is not shown again\n`,
    );
    process.stdout.write(`${created.apiKey}\n`);
  }
}
