/**
 * A MongoDB for one test file: the server `startMongo()` picks, a driver client,
 * and a database of the file's own (dropped again in `close()`), so files can run
 * against a shared external MongoDB without seeing each other's data.
 */
import { MongoClient, type Db, type MongoClientOptions } from 'mongodb';
import { mongoUriForDatabase, startMongo, uniqueDatabaseName, type StartedMongo } from '../support/start-mongo.js';

export interface TestDatabase {
  readonly mongo: StartedMongo;
  readonly client: MongoClient;
  readonly db: Db;
  /** The connection string including the database name. */
  readonly uri: string;
  close(): Promise<void>;
}

/** Short timeouts so a broken server fails a test quickly instead of after the driver's 30 s. */
export const quickFailureOptions: MongoClientOptions = {
  serverSelectionTimeoutMS: 3000,
  connectTimeoutMS: 2000,
};

export async function openTestDatabase(prefix: string, options: MongoClientOptions = {}): Promise<TestDatabase> {
  const mongo = await startMongo();
  const uri = mongoUriForDatabase(mongo.uri, uniqueDatabaseName(prefix));
  const client = await MongoClient.connect(uri, { ...quickFailureOptions, ...options });
  const db = client.db();
  return {
    mongo,
    client,
    db,
    uri,
    close: async () => {
      try {
        await db.dropDatabase();
      } finally {
        await client.close();
        await mongo.stop();
      }
    },
  };
}
