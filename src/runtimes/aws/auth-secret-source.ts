/**
 * Where the auth secrets (the HS256 secret, its predecessor, the publish API keys) come from on AWS, and
 * the shape of the value: names and validation only, no SDK, so the deploy model reads the same
 * definitions (deploy/model/secrets.ts). The loader is auth-secrets.ts.
 */
import { AuthEnvironment, AuthSecretEnvironment } from '../../core/config-env.ts';

export { AuthSecretEnvironment };

/** The variables that may only come from the secret on AWS (plain environment variables in local dev). */
export const SecretAuthVariables: readonly string[] = [
  AuthEnvironment.jwtSecret,
  AuthEnvironment.jwtPreviousSecret,
  AuthEnvironment.apiKeys,
];

/** How long a fetched value is trusted before Powertools asks again (rotation latency, one GetSecretValue per container per period). */
export const SecretMaxAgeSeconds = 300;

export class AuthSecretError extends Error {
  override readonly name = 'AuthSecretError';
}

type Env = Readonly<Record<string, string | undefined>>;

export type AuthSecretSource =
  | { kind: 'secrets-manager'; arn: string }
  | { kind: 'ssm'; arn: string }
  | { kind: 'none' };

const arnPattern = {
  'secrets-manager': /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$/,
  ssm: /^arn:aws[a-z-]*:ssm:[a-z0-9-]+:\d{12}:parameter\/.+$/,
} as const;

/** Which source the environment names (at most one), validated. */
export function authSecretSource(env: Env): AuthSecretSource {
  const secretArn = env[AuthSecretEnvironment.secretArn]?.trim();
  const parameterArn = env[AuthSecretEnvironment.parameterArn]?.trim();
  if (secretArn && parameterArn) {
    throw new AuthSecretError(
      `set ${AuthSecretEnvironment.secretArn} or ${AuthSecretEnvironment.parameterArn}, not both`,
    );
  }
  const source: AuthSecretSource = secretArn
    ? { kind: 'secrets-manager', arn: secretArn }
    : parameterArn
      ? { kind: 'ssm', arn: parameterArn }
      : { kind: 'none' };
  if (source.kind === 'none') return source;
  if (!arnPattern[source.kind].test(source.arn)) {
    const name = source.kind === 'ssm' ? AuthSecretEnvironment.parameterArn : AuthSecretEnvironment.secretArn;
    throw new AuthSecretError(`${name} must be a full ${source.kind} ARN, got "${source.arn}"`);
  }
  // A secret source and plain secrets at once would leave it unclear which one is in force.
  const plain = SecretAuthVariables.filter((name) => env[name]?.trim());
  if (plain.length > 0) {
    throw new AuthSecretError(`${plain.join(', ')} must live in the secret, not in the environment`);
  }
  return source;
}

/** The secret's JSON object as auth variables; anything else (unknown keys, non-strings) is refused. */
export function parseAuthSecret(text: string): Record<string, string> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new AuthSecretError('the auth secret must be a JSON object (its value is not JSON)');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new AuthSecretError('the auth secret must be a JSON object');
  }
  const settings: Record<string, string> = {};
  for (const [name, item] of Object.entries(value)) {
    if (!SecretAuthVariables.includes(name)) {
      throw new AuthSecretError(
        `the auth secret has an unknown key "${name}" (allowed: ${SecretAuthVariables.join(', ')})`,
      );
    }
    if (typeof item !== 'string') throw new AuthSecretError(`the auth secret's ${name} must be a string`);
    settings[name] = item;
  }
  return settings;
}
