/**
 * Auth secrets (the HS256 secret, its predecessor, the publish API keys) on AWS come from one Secrets
 * Manager secret or one SSM Parameter Store SecureString, never from the Lambda environment: the
 * environment (and so the template and `lambda:GetFunctionConfiguration`) holds only its ARN. The value is
 * a JSON object keyed by the variable names the local dev server reads from its environment, so one
 * loader (`loadAuthConfig`) serves both:
 *
 *   {"TOPICSOCKET_JWT_SECRET": "...", "TOPICSOCKET_JWT_SECRET_PREVIOUS": "...", "TOPICSOCKET_API_KEYS": "k1,k2"}
 *
 * Fetched through Powertools Parameters (its SDK clients, its cache) at cold start, re-read at most every
 * `SecretMaxAgeSeconds` so a rotation reaches warm containers without a redeploy.
 */
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { SSMProvider } from '@aws-lambda-powertools/parameters/ssm';
import {
  AuthSecretError,
  type AuthSecretSource,
  authSecretSource,
  parseAuthSecret,
  SecretMaxAgeSeconds,
} from './auth-secret-source.ts';

export * from './auth-secret-source.ts';

export interface SecretReader {
  /** The secret's current text (cached by the provider for `SecretMaxAgeSeconds`). */
  read(): Promise<string>;
}

/** Powertools' provider for the source; its SDK client honours AWS_ENDPOINT_URL_* like any other. */
export function powertoolsSecretReader(source: Exclude<AuthSecretSource, { kind: 'none' }>): SecretReader {
  if (source.kind === 'secrets-manager') {
    const provider = new SecretsProvider();
    return {
      read: async () => {
        const value = await provider.get(source.arn, { maxAge: SecretMaxAgeSeconds });
        if (typeof value !== 'string') throw new AuthSecretError('the auth secret must be a SecretString');
        return value;
      },
    };
  }
  const provider = new SSMProvider();
  return {
    read: async () => {
      const value = await provider.get(source.arn, { maxAge: SecretMaxAgeSeconds, decrypt: true });
      if (typeof value !== 'string') throw new AuthSecretError('the auth parameter has no value');
      return value;
    },
  };
}

type Env = Readonly<Record<string, string | undefined>>;
type Handler<A extends unknown[], R> = (...args: A) => Promise<R>;

/**
 * A Lambda handler whose auth settings may come from a secret. Without a secret source it is `build(env)`,
 * built now (a bad configuration fails init, as before). With one, the secret is fetched at cold start
 * (the promise starts when the module loads) and the handler is built from the environment plus the
 * secret's settings; each invocation asks the reader again (a cache hit until `SecretMaxAgeSeconds`) and
 * rebuilds only when the value changed. A failed fetch fails that invocation and is retried by the next.
 */
export function withAuthSecrets<A extends unknown[], R>(
  env: Env,
  build: (settings: Env) => Handler<A, R>,
  reader?: SecretReader,
): Handler<A, R> {
  const source = authSecretSource(env);
  if (source.kind === 'none') return build(env);
  const secrets = reader ?? powertoolsSecretReader(source);
  let built: { text: string; handler: Handler<A, R> } | undefined;
  // One read in flight at a time: the cold-start fetch and the first invocation share it.
  let inFlight: Promise<Handler<A, R>> | undefined;
  const refresh = async (): Promise<Handler<A, R>> => {
    const text = await secrets.read();
    if (built?.text !== text) built = { text, handler: build({ ...env, ...parseAuthSecret(text) }) };
    return built.handler;
  };
  const current = (): Promise<Handler<A, R>> => {
    inFlight ??= refresh().finally(() => {
      inFlight = undefined;
    });
    return inFlight;
  };
  // Cold start: begin fetching now; an early failure is reported by the first invocation's own attempt.
  current().catch(() => {});
  return async (...args) => (await current())(...args);
}
