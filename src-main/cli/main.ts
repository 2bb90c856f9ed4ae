// The `platelab` command line: one commander program, each command in its own file under commands/.
import { Command } from 'commander';
import { packageVersion } from '../serve/serve-app';
import { registerCommands } from './commands';

const program = new Command();
program
  .name('platelab')
  .version(packageVersion(), '-V, --version', 'print the PlateLab version (as app.info reports it)')
  .description('PlateLab: index, browse, train and predict on RxRx1-style cell-painting plates.')
  .showHelpAfterError()
  .exitOverride((err) => process.exit(err.exitCode === 0 ? 0 : 1));
registerCommands(program);
await program.parseAsync(process.argv);
