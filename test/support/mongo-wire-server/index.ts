/**
 * The MongoDB wire-protocol test server: the last rung of `startMongo()`'s ladder
 * when neither MONGODB_URL nor a local mongod binary is available.
 */
export { MongoWireServer, type MongoWireServerOptions, type MongoWireServerStatus } from './mongo-wire-server.js';
export { MongoCommandError, ErrorCode } from './mongo-error.js';
