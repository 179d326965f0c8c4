import { expect } from 'chai';
import { MongoServerError, ObjectId, type Collection, type Document } from 'mongodb';
import { openTestDatabase, type TestDatabase } from './test-database.js';

describe('MongoDB for tests: CRUD through the official driver', function () {
  let database: TestDatabase;
  let things: Collection;

  before(async function () {
    database = await openTestDatabase('crud');
  });

  after(async function () {
    await database?.close();
  });

  beforeEach(async function () {
    things = database.db.collection(`things_${this.currentTest?.title.replace(/\W+/g, '_').slice(0, 40)}`);
    await things.deleteMany({});
  });

  it('inserts documents and finds them by filter, sort, skip, limit and projection', async function () {
    const inserted = await things.insertMany([
      { name: 'a', n: 3, tags: ['x'] },
      { name: 'b', n: 1, tags: ['y'] },
      { name: 'c', n: 2, tags: ['x', 'y'] },
      { name: 'd', n: 5 },
    ]);
    expect(inserted.insertedCount).to.equal(4);
    expect(Object.values(inserted.insertedIds).every((id) => id instanceof ObjectId)).to.equal(true);

    const found = await things
      .find({ n: { $gte: 2 } }, { projection: { _id: 0, name: 1 } })
      .sort({ n: -1 })
      .skip(1)
      .limit(2)
      .toArray();
    expect(found).to.deep.equal([{ name: 'a' }, { name: 'c' }]);

    expect(await things.countDocuments({ tags: 'x' })).to.equal(2);
    expect(await things.estimatedDocumentCount()).to.equal(4);
    expect((await things.distinct('tags')).sort()).to.deep.equal(['x', 'y']);
    const byId = await things.findOne({ _id: inserted.insertedIds[1] });
    expect(byId?.name).to.equal('b');
  });

  it('keeps the _id a client chooses and returns every BSON type it stored', async function () {
    const when = new Date('2030-01-02T03:04:05.678Z');
    await things.insertOne({ _id: 'custom-id' as unknown as ObjectId, when, nested: { deep: [1, { x: null }] } });
    const stored = await things.findOne({ _id: 'custom-id' as unknown as ObjectId });
    expect(stored).to.deep.equal({ _id: 'custom-id', when, nested: { deep: [1, { x: null }] } });
  });

  it('updates with operators, one or many, and reports matched and modified counts', async function () {
    await things.insertMany([
      { k: 1, n: 1 },
      { k: 1, n: 2 },
      { k: 2, n: 3 },
    ]);
    const one = await things.updateOne({ k: 1 }, { $inc: { n: 10 }, $set: { touched: true } });
    expect([one.matchedCount, one.modifiedCount]).to.deep.equal([1, 1]);

    // Typed as a plain Document: the driver's UpdateFilter typing rejects $push on a schemaless collection.
    const setAndPush: Document = { $set: { flag: 'x' }, $push: { log: 'seen' } };
    const many = await things.updateMany({ k: 1 }, setAndPush);
    expect([many.matchedCount, many.modifiedCount]).to.deep.equal([2, 2]);

    const unchanged = await things.updateMany({ k: 1 }, { $set: { flag: 'x' } });
    expect([unchanged.matchedCount, unchanged.modifiedCount]).to.deep.equal([2, 0]);

    await things.updateOne({ k: 2 }, { $unset: { n: '' } });
    const k2 = await things.findOne({ k: 2 }, { projection: { _id: 0 } });
    expect(k2).to.deep.equal({ k: 2 });
  });

  it('replaces a whole document but keeps its _id', async function () {
    const { insertedId } = await things.insertOne({ a: 1, b: 2 });
    const result = await things.replaceOne({ _id: insertedId }, { c: 3 });
    expect(result.modifiedCount).to.equal(1);
    expect(await things.findOne({ _id: insertedId })).to.deep.equal({ _id: insertedId, c: 3 });
  });

  it('refuses to change _id and to $inc a string, with MongoDB error codes', async function () {
    const { insertedId } = await things.insertOne({ label: 'text' });
    const immutable = await things
      .updateOne({ _id: insertedId }, { $set: { _id: new ObjectId() } })
      .catch((error: unknown) => error);
    expect(immutable).to.be.instanceOf(MongoServerError);
    expect((immutable as MongoServerError).code).to.equal(66);

    const mismatch = await things
      .updateOne({ _id: insertedId }, { $inc: { label: 1 } })
      .catch((error: unknown) => error);
    expect(mismatch).to.be.instanceOf(MongoServerError);
    expect((mismatch as MongoServerError).code).to.equal(14);
  });

  it('upserts: inserts from the filter plus the update when nothing matches, updates otherwise', async function () {
    const first = await things.updateOne(
      { sku: 'A-1', 'meta.region': 'eu' },
      { $set: { qty: 5 }, $setOnInsert: { createdBy: 'upsert' } },
      { upsert: true },
    );
    expect(first.upsertedCount).to.equal(1);
    expect(first.upsertedId).to.be.instanceOf(ObjectId);
    const created = await things.findOne({ sku: 'A-1' }, { projection: { _id: 0 } });
    expect(created).to.deep.equal({ sku: 'A-1', meta: { region: 'eu' }, qty: 5, createdBy: 'upsert' });

    const second = await things.updateOne(
      { sku: 'A-1' },
      { $set: { qty: 6 }, $setOnInsert: { createdBy: 'again' } },
      { upsert: true },
    );
    expect([second.matchedCount, second.modifiedCount, second.upsertedCount]).to.deep.equal([1, 1, 0]);
    expect((await things.findOne({ sku: 'A-1' }))?.createdBy).to.equal('upsert');

    const replaced = await things.replaceOne({ sku: 'B-2' }, { sku: 'B-2', qty: 1 }, { upsert: true });
    expect(replaced.upsertedCount).to.equal(1);
    expect(await things.countDocuments()).to.equal(2);
  });

  it('deletes one or many documents', async function () {
    await things.insertMany([{ g: 1 }, { g: 1 }, { g: 2 }, { g: 3 }]);
    expect((await things.deleteOne({ g: 1 })).deletedCount).to.equal(1);
    expect((await things.deleteMany({ g: { $in: [1, 2] } })).deletedCount).to.equal(2);
    expect((await things.deleteMany({ g: 99 })).deletedCount).to.equal(0);
    expect(await things.find({}, { projection: { _id: 0 } }).toArray()).to.deep.equal([{ g: 3 }]);
  });

  it('answers bulkWrite with a mix of operations', async function () {
    const result = await things.bulkWrite([
      { insertOne: { document: { b: 1 } } },
      { insertOne: { document: { b: 2 } } },
      { updateOne: { filter: { b: 1 }, update: { $set: { seen: true } } } },
      { deleteOne: { filter: { b: 2 } } },
      { updateOne: { filter: { b: 3 }, update: { $set: { seen: false } }, upsert: true } },
    ]);
    expect([result.insertedCount, result.modifiedCount, result.deletedCount, result.upsertedCount]).to.deep.equal([
      2, 1, 1, 1,
    ]);
    expect(await things.countDocuments()).to.equal(2);
  });
});
