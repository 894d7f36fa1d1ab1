/**
 * The `ping` route, answered by API Gateway itself through a MOCK integration (L1: the L2 mock integration
 * cannot declare an integration response). Templates come from deploy/model/pong-mock.ts.
 */
import {
  CfnIntegration,
  CfnIntegrationResponse,
  CfnRoute,
  CfnRouteResponse,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { Construct } from 'constructs';
import { DefaultResponseKey, PongMock } from '../../model/index.ts';

export interface PongRouteProps {
  apiId: string;
  routeKey: string;
}

export class PongRoute extends Construct {
  readonly route: CfnRoute;

  constructor(scope: Construct, id: string, props: PongRouteProps) {
    super(scope, id);
    const integration = new CfnIntegration(this, 'Integration', {
      apiId: props.apiId,
      integrationType: 'MOCK',
      templateSelectionExpression: PongMock.templateSelectionExpression,
      requestTemplates: { [PongMock.templateKey]: PongMock.requestTemplate },
    });
    new CfnIntegrationResponse(this, 'IntegrationResponse', {
      apiId: props.apiId,
      integrationId: integration.ref,
      integrationResponseKey: DefaultResponseKey,
      templateSelectionExpression: PongMock.templateSelectionExpression,
      responseTemplates: { [PongMock.templateKey]: PongMock.responseTemplate },
    });
    this.route = new CfnRoute(this, 'Route', {
      apiId: props.apiId,
      routeKey: props.routeKey,
      target: `integrations/${integration.ref}`,
      routeResponseSelectionExpression: DefaultResponseKey,
    });
    new CfnRouteResponse(this, 'RouteResponse', {
      apiId: props.apiId,
      routeId: this.route.ref,
      routeResponseKey: DefaultResponseKey,
    });
  }
}
