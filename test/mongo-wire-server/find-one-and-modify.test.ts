import { expect } from 'chai';
import { MongoServerError, ObjectId, type Collection, type Document } from 'mongodb';
import { openTestDatabase, type TestDatabase } from './test-database.js';

describe('MongoDB for tests: findOneAndUpdate / Delete / Replace', function () {
  let database: TestDatabase;
  let counter = 0;
  let tasks: Collection;

  before(async function () {
    database = await openTestDatabase('find_and_modify');
  });

  after(async function () {
    await database?.close();
  });

  beforeEach(function () {
    counter += 1;
    tasks = database.db.collection(`tasks_${counter}`);
  });

  it('lets 20 parallel callers each claim a distinct document, in sort order', async function () {
    // 30 tasks with priorities 0..4, so the sort has ties for seq to break.
    await tasks.insertMany(Array.from({ length: 30 }, (_, seq) => ({ seq, priority: seq % 5, claimedBy: null })));
    const sort = { priority: -1, seq: 1 } as const;
    const claims = await Promise.all(
      Array.from({ length: 20 }, (_, caller) =>
        tasks.findOneAndUpdate(
          { claimedBy: null },
          { $set: { claimedBy: `caller-${caller}` } },
          { sort, returnDocument: 'after' },
        ),
      ),
    );
    expect(claims.every((document) => document !== null)).to.equal(true);
    const claimedSeqs = claims.map((document) => document?.seq as number);
    expect(new Set(claimedSeqs).size, 'each caller got its own task').to.equal(20);
    expect(new Set(claims.map((document) => document?.claimedBy)).size).to.equal(20);

    // Each claim takes the first unclaimed task in sort order, so together they took the first 20.
    const expectedFirst20 = (await tasks.find({}, { sort, limit: 20, projection: { seq: 1 } }).toArray()).map(
      (document) => document.seq as number,
    );
    expect([...claimedSeqs].sort((a, b) => a - b)).to.deep.equal([...expectedFirst20].sort((a, b) => a - b));
    expect(await tasks.countDocuments({ claimedBy: null })).to.equal(10);
  });

  it('returns the document before or after the update, and can project it', async function () {
    await tasks.insertOne({ name: 'job', attempts: 0, secret: 's' });
    const before = await tasks.findOneAndUpdate(
      { name: 'job' },
      { $inc: { attempts: 1 } },
      { projection: { _id: 0, secret: 0 } },
    );
    expect(before).to.deep.equal({ name: 'job', attempts: 0 });
    const after = await tasks.findOneAndUpdate(
      { name: 'job' },
      { $inc: { attempts: 1 } },
      { returnDocument: 'after', projection: { _id: 0, attempts: 1 } },
    );
    expect(after).to.deep.equal({ attempts: 2 });
  });

  it('upserts and tells whether it updated or inserted', async function () {
    const inserted = await tasks.findOneAndUpdate(
      { name: 'single', type: 'single' },
      { $set: { every: '5 minutes' }, $setOnInsert: { nextRunAt: new Date(0) } },
      { upsert: true, returnDocument: 'after', includeResultMetadata: true },
    );
    expect(inserted.lastErrorObject?.updatedExisting).to.equal(false);
    expect(inserted.lastErrorObject?.upserted).to.not.equal(undefined);
    expect(inserted.value).to.include({ name: 'single', type: 'single', every: '5 minutes' });

    const updated = await tasks.findOneAndUpdate(
      { name: 'single', type: 'single' },
      { $set: { every: '10 minutes' }, $setOnInsert: { nextRunAt: new Date(1) } },
      { upsert: true, returnDocument: 'after', includeResultMetadata: true },
    );
    expect(updated.lastErrorObject?.updatedExisting).to.equal(true);
    expect(updated.value?.every).to.equal('10 minutes');
    expect(updated.value?.nextRunAt).to.deep.equal(new Date(0));
    expect(await tasks.countDocuments()).to.equal(1);
  });

  it('deletes and replaces the first document in sort order', async function () {
    await tasks.insertMany([{ n: 1 }, { n: 3 }, { n: 2 }]);
    const removed = await tasks.findOneAndDelete({}, { sort: { n: -1 } });
    expect(removed?.n).to.equal(3);
    const replaced = await tasks.findOneAndReplace({}, { n: 10 }, { sort: { n: 1 }, returnDocument: 'after' });
    expect(replaced?.n).to.equal(10);
    expect(
      (
        await tasks
          .find({}, { projection: { _id: 0 } })
          .sort({ n: 1 })
          .toArray()
      ).map((d) => d.n),
    ).to.deep.equal([2, 10]);
  });

  it('takes the first document of the full sort order, over mixed types, missing fields and ties', async function () {
    // Values of several BSON types, null and missing, with many ties: the claim must
    // pick what a full sort puts first, for every sort spec (seq breaks the last ties).
    const kinds = [
      null,
      undefined,
      1,
      2.5,
      -3,
      'a',
      'B',
      new Date(5),
      new Date(1),
      new ObjectId('000000000000000000000001'),
      true,
    ];
    let state = 7;
    const next = (n: number) => (state = (state * 1103515245 + 12345) % 2147483648) % n;
    const documents = Array.from({ length: 60 }, (_, seq) => {
      const document: Document = { seq, q: next(4) };
      const p = kinds[next(kinds.length)];
      if (p !== undefined) document.p = p;
      return document;
    });
    await tasks.insertMany(documents);
    const specs = [
      { p: 1, seq: 1 },
      { p: -1, seq: 1 },
      { q: 1, p: -1, seq: -1 },
      { q: -1, _id: 1 },
      { p: 1, q: 1, seq: 1 },
    ] as const;
    for (const sort of specs) {
      const [first] = await tasks
        .find({ claimed: { $ne: true } })
        .sort(sort)
        .toArray();
      const claimed = await tasks.findOneAndUpdate({ claimed: { $ne: true } }, { $set: { claimed: true } }, { sort });
      expect(claimed?.seq, `sort ${JSON.stringify(sort)}`).to.equal(first?.seq);
    }
  });

  it('fails with E11000 when the update would break a unique index', async function () {
    await tasks.createIndex({ slot: 1 }, { unique: true });
    await tasks.insertMany([{ slot: 1 }, { slot: 2 }]);
    const error = await tasks.findOneAndUpdate({ slot: 2 }, { $set: { slot: 1 } }).catch((caught: unknown) => caught);
    expect(error).to.be.instanceOf(MongoServerError);
    expect((error as MongoServerError).code).to.equal(11000);
  });
});
