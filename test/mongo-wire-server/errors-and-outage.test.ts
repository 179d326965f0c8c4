import { expect } from 'chai';
import { MongoClient, MongoError, MongoServerError } from 'mongodb';
import { waitUntil } from '../support/wait-until.js';
import { openTestDatabase, type TestDatabase } from './test-database.js';

describe('MongoDB for tests: errors and outages', function () {
  let database: TestDatabase;

  before(async function () {
    database = await openTestDatabase('errors');
  });

  after(async function () {
    await database?.close();
  });

  it('answers an unknown command with MongoServerError CommandNotFound (59), not a hang', async function () {
    const started = Date.now();
    const error = await database.db.command({ noSuchCommandAnywhere: 1 }).catch((caught: unknown) => caught);
    expect(error).to.be.instanceOf(MongoServerError);
    expect((error as MongoServerError).code).to.equal(59);
    expect((error as MongoServerError).codeName).to.equal('CommandNotFound');
    expect(Date.now() - started).to.be.lessThan(2000);
  });

  it('reports a bad query operator as a server error', async function () {
    const error = await database.db
      .collection('c')
      .find({ a: { $notAnOperator: 1 } })
      .toArray()
      .catch((caught: unknown) => caught);
    expect(error).to.be.instanceOf(MongoServerError);
    expect((error as MongoServerError).code).to.equal(2);
  });

  it('answers ping, hello and buildInfo', async function () {
    expect((await database.db.admin().ping()).ok).to.equal(1);
    const hello = await database.db.admin().command({ hello: 1 });
    expect(hello.isWritablePrimary).to.equal(true);
    expect(hello.maxWireVersion).to.be.at.least(17);
    const info = await database.db.admin().buildInfo();
    expect(info.version).to.match(/^\d+\.\d+\.\d+/);
  });

  it('refuses a login it cannot verify with AuthenticationFailed (18), as mongod does for an unknown user', async function () {
    const withUser = database.uri.replace('mongodb://', 'mongodb://nobody:not-a-password@');
    const error = await MongoClient.connect(withUser, { serverSelectionTimeoutMS: 2000 }).catch(
      (caught: unknown) => caught,
    );
    expect(error).to.be.instanceOf(MongoServerError);
    expect((error as MongoServerError).code).to.equal(18);
    expect((error as MongoServerError).codeName).to.equal('AuthenticationFailed');
  });

  describe('outage of the wire server', function () {
    let client: MongoClient;

    before(async function () {
      // Only a server this process controls can be taken down; against MONGODB_URL
      // or a mongod started by mongodb-memory-server this part is skipped.
      if (database.mongo.wireServer === undefined) this.skip();
      client = await MongoClient.connect(database.uri, { serverSelectionTimeoutMS: 800, connectTimeoutMS: 500 });
      await client.db().collection('outage').insertOne({ kept: true });
    });

    after(async function () {
      await client?.close();
    });

    it('fails driver calls while down, keeps the data, and serves again after comeBack()', async function () {
      const server = database.mongo.wireServer!;
      const outage = client.db().collection('outage');
      await server.goDown();
      expect(server.connectionsOpen).to.equal(0);

      const started = Date.now();
      const whileDown = await outage.findOne({}).catch((caught: unknown) => caught);
      expect(whileDown).to.be.instanceOf(MongoError);
      expect(whileDown).to.not.be.instanceOf(MongoServerError);
      expect(Date.now() - started, 'fails within the selection timeout, never hangs').to.be.lessThan(3000);

      await server.comeBack();
      await waitUntil(async () => (await outage.findOne({}).catch(() => null)) !== null, {
        timeoutMs: 10_000,
        intervalMs: 50,
        message: 'the driver to reconnect after comeBack()',
      });
      expect(await outage.findOne({}, { projection: { _id: 0 } })).to.deep.equal({ kept: true });
    });

    it('simulateOutage(ms) comes back by itself', async function () {
      const server = database.mongo.wireServer!;
      const outage = client.db().collection('outage');
      const back = server.simulateOutage(300);
      expect(server.status).to.equal('down');
      await back;
      expect(server.status).to.equal('up');
      await waitUntil(async () => (await outage.countDocuments().catch(() => -1)) === 1, {
        timeoutMs: 10_000,
        intervalMs: 50,
        message: 'the driver to reconnect after simulateOutage()',
      });
    });
  });
});
