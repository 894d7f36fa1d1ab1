export { AdminLimits } from './admin-limits.ts';
export {
  type AdminAnswer,
  type AdminError,
  type AdminErrorCode,
  AdminQueries,
  type AdminQueriesOptions,
  type AdminQuery,
  type ConnectionsBody,
  type ConnectionView,
  type HistoryBody,
  type TopicsBody,
} from './admin-queries.ts';
