/**
 * cdk-nag's AwsSolutions pack over the stack in its main variants: synthesis fails on any error, and every
 * finding that is not acknowledged (with its reason) in lib/nag-acknowledgements.ts fails this test.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { afterAll, describe, expect, it } from 'vitest';
import { cfnLintAvailable, cfnLintErrors } from '../../../test/support/cfn-lint.ts';
import { resourceName, type StackOptions, stackModel } from '../../model/index.ts';
import { TopicsocketStack } from '../lib/topicsocket-stack.ts';
import { TestAccount, TestRegion } from './synth-fixture.ts';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const secretArn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:topicsocket/prod-auth-AbCdEf';

const variants: Record<string, StackOptions> = {
  'dev, defaults (IAM publish, function auth)': { stage: 'dev' },
  'prod, keys publish, $connect authorizer, auth secret': {
    stage: 'prod',
    publishAuth: 'keys',
    connectAuth: 'authorizer',
    authSecret: { source: { kind: 'secrets-manager', arn: secretArn } },
  },
};

/** The reviewed findings (lib/nag-acknowledgements.ts): a new one must be added there deliberately. */
const expectedAcknowledged: Record<string, string[]> = {
  dev: ['AwsSolutions-APIG4', 'AwsSolutions-DDB3', 'AwsSolutions-IAM5'],
  prod: ['AwsSolutions-APIG4', 'AwsSolutions-IAM5'],
};

describe('cdk-nag AwsSolutions', () => {
  for (const [name, options] of Object.entries(variants)) {
    it(`reports nothing unacknowledged${cfnLintAvailable ? ', and cfn-lint no error' : ' (cfn-lint absent: not run)'}: ${name}`, () => {
      const outdir = mkdtempSync(join(tmpdir(), 'topicsocket-nag-'));
      dirs.push(outdir);
      const app = new App({ outdir, context: { 'aws:cdk:bundling-stacks': [] } });
      const model = stackModel(options);
      new TopicsocketStack(app, resourceName(model.tool, model.stage), {
        model,
        env: { account: TestAccount, region: TestRegion },
      });
      Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
      let failure = '';
      try {
        app.synth();
      } catch (error) {
        failure = error instanceof Error ? error.message : String(error);
      }
      const reportFile = join(outdir, 'validation-report.json');
      expect(failure).toBe('');
      // Warnings do not stop synthesis: they are in the report, as unacknowledged violations.
      const report = JSON.parse(readFileSync(reportFile, 'utf8')) as {
        pluginReports: { violations: unknown[]; suppressedViolations: { ruleName: string }[] }[];
      };
      expect(report.pluginReports.flatMap((plugin) => plugin.violations)).toEqual([]);
      const acknowledged = new Set(
        report.pluginReports.flatMap((plugin) =>
          plugin.suppressedViolations.map((v) => v.ruleName.replace(/\[.*$/, '')),
        ),
      );
      expect([...acknowledged].sort()).toEqual(expectedAcknowledged[options.stage]);
      if (cfnLintAvailable) {
        expect(cfnLintErrors(join(outdir, `${resourceName(model.tool, model.stage)}.template.json`))).toEqual(
          [],
        );
      }
    });
  }
});
