// CommonJS, as `serverless create --template aws-nodejs` writes it.

module.exports.connection = async () => ({ statusCode: 200 });

module.exports.hello = async (event, context) => ({
  statusCode: 200,
  body: JSON.stringify({
    route: event.requestContext.routeKey,
    greeting: process.env.GREETING,
    functionName: context.functionName,
    memoryLimitInMB: context.memoryLimitInMB,
    remainingMs: context.getRemainingTimeInMillis(),
  }),
});
