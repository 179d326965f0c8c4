/**
 * Connection handshake and server introspection: hello / isMaster, ping,
 * buildInfo, getParameter, endSessions and friends.
 *
 * The server presents itself as a standalone MongoDB 7.0 (wire version 21). It
 * reports `logicalSessionTimeoutMinutes` so drivers attach sessions as they do
 * with mongod, and no `topologyVersion`, so drivers poll with hello instead of
 * using the streaming (exhaust) protocol, which this server does not speak.
 */
import type { Document } from 'bson';
import type { CommandContext, CommandHandler } from '../command-router.js';
import { MongoCommandError } from '../mongo-error.js';

export const SERVER_VERSION = '7.0.0';
const MAX_WIRE_VERSION = 21;
const MAX_BSON_OBJECT_SIZE = 16 * 1024 * 1024;

function helloReply(
  command: Document,
  context: CommandContext,
  primaryField: 'isWritablePrimary' | 'ismaster',
): Document {
  return {
    [primaryField]: true,
    ...(command.helloOk === true ? { helloOk: true } : {}),
    maxBsonObjectSize: MAX_BSON_OBJECT_SIZE,
    maxMessageSizeBytes: 48_000_000,
    maxWriteBatchSize: 100_000,
    localTime: new Date(),
    logicalSessionTimeoutMinutes: 30,
    connectionId: context.connectionId,
    minWireVersion: 0,
    maxWireVersion: MAX_WIRE_VERSION,
    readOnly: false,
    ok: 1,
  };
}

/** Parameters getParameter can report; real mongod has hundreds, drivers ask for these. */
function serverParameters(): Document {
  return {
    featureCompatibilityVersion: { version: '7.0' },
    authenticationMechanisms: [],
    maxTimeMSForHedgedReads: 150,
  };
}

const hello: CommandHandler = (command, context) => helloReply(command, context, 'isWritablePrimary');
const legacyHello: CommandHandler = (command, context) => helloReply(command, context, 'ismaster');

const buildInfo: CommandHandler = () => ({
  version: SERVER_VERSION,
  gitVersion: 'switchyard-mongo-wire-server',
  versionArray: [7, 0, 0, 0],
  bits: 64,
  debug: false,
  maxBsonObjectSize: MAX_BSON_OBJECT_SIZE,
  storageEngines: ['memory'],
  modules: [],
  ok: 1,
});

const getParameter: CommandHandler = (command) => {
  const parameters = serverParameters();
  if (
    command.getParameter === '*' ||
    (typeof command.getParameter === 'object' && command.getParameter?.allParameters === true)
  ) {
    return { ...parameters, ok: 1 };
  }
  const reply: Document = {};
  for (const name of Object.keys(command)) {
    if (name in parameters) reply[name] = parameters[name];
  }
  if (Object.keys(reply).length === 0) {
    throw new MongoCommandError('InvalidOptions', 'no option found to get');
  }
  return { ...reply, ok: 1 };
};

/**
 * This server has no users, so every login fails, with the reply a mongod gives for
 * a user it does not know or a wrong password (AuthenticationFailed, 18). Tests of
 * "wrong credentials" get the real driver error that way. Clients that send no
 * credentials never authenticate, and are served as before.
 */
const refuseAuthentication: CommandHandler = () => {
  throw new MongoCommandError('AuthenticationFailed', 'Authentication failed.');
};

export const handshakeCommands: Record<string, CommandHandler> = {
  hello,
  isMaster: legacyHello,
  ismaster: legacyHello,
  ping: () => ({ ok: 1 }),
  saslStart: refuseAuthentication,
  saslContinue: refuseAuthentication,
  authenticate: refuseAuthentication,
  buildInfo,
  buildinfo: buildInfo,
  getParameter,
  // Sessions exist only as ids on commands here, so ending them has nothing to free.
  endSessions: () => ({ ok: 1 }),
  killSessions: () => ({ ok: 1 }),
  whatsmyuri: (_command, context) => ({ you: context.clientAddress, ok: 1 }),
  connectionStatus: () => ({ authInfo: { authenticatedUsers: [], authenticatedUserRoles: [] }, ok: 1 }),
  serverStatus: (_command, context) => ({
    host: 'mongo-wire-server',
    version: SERVER_VERSION,
    process: 'mongo-wire-server',
    uptime: Math.floor((Date.now() - context.startedAt.getTime()) / 1000),
    localTime: new Date(),
    ok: 1,
  }),
};
