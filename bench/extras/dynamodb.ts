import type { ExtraOutcome } from '../outcome.ts';

export async function measureDynamoDb(
  _quick: boolean,
  _log: (message: string) => void,
): Promise<ExtraOutcome> {
  return { title: 'DynamoDB path', status: 'not run', lines: ['not implemented yet'] };
}
