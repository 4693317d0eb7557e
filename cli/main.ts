import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { describeError, exitCodeOf, ExitCode } from '../shared/errors';
import { setLogLevel } from '../shared/log';
import { chaosCommand } from './commands/chaos';
import { demoCommand } from './commands/demo';
import { experimentCommand } from './commands/experiment';
import { infoCommand } from './commands/info';
import { invertCommand } from './commands/invert';
import { masterCommand } from './commands/master';
import { predictCommand } from './commands/predict';
import { reportCommand } from './commands/report';
import { runCommand } from './commands/run';
import { upCommand } from './commands/up';
import { workerCommand } from './commands/worker';
import { checkKernelsBefore } from './kernels';

function packageVersion(): string {
  let dir = __dirname;
  for (let i = 0; i < 4; i++, dir = dirname(dir)) {
    const p = join(dir, 'package.json');
    if (existsSync(p)) return (JSON.parse(readFileSync(p, 'utf8')) as { version: string }).version;
  }
  return 'unknown';
}

/** Extra commands other modules add (invert, chaos, experiment, ...): one line each here. */
const COMMANDS: (() => Command)[] = [demoCommand, runCommand, upCommand, masterCommand, workerCommand, chaosCommand, invertCommand, experimentCommand, reportCommand, predictCommand, infoCommand];

export function buildProgram(): Command {
  const program = new Command('coda')
    .description('Coda: straggler-resilient distributed numerical computations over gRPC')
    .version(packageVersion())
    .option('--log-level <level>', 'log level: trace, debug, info, warn, error', process.env.CODA_LOG_LEVEL ?? 'warn')
    .showHelpAfterError()
    .exitOverride()
    .hook('preAction', (cmd, action) => {
      const level = cmd.opts<{ logLevel: string }>().logLevel;
      setLogLevel(level);
      process.env.CODA_LOG_LEVEL = level;
      checkKernelsBefore(action.name());
    });
  for (const make of COMMANDS) program.addCommand(exitOverrideDeep(make()));
  return program;
}

/** Commander errors (and --help) of nested subcommands too come back to main() instead of exiting. */
function exitOverrideDeep(cmd: Command): Command {
  for (const sub of cmd.commands) exitOverrideDeep(sub);
  return cmd.exitOverride();
}

/** True when the user asked for debug (or trace) logs: then an error shows its stack. */
function debugging(): boolean {
  return ['debug', 'trace'].includes(process.env.CODA_LOG_LEVEL ?? '');
}

/**
 * Runs the CLI; the one place errors become exit codes (the error table in shared/errors: bad
 * input 2, cluster failure 3, anything unexpected 1) and a message: one line, the stack only with
 * --log-level debug. bin/coda.js exits with what this returns; nothing else calls process.exit.
 */
export async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv);
    // A command may set a non-error exit code (an interrupted experiment: 130).
    return typeof process.exitCode === 'number' ? process.exitCode : ExitCode.ok;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return ExitCode.ok;
      return ExitCode.badInput;
    }
    process.stderr.write(`coda: ${describeError(e, debugging())}\n`);
    return exitCodeOf(e);
  }
}
