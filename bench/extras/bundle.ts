import type { ExtraOutcome } from '../outcome.ts';

export async function measureBundle(_log: (message: string) => void): Promise<ExtraOutcome> {
  return { title: 'Lambda handler bundle', status: 'not run', lines: ['not implemented yet'] };
}
