import { randomBytes } from 'node:crypto';
import { Command, CommandRunner, Option } from 'nest-commander';
import { UsersService } from '../../modules/users/users.service';
import { AdminContext } from '../admin-context';
import { CliError } from '../cli-error';
import { promptHidden, readSecretFromStdin } from '../secret-input';

interface ResetPasswordOptions {
  passwordStdin?: boolean;
  generate?: boolean;
}

@Command({
  name: 'reset-password',
  arguments: '<userName>',
  argsDescription: { userName: 'the user whose password is set (any case)' },
  description:
    "set a user's password and lift a lockout; asks for it twice at the terminal, or reads it from stdin, or generates one",
})
export class ResetPasswordCommand extends CommandRunner {
  constructor(private readonly context: AdminContext) {
    super();
  }

  @Option({ flags: '--password-stdin', description: 'read the new password from stdin (one line), for scripts' })
  parsePasswordStdin(): boolean {
    return true;
  }

  @Option({ flags: '--generate', description: 'generate a random password and print it once on stdout' })
  parseGenerate(): boolean {
    return true;
  }

  async run([userName]: string[], options: ResetPasswordOptions = {}): Promise<void> {
    if (options.passwordStdin && options.generate)
      throw new CliError('--password-stdin and --generate exclude each other', 2);
    // The database and the user first: nobody types a password only to hear the user does not exist.
    const users = await this.context.get(UsersService);
    await users.idOf(userName);
    const password = options.generate
      ? randomBytes(15).toString('base64url')
      : options.passwordStdin
        ? await readSecretFromStdin()
        : await this.askTwice(userName);
    const user = await this.context.asCli(() => users.resetPassword(userName, password));
    process.stderr.write(`password of "${user.userName}" reset; the account is unlocked\n`);
    if (options.generate) process.stdout.write(`${password}\n`);
  }

  private async askTwice(userName: string): Promise<string> {
    const first = await promptHidden(`new password for ${userName}: `);
    const second = await promptHidden('again: ');
    if (first !== second) throw new CliError('the two passwords differ; nothing was changed');
    return first;
  }
}
