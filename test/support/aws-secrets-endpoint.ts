/**
 * A local stand-in for AWS Secrets Manager and SSM Parameter Store that speaks their real wire protocol
 * (AWS JSON 1.1: `POST /` with `X-Amz-Target: secretsmanager.GetSecretValue` or `AmazonSSM.GetParameter`,
 * SigV4-signed), so the real SDK clients (through Powertools Parameters) are tested, not mocks. Only the one
 * read each service needs is implemented; every request is recorded.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  target: string;
  body: Record<string, unknown>;
  /** The SigV4 credential scope's service (`secretsmanager`, `ssm`), or undefined when unsigned. */
  signedFor: string | undefined;
}

export class AwsSecretsEndpoint {
  readonly requests: RecordedRequest[] = [];
  /** SecretString by secret ARN. */
  readonly secrets = new Map<string, string>();
  /** SecureString value by parameter ARN. */
  readonly parameters = new Map<string, string>();
  private server: Server | undefined;

  get url(): string {
    const address = this.server?.address() as AddressInfo | undefined;
    if (!address) throw new Error('AwsSecretsEndpoint not started');
    return `http://127.0.0.1:${address.port}`;
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      void readBody(req).then((text) => {
        const target = String(req.headers['x-amz-target'] ?? '');
        const body = (text ? JSON.parse(text) : {}) as Record<string, unknown>;
        const scope = /Credential=[^/]+\/\d{8}\/[^/]+\/([^/]+)\/aws4_request/.exec(
          String(req.headers.authorization ?? ''),
        );
        this.requests.push({ target, body, signedFor: scope?.[1] });
        const [status, answer] = this.answer(req, target, body);
        res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(JSON.stringify(answer));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private answer(req: IncomingMessage, target: string, body: Record<string, unknown>): [number, unknown] {
    if (req.method !== 'POST' || req.url !== '/')
      return [404, error('UnknownOperationException', 'POST / only')];
    if (target === 'secretsmanager.GetSecretValue') {
      const id = String(body.SecretId);
      const value = this.secrets.get(id);
      if (value === undefined) {
        return [400, error('ResourceNotFoundException', "Secrets Manager can't find the specified secret.")];
      }
      return [
        200,
        {
          ARN: id,
          Name: id.split(':').pop(),
          SecretString: value,
          VersionId: 'b0a0c0d0-0000-4000-8000-000000000001',
          VersionStages: ['AWSCURRENT'],
          CreatedDate: 1_764_547_200,
        },
      ];
    }
    if (target === 'AmazonSSM.GetParameter') {
      const name = String(body.Name);
      const value = this.parameters.get(name);
      if (value === undefined) return [400, error('ParameterNotFound', `Parameter ${name} not found.`)];
      // Without WithDecryption, SSM returns the SecureString's ciphertext, never the value.
      const shown =
        body.WithDecryption === true ? value : Buffer.from(`kms-ciphertext:${name}`).toString('base64');
      return [
        200,
        {
          Parameter: {
            Name: name.replace(/^arn:[^:]+:ssm:[^:]+:\d+:parameter/, ''),
            ARN: name,
            Type: 'SecureString',
            Value: shown,
            Version: 1,
            DataType: 'text',
            LastModifiedDate: 1_764_547_200,
          },
        },
      ];
    }
    return [400, error('UnknownOperationException', `unsupported ${target}`)];
  }
}

function error(type: string, message: string) {
  return { __type: type, message };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** The environment the SDK clients read to reach the stand-in (region, placeholder credentials, endpoints). */
export function secretsEndpointEnvironment(url: string): Record<string, string> {
  return {
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_ENDPOINT_URL_SECRETS_MANAGER: url,
    AWS_ENDPOINT_URL_SSM: url,
  };
}

export const TestSecretArn =
  'arn:aws:secretsmanager:eu-west-1:123456789012:secret:topicsocket/test-auth-AbCdEf';
export const TestParameterArn = 'arn:aws:ssm:eu-west-1:123456789012:parameter/topicsocket/test/auth';
