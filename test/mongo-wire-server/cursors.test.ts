import { expect } from 'chai';
import { MongoServerError, type Collection, type CommandStartedEvent } from 'mongodb';
import { openTestDatabase, type TestDatabase } from './test-database.js';

describe('MongoDB for tests: cursors over more than one batch', function () {
  let database: TestDatabase;
  let numbers: Collection;
  const started: CommandStartedEvent[] = [];
  const commandsNamed = (name: string): CommandStartedEvent[] => started.filter((event) => event.commandName === name);

  before(async function () {
    database = await openTestDatabase('cursors', { monitorCommands: true });
    database.client.on('commandStarted', (event: CommandStartedEvent) => started.push(event));
    numbers = database.db.collection('numbers');
    await numbers.insertMany(Array.from({ length: 250 }, (_, n) => ({ n, payload: 'x'.repeat(20) })));
  });

  after(async function () {
    await database?.close();
  });

  beforeEach(function () {
    started.length = 0;
  });

  it('fetches every document through getMore when a batch size is set', async function () {
    const all = await numbers.find({}, { batchSize: 40 }).sort({ n: 1 }).toArray();
    expect(all.map((document) => document.n)).to.deep.equal(Array.from({ length: 250 }, (_, n) => n));
    // 40 in the first batch, then 210 in getMore batches of 40: 6 getMores.
    expect(commandsNamed('getMore')).to.have.length(6);
  });

  it('uses the server default first batch (101) and then getMore without a batch size', async function () {
    const all = await numbers.find({ n: { $lt: 200 } }).toArray();
    expect(all).to.have.length(200);
    expect(commandsNamed('getMore').length).to.be.greaterThan(0);
  });

  it('streams a cursor with for await and keeps sort order across batches', async function () {
    const seen: number[] = [];
    for await (const document of numbers
      .find({ n: { $gte: 100 } })
      .sort({ n: -1 })
      .batchSize(30))
      seen.push(document.n as number);
    expect(seen).to.have.length(150);
    expect(seen[0]).to.equal(249);
    expect(seen.at(-1)).to.equal(100);
  });

  it('kills a cursor that is closed early, after which getMore on it fails with CursorNotFound', async function () {
    const cursor = numbers.find({}).batchSize(10);
    const first = await cursor.next();
    expect(first).to.not.equal(null);
    const cursorId = cursor.id;
    expect(cursorId?.isZero()).to.equal(false);
    await cursor.close();
    expect(commandsNamed('killCursors')).to.have.length(1);

    const error = await database.db
      .command({ getMore: cursorId, collection: 'numbers', batchSize: 10 })
      .catch((caught: unknown) => caught);
    expect(error).to.be.instanceOf(MongoServerError);
    expect((error as MongoServerError).code).to.equal(43);
  });

  it('closes the cursor on the server when the result fits in one batch (no getMore, no killCursors)', async function () {
    const few = await numbers.find({ n: { $lt: 5 } }).toArray();
    expect(few).to.have.length(5);
    expect(commandsNamed('getMore')).to.have.length(0);
    expect(commandsNamed('killCursors')).to.have.length(0);
  });

  it('pages an aggregation cursor with getMore too', async function () {
    const results = await numbers
      .aggregate([{ $match: { n: { $mod: [2, 0] } } }, { $project: { _id: 0, n: 1 } }], { batchSize: 25 })
      .toArray();
    expect(results).to.have.length(125);
    expect(commandsNamed('getMore').length).to.equal(4);
  });
});
