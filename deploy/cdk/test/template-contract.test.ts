/** deploy/model's template contract, run against the CDK synth (the dev stage, default options). */
import { afterAll } from 'vitest';
import { type CloudFormationTemplate, templateContract } from '../../model/test/template-contract.ts';
import { removeSynthOutputs, synthesize } from './synth-fixture.ts';

afterAll(removeSynthOutputs);

/** The logical id CDK derived from a top-level construct id (`Function` -> `Function76856677`). */
function idOf(template: CloudFormationTemplate, type: string, constructId: string): string {
  const pattern = new RegExp(`^${constructId}[0-9A-F]{8}$`);
  const matches = Object.entries(template.Resources).filter(
    ([id, resource]) => resource.Type === type && pattern.test(id),
  );
  if (matches.length !== 1) throw new Error(`${matches.length} ${type} named ${constructId}`);
  return (matches[0] as [string, unknown])[0];
}

templateContract('CDK', () => {
  const { template: synthesized, model } = synthesize({ stage: 'dev', skipBundling: true });
  const template = synthesized.toJSON() as CloudFormationTemplate;
  const id = (type: string, constructId: string) => idOf(template, type, constructId);
  return {
    template,
    stage: model.stage,
    tableName: model.table.name,
    ids: {
      webSocketApi: id('AWS::ApiGatewayV2::Api', 'Api'),
      publishApi: id('AWS::ApiGatewayV2::Api', 'PublishApi'),
      table: id('AWS::DynamoDB::Table', 'Table'),
      fanoutQueue: id('AWS::SQS::Queue', 'FanoutQueue'),
      deadLetterQueue: id('AWS::SQS::Queue', 'FanoutDeadLetterQueue'),
      functions: {
        websocket: id('AWS::Lambda::Function', 'Function'),
        publish: id('AWS::Lambda::Function', 'PublishFunction'),
        worker: id('AWS::Lambda::Function', 'FanoutWorker'),
      },
    },
  };
});
