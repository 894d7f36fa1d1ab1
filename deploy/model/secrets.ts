/**
 * Auth secrets in the deployed stacks: the HS256 secret, its predecessor and the publish API keys live in
 * one Secrets Manager secret or one SSM SecureString parameter that the deployer creates (never in the
 * stack: a value in the stack would be in its template). The functions get only its ARN
 * (src/runtimes/aws/auth-secret-source.ts, which also defines the value's shape) and IAM to read exactly
 * that ARN; kms:Decrypt only with a customer-managed key (the AWS-managed `aws/secretsmanager` and
 * `aws/ssm` keys are usable through the service without it).
 */
import { AuthSecretEnvironment } from '../../src/core/config-env.ts';
import {
  type AuthSecretSource,
  authSecretSource,
  SecretAuthVariables,
} from '../../src/runtimes/aws/auth-secret-source.ts';
import type { PolicyStatementModel } from './iam.ts';

export { AuthSecretEnvironment };

/** Deploy time only: the customer-managed KMS key that encrypts the secret or parameter, if any. */
export const AuthSecretKmsKeyVariable = 'TOPICSOCKET_AUTH_SECRET_KMS_KEY_ARN';

/** Every deploy-time variable of the secret source (read from the deployer's environment). */
export const AuthSecretDeployVariables: readonly string[] = [
  AuthSecretEnvironment.secretArn,
  AuthSecretEnvironment.parameterArn,
  AuthSecretKmsKeyVariable,
];

export interface AuthSecretModel {
  source: AuthSecretSource;
  kmsKeyArn?: string;
}

type Env = Readonly<Record<string, string | undefined>>;

const kmsKeyPattern = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[0-9a-f-]+$/;

/** The deployer's secret source, validated by the same rules as the function's cold start. */
export function authSecretModel(env: Env): AuthSecretModel {
  const source = authSecretSource(
    Object.fromEntries(Object.values(AuthSecretEnvironment).map((name) => [name, env[name]])),
  );
  const kmsKeyArn = env[AuthSecretKmsKeyVariable]?.trim() || undefined;
  if (kmsKeyArn !== undefined && !kmsKeyPattern.test(kmsKeyArn)) {
    throw new Error(`${AuthSecretKmsKeyVariable} must be a KMS key ARN, got "${kmsKeyArn}"`);
  }
  if (kmsKeyArn !== undefined && source.kind === 'none') {
    throw new Error(
      `${AuthSecretKmsKeyVariable} without ${AuthSecretEnvironment.secretArn} or ${AuthSecretEnvironment.parameterArn}`,
    );
  }
  return kmsKeyArn ? { source, kmsKeyArn } : { source };
}

/** Why these deploy-time settings would write a secret into the template, or undefined. */
export function plainSecretProblem(settings: Env): string | undefined {
  const plain = SecretAuthVariables.filter((name) => settings[name]?.trim());
  if (plain.length === 0) return undefined;
  return (
    `${plain.join(', ')} would be written into the template and the function configuration: put ` +
    `${plain.length > 1 ? 'them' : 'it'} in a Secrets Manager secret (or an SSM SecureString) as JSON ` +
    `({"${plain[0]}": "..."}) and set ${AuthSecretEnvironment.secretArn} (or ${AuthSecretEnvironment.parameterArn}) to its ARN`
  );
}

/** The function variable naming the source: the ARN, nothing else. */
export function authSecretEnvironment(model: AuthSecretModel): Record<string, string> {
  if (model.source.kind === 'none') return {};
  const name =
    model.source.kind === 'ssm' ? AuthSecretEnvironment.parameterArn : AuthSecretEnvironment.secretArn;
  return { [name]: model.source.arn };
}

/** The one read each source needs (Powertools calls exactly these; GetParameter with decryption). */
export const AuthSecretReadAction = {
  'secrets-manager': 'secretsmanager:GetSecretValue',
  ssm: 'ssm:GetParameter',
} as const;

export const AuthSecretStatementIds = {
  read: 'TopicsocketAuthSecret',
  decrypt: 'TopicsocketAuthSecretKey',
} as const;

/** Read exactly that secret or parameter. */
export function authSecretReadStatement(
  source: Exclude<AuthSecretSource, { kind: 'none' }>,
): PolicyStatementModel {
  return {
    sid: AuthSecretStatementIds.read,
    actions: [AuthSecretReadAction[source.kind]],
    resources: [source.arn],
  };
}

/** Decrypt with exactly that customer-managed key. */
export function authSecretKeyStatement(kmsKeyArn: string): PolicyStatementModel {
  return { sid: AuthSecretStatementIds.decrypt, actions: ['kms:Decrypt'], resources: [kmsKeyArn] };
}

/** Read exactly that secret (and decrypt with exactly that key, when it is a customer-managed one). */
export function authSecretStatements(model: AuthSecretModel): PolicyStatementModel[] {
  if (model.source.kind === 'none') return [];
  const statements: PolicyStatementModel[] = [authSecretReadStatement(model.source)];
  if (model.kmsKeyArn) {
    statements.push(authSecretKeyStatement(model.kmsKeyArn));
  }
  return statements;
}
