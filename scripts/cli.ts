/**
 * `server-models <command> [flags]`: one installable command over the suite's entry points (the npm
 * scripts stay as aliases). commander reads the command, suggests the nearest one for a typo, and
 * prints the version; each command keeps its own flags and `--help`, and runs in this process, so
 * signals, exit codes and clean `--json` output are the command's own.
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

/** Every command, the module that runs it, and what it does. */
const commands: { name: string; module: string; summary: string; example: string }[] = [
  {
    name: 'bench',
    module: './bench.ts',
    summary: 'run the benchmark: every model under load, a results file and a report',
    example: 'server-models bench --profile quick',
  },
  {
    name: 'serve',
    module: '../servers/serve.ts',
    summary: 'start one model and print its address',
    example: 'server-models serve --model event-loop --port 8080',
  },
  {
    name: 'report',
    module: './report.ts',
    summary: 'charts, report.html and summary.md for a results file',
    example: 'server-models report results/RUN.json',
  },
  {
    name: 'compare',
    module: './compare.ts',
    summary: 'compare two results files cell by cell; exit 1 on a regression',
    example: 'server-models compare base.json current.json',
  },
  {
    name: 'export',
    module: './export.ts',
    summary: "one run's cells as CSV, Bencher Metric Format or github-action-benchmark JSON",
    example: 'server-models export results/RUN.json --csv cells.csv',
  },
  {
    name: 'findings',
    module: './findings.ts',
    summary: 'the six classic findings as checks on a results file',
    example: 'server-models findings results/RUN.json --json',
  },
  {
    name: 'dashboard',
    module: './dashboard.ts',
    summary: 'a static history site from a folder of results files',
    example: 'server-models dashboard results/',
  },
  {
    name: 'conformance',
    module: './conformance.ts',
    summary: "run llhttp's request vectors (or any file of that format) through the parser",
    example: 'server-models conformance',
  },
];

const exitCodes = `Exit codes:
  0    done (compare: no regression)
  1    a regression (compare), or a run that failed
  2    a bad flag, file or path: one line on standard error, nothing written
  130  interrupted (Ctrl-C): what finished is kept`;

const program = new Command('server-models')
  .description('An architecture benchmark suite: how HTTP servers are built, compared under load.')
  .version(pkg.version, '-V, --version', 'print the version')
  .helpOption('-h, --help', 'print this help; `server-models COMMAND --help` for a command')
  .enablePositionalOptions()
  .showSuggestionAfterError()
  .exitOverride()
  .helpCommand(false)
  // One line, as every error of the suite: commander puts its suggestion on a second one.
  .configureOutput({
    outputError: (text, write) =>
      write(
        `server-models: ${text
          .replace(/^error: /, '')
          .trim()
          .replace(/\s*\n\s*/g, ' ')}\n`,
      ),
  })
  .addHelpText(
    'after',
    `\nExamples:\n${commands.map((c) => `  ${c.example}`).join('\n')}\n\n${exitCodes}\n\nnpm scripts: npm run bench -- FLAGS is the same as server-models bench FLAGS.`,
  );

for (const command of commands) {
  program
    .command(command.name)
    .description(command.summary)
    .helpOption(false)
    .allowUnknownOption()
    .allowExcessArguments()
    .passThroughOptions()
    .argument('[flags...]')
    .action(async (_flags: string[], _options: unknown, self: Command) => {
      // The command reads its own flags from process.argv, as it does when run as a script.
      const path = new URL(command.module, import.meta.url);
      process.argv = [process.argv[0] as string, decodeURIComponent(path.pathname), ...self.args];
      await import(path.href);
    });
}

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (!(error instanceof CommanderError)) throw error;
  // --help and --version exit 0; a bad command or flag of this level is exit 2, like every usage error here.
  process.exitCode = error.exitCode === 0 ? 0 : 2;
}
