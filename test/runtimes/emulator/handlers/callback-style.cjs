// A handler in the (event, context, callback) style of the Lambda Node.js runtime, CommonJS, reading the
// context as third-party handlers do.
exports.handler = (event, context, callback) => {
  const routeKey = event.requestContext.routeKey;
  if (routeKey === '$connect' || routeKey === '$disconnect') {
    callback(null, { statusCode: 200 });
    return;
  }
  setTimeout(() => {
    callback(null, {
      statusCode: 200,
      body: JSON.stringify({
        routeKey,
        awsRequestId: context.awsRequestId,
        functionName: context.functionName,
        memoryLimitInMB: context.memoryLimitInMB,
        remainingMs: context.getRemainingTimeInMillis(),
        waits: context.callbackWaitsForEmptyEventLoop,
        echo: event.body,
      }),
    });
  }, 5);
};

exports.fails = (_event, _context, callback) => {
  callback(new Error('callback error'));
};
