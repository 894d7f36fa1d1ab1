/**
 * Where the local server listens unless told otherwise. A module of its own so that CLI commands that only
 * talk to a server (`publish`, `subscribe`) can name the default address without loading the server.
 */
export const DEFAULT_PORT = 3001;
export const DEFAULT_HOST = '127.0.0.1';
