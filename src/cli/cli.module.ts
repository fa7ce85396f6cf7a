import { Module } from '@nestjs/common';
import { AdminContext } from './admin-context';
import { BackupCommand } from './commands/backup.command';
import { CreateApiKeyCommand } from './commands/create-api-key.command';
import {
  MigrateCommand,
  MigrateGenerateCommand,
  MigrateRevertCommand,
  MigrateRunCommand,
  MigrateStatusCommand,
} from './commands/migrate.command';
import { ProductsCommand, PublicKeysCommand } from './commands/products.command';
import { ResetPasswordCommand } from './commands/reset-password.command';
import { RestoreCommand } from './commands/restore.command';

/** The commands, and the context they open on first use (nothing is opened to print help or refuse arguments). */
@Module({
  providers: [
    AdminContext,
    ResetPasswordCommand,
    CreateApiKeyCommand,
    ProductsCommand,
    PublicKeysCommand,
    MigrateCommand,
    MigrateRunCommand,
    MigrateRevertCommand,
    MigrateStatusCommand,
    MigrateGenerateCommand,
    BackupCommand,
    RestoreCommand,
  ],
})
export class CliModule {}
