import { MetricUnit, Metrics as PowertoolsMetrics } from '@aws-lambda-powertools/metrics';
import type { MetricName, Metrics } from '../../core/index.ts';

/**
 * The core Metrics port on Powertools Metrics: counters buffered during an invocation and written to stdout
 * as one CloudWatch EMF document by `flush()`, which the handler calls at the end of every invocation.
 */
export class EmfMetrics implements Metrics {
  readonly powertools: PowertoolsMetrics;

  constructor(options: { namespace: string; serviceName?: string }) {
    this.powertools = new PowertoolsMetrics({
      namespace: options.namespace,
      serviceName: options.serviceName ?? 'topicsocket',
    });
  }

  count(name: MetricName, value = 1): void {
    if (value > 0) this.powertools.addMetric(name, MetricUnit.Count, value);
  }

  /** Publishes what this invocation counted; writes nothing when it counted nothing. */
  flush(): void {
    if (this.powertools.hasStoredMetrics()) this.powertools.publishStoredMetrics();
  }
}
