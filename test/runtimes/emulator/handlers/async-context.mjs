// An async ES module handler that reads the context on $connect, where a handler without a Lambda context
// used to fail with HTTP 500.
const seen = [];

export const handler = async (event, context) => {
  if (event.requestContext.routeKey === '$connect') {
    seen.push(context.awsRequestId);
    if (context.getRemainingTimeInMillis() <= 0) return { statusCode: 500 };
    return { statusCode: 200 };
  }
  if (event.requestContext.routeKey === '$disconnect') return { statusCode: 200 };
  if (event.body === 'slow') await new Promise((resolve) => setTimeout(resolve, 5_000));
  return {
    statusCode: 200,
    body: JSON.stringify({ connectRequestIds: seen.length, remainingMs: context.getRemainingTimeInMillis() }),
  };
};
