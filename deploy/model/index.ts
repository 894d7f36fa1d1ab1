export * from './api.ts';
export * from './auth.ts';
export * from './function.ts';
export * from './iam.ts';
export * from './pong-mock.ts';
export * from './routes.ts';
export * from './stack-model.ts';
export * from './table.ts';
