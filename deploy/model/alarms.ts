/**
 * CloudWatch alarms both tools deploy, as data: each names a metric, its dimensions and a threshold. The
 * dimension values (function names, API ids, the table name) are references each tool supplies in its own
 * syntax, like the ARNs in iam.ts.
 */
import type { MetricName } from '../../src/core/ports/metrics.ts';

/** Deploy time: an SNS topic ARN every alarm notifies (alarm and back to OK); unset: alarms without actions. */
export const AlarmTopicVariable = 'TOPICSOCKET_ALARM_TOPIC_ARN';

/**
 * The functions' own metrics: EMF documents from src/runtimes/aws/powertools-metrics.ts, in the namespace
 * of config.ts's default (TOPICSOCKET_METRICS_NAMESPACE unset) with Powertools' `service` dimension.
 */
export const AppMetrics = {
  namespace: 'topicsocket',
  service: 'topicsocket',
  /** Deliveries that failed for another reason than a gone connection, after the gateway's retries. */
  fanOutFailures: 'failedDeliveries' satisfies MetricName,
} as const;

export interface AlarmReferences {
  /** Every deployed function: a short label for the alarm id, and its name. */
  functions: readonly { label: string; name: string }[];
  webSocketApiId: string;
  webSocketStage: string;
  httpApiId: string;
  httpStage: string;
  tableName: string;
}

export interface AlarmModel {
  /** PascalCase, unique in the stack: the logical id's suffix. */
  id: string;
  description: string;
  namespace: string;
  metricName: string;
  dimensions: Readonly<Record<string, string>>;
  statistic: 'Sum';
  periodSeconds: number;
  evaluationPeriods: number;
  threshold: number;
  comparison: 'GreaterThanOrEqualToThreshold';
  /** No data means nothing happened: not an alarm. */
  treatMissingData: 'notBreaching';
}

const FiveMinutes = 300;

const pascal = (label: string) => label.charAt(0).toUpperCase() + label.slice(1);

function alarm(
  id: string,
  description: string,
  namespace: string,
  metricName: string,
  dimensions: Record<string, string>,
  threshold: number,
): AlarmModel {
  return {
    id,
    description,
    namespace,
    metricName,
    dimensions,
    statistic: 'Sum',
    periodSeconds: FiveMinutes,
    evaluationPeriods: 1,
    threshold,
    comparison: 'GreaterThanOrEqualToThreshold',
    treatMissingData: 'notBreaching',
  };
}

export function alarmModels(refs: AlarmReferences): AlarmModel[] {
  const webSocket = { ApiId: refs.webSocketApiId, Stage: refs.webSocketStage };
  const http = { ApiId: refs.httpApiId, Stage: refs.httpStage };
  return [
    ...refs.functions.flatMap(({ label, name }) => [
      // The handlers catch their own errors (answer 500 and count `errors`): a Lambda error is a crash,
      // a timeout or an out-of-memory, each worth a look.
      alarm(
        `${pascal(label)}Errors`,
        `${label} function: invocations that failed`,
        'AWS/Lambda',
        'Errors',
        { FunctionName: name },
        1,
      ),
      alarm(
        `${pascal(label)}Throttles`,
        `${label} function: invocations throttled (concurrency)`,
        'AWS/Lambda',
        'Throttles',
        { FunctionName: name },
        1,
      ),
    ]),
    // WebSocket APIs have no 5xx metric: integration and execution errors are their server-side failures.
    alarm(
      'WebSocketIntegrationErrors',
      'WebSocket API: integration errors (function failed or timed out)',
      'AWS/ApiGateway',
      'IntegrationError',
      webSocket,
      5,
    ),
    alarm(
      'WebSocketExecutionErrors',
      'WebSocket API: execution errors (API Gateway failed a request)',
      'AWS/ApiGateway',
      'ExecutionError',
      webSocket,
      5,
    ),
    alarm('PublishApi5xx', 'POST /publish: 5xx answers', 'AWS/ApiGateway', '5xx', http, 5),
    alarm(
      'TableReadThrottles',
      'DynamoDB table: throttled reads',
      'AWS/DynamoDB',
      'ReadThrottleEvents',
      { TableName: refs.tableName },
      1,
    ),
    alarm(
      'TableWriteThrottles',
      'DynamoDB table: throttled writes',
      'AWS/DynamoDB',
      'WriteThrottleEvents',
      { TableName: refs.tableName },
      1,
    ),
    alarm(
      'FanOutFailures',
      'fan-out: deliveries that failed for another reason than a gone connection (counted, not retried further)',
      AppMetrics.namespace,
      AppMetrics.fanOutFailures,
      { service: AppMetrics.service },
      1,
    ),
  ];
}
