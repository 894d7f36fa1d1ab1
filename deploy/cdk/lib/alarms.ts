/**
 * The model's CloudWatch alarms (deploy/model/alarms.ts) as CDK alarms, each notifying the optional SNS
 * topic on alarm and back to OK.
 */
import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { type AlarmReferences, alarmModels } from '../../model/index.ts';

export interface AlarmsProps extends AlarmReferences {
  topicArn?: string;
}

export class Alarms extends Construct {
  readonly alarms: Alarm[];
  /** The SNS topic's action, when one is named: other alarms of the stack (the fan-out's) notify it too. */
  readonly action: SnsAction | undefined;

  constructor(scope: Construct, id: string, props: AlarmsProps) {
    super(scope, id);
    const action = props.topicArn
      ? new SnsAction(Topic.fromTopicArn(this, 'Topic', props.topicArn))
      : undefined;
    this.action = action;
    this.alarms = alarmModels(props).map((model) => {
      const alarm = new Alarm(this, model.id, {
        alarmDescription: model.description,
        metric: new Metric({
          namespace: model.namespace,
          metricName: model.metricName,
          dimensionsMap: { ...model.dimensions },
          statistic: model.statistic,
          period: Duration.seconds(model.periodSeconds),
        }),
        threshold: model.threshold,
        evaluationPeriods: model.evaluationPeriods,
        comparisonOperator: ComparisonOperator[comparisons[model.comparison]],
        treatMissingData: missingData[model.treatMissingData],
      });
      if (action) {
        alarm.addAlarmAction(action);
        alarm.addOkAction(action);
      }
      return alarm;
    });
  }
}

const missingData = { notBreaching: TreatMissingData.NOT_BREACHING } as const;

const comparisons = {
  GreaterThanOrEqualToThreshold: 'GREATER_THAN_OR_EQUAL_TO_THRESHOLD',
} as const;
