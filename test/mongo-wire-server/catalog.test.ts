import { expect } from 'chai';
import { MongoServerError } from 'mongodb';
import { openTestDatabase, type TestDatabase } from './test-database.js';

describe('MongoDB for tests: collections and databases', function () {
  let database: TestDatabase;

  before(async function () {
    database = await openTestDatabase('catalog');
  });

  after(async function () {
    await database?.close();
  });

  it('creates collections explicitly and on first write, and lists them', async function () {
    await database.db.createCollection('explicit');
    await database.db.collection('implicit').insertOne({ x: 1 });
    const names = (await database.db.listCollections({}, { nameOnly: true }).toArray())
      .map((entry) => entry.name)
      .sort();
    expect(names).to.include.members(['explicit', 'implicit']);

    const filtered = await database.db.listCollections({ name: 'implicit' }).toArray();
    expect(filtered).to.have.length(1);
    expect(filtered[0]).to.include({ name: 'implicit', type: 'collection' });
  });

  it('refuses to create a collection that exists with other options', async function () {
    await database.db.createCollection('twice');
    const error = await database.db
      .createCollection('twice', { capped: true, size: 4096 })
      .catch((caught: unknown) => caught);
    expect(error).to.be.instanceOf(MongoServerError);
    expect((error as MongoServerError).code).to.equal(48);
  });

  it('drops a collection with its documents and indexes', async function () {
    const doomed = database.db.collection('doomed');
    await doomed.insertMany([{ a: 1 }, { a: 2 }]);
    await doomed.createIndex({ a: 1 });
    expect(await doomed.drop()).to.equal(true);
    const names = (await database.db.listCollections().toArray()).map((entry) => entry.name);
    expect(names).to.not.include('doomed');
    expect(await doomed.countDocuments()).to.equal(0);
  });

  it('lists databases from admin and drops a whole database', async function () {
    const other = database.client.db(`${database.db.databaseName}_x`);
    await other.collection('c').insertOne({ here: true });
    const listed = await database.client.db('admin').admin().listDatabases();
    expect(listed.databases.map((entry) => entry.name)).to.include(other.databaseName);

    await other.dropDatabase();
    const after = await database.client.db('admin').admin().listDatabases({ nameOnly: true });
    expect(after.databases.map((entry) => entry.name)).to.not.include(other.databaseName);
    expect(await other.collection('c').countDocuments()).to.equal(0);
  });
});
