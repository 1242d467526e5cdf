import { Duration } from 'aws-cdk-lib';
import { Metric, MetricOptions } from 'aws-cdk-lib/aws-cloudwatch';
import { METRIC, MetricName, METRICS_NAMESPACE, METRICS_SERVICE } from '../lambdas/signals/metrics';

export { METRIC };

/**
 * One of the responder's own metrics (lambdas/signals/metrics.ts emits them in the embedded
 * metric format, dimension `service`). Sum over a day unless asked otherwise.
 */
export function responderMetric(name: MetricName, options: MetricOptions = {}): Metric {
  return new Metric({
    namespace: METRICS_NAMESPACE,
    metricName: name,
    dimensionsMap: { service: METRICS_SERVICE },
    statistic: 'Sum',
    period: Duration.days(1),
    ...options,
  });
}
