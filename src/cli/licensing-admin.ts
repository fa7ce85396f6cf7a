#!/usr/bin/env node
/**
 * The admin command line: `npm run cli -- <command>`, or `licensing-admin <command>` once installed (package.json
 * bin). `--help` lists the commands. It works on DATABASE_URL, or on the embedded PostgreSQL of DATA_DIR: started
 * for the command and stopped after it, or the running service's own server when the service holds it.
 * Errors are one line on stderr and a non-zero exit code.
 */
import 'reflect-metadata';
import { CommandFactory } from 'nest-commander';
import { packageVersion } from '../config';
import { DatabaseServer } from '../database/database-server';
import { CLI_LOG_LEVELS } from './admin-context';
import { CliError } from './cli-error';
import { CliModule } from './cli.module';
import { StderrLogger } from './stderr-logger';

/** Commander's refusals and --help/--version, thrown by the exit override (its class is nest-commander's copy's). */
interface CommanderExit {
  code: string;
  exitCode: number;
}

function isCommanderExit(error: unknown): error is CommanderExit {
  const code = (error as Partial<CommanderExit> | null)?.code;
  return typeof code === 'string' && code.startsWith('commander.');
}

function fail(error: unknown): void {
  // Commander has printed its own one-line refusal (or the help) and set the exit code.
  if (isCommanderExit(error)) return;
  const text = error instanceof Error ? error.message : String(error);
  process.stderr.write(`error: ${text.split('\n')[0]}\n`);
  process.exitCode = error instanceof CliError ? error.exitCode : 1;
}

async function main(): Promise<void> {
  // Next to a running service on the same data folder, use its embedded PostgreSQL instead of refusing.
  DatabaseServer.shareRunning = true;
  await CommandFactory.run(CliModule, {
    cliName: 'licensing-admin',
    version: packageVersion,
    logger: new StderrLogger(CLI_LOG_LEVELS),
    // Commander's own refusals (unknown command or option, missing argument) and --help / --version.
    errorHandler: (error) => {
      if (!isCommanderExit(error)) throw error;
      process.exitCode = error.exitCode;
      throw error;
    },
    serviceErrorHandler: fail,
  });
}

main()
  .catch(fail)
  .finally(() => {
    // Whatever a library left scheduled (a pool's idle timer), the command is over.
    process.exit(process.exitCode ?? 0);
  });
