import { expect } from 'chai';
import { MongoBulkWriteError, MongoServerError, type Collection } from 'mongodb';
import { openTestDatabase, type TestDatabase } from './test-database.js';

/** Runs `action` and returns the MongoServerError it must fail with. */
async function serverErrorFrom(action: () => Promise<unknown>): Promise<MongoServerError> {
  const error = await action().then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error, 'expected a MongoServerError').to.be.instanceOf(MongoServerError);
  return error as MongoServerError;
}

describe('MongoDB for tests: indexes and unique constraints', function () {
  let database: TestDatabase;
  let counter = 0;
  let users: Collection;

  before(async function () {
    database = await openTestDatabase('indexes');
  });

  after(async function () {
    await database?.close();
  });

  beforeEach(function () {
    counter += 1;
    users = database.db.collection(`users_${counter}`);
  });

  it('rejects a duplicate _id with E11000 (code 11000)', async function () {
    await users.insertOne({ _id: 'u1' as never, name: 'Ann' });
    const error = await serverErrorFrom(() => users.insertOne({ _id: 'u1' as never, name: 'Bob' }));
    expect(error.code).to.equal(11000);
    expect(error.message).to.match(/E11000 duplicate key error/);
  });

  it('enforces a unique index on insert and on update, naming the key', async function () {
    await users.createIndex({ email: 1 }, { unique: true });
    await users.insertOne({ email: 'a@example.com' });
    const { insertedId } = await users.insertOne({ email: 'b@example.com' });

    const onInsert = await serverErrorFrom(() => users.insertOne({ email: 'a@example.com' }));
    expect(onInsert.code).to.equal(11000);
    expect(onInsert.keyValue).to.deep.equal({ email: 'a@example.com' });

    const onUpdate = await serverErrorFrom(() =>
      users.updateOne({ _id: insertedId }, { $set: { email: 'a@example.com' } }),
    );
    expect(onUpdate.code).to.equal(11000);
    expect((await users.findOne({ _id: insertedId }))?.email).to.equal('b@example.com');
  });

  it('enforces a compound unique index on the combination, not on each field', async function () {
    await users.createIndex({ tenant: 1, login: 1 }, { unique: true, name: 'tenant_login' });
    await users.insertMany([
      { tenant: 't1', login: 'ann' },
      { tenant: 't2', login: 'ann' },
      { tenant: 't1', login: 'bob' },
    ]);
    const error = await serverErrorFrom(() => users.insertOne({ tenant: 't1', login: 'ann' }));
    expect(error.code).to.equal(11000);
    expect(error.message).to.contain('tenant_login');
    expect(error.keyPattern).to.deep.equal({ tenant: 1, login: 1 });
  });

  it('treats a missing field as null in a unique index', async function () {
    await users.createIndex({ nickname: 1 }, { unique: true });
    await users.insertOne({ name: 'no nickname' });
    const error = await serverErrorFrom(() => users.insertOne({ name: 'no nickname either' }));
    expect(error.code).to.equal(11000);
  });

  it('stops an ordered insertMany at the duplicate and carries on past it when unordered', async function () {
    await users.createIndex({ code: 1 }, { unique: true });
    const ordered = await users.insertMany([{ code: 1 }, { code: 1 }, { code: 2 }]).catch((caught: unknown) => caught);
    expect(ordered).to.be.instanceOf(MongoBulkWriteError);
    expect((ordered as MongoBulkWriteError).code).to.equal(11000);
    expect((ordered as MongoBulkWriteError).insertedCount).to.equal(1);
    expect(await users.countDocuments()).to.equal(1);

    const unordered = await users
      .insertMany([{ code: 3 }, { code: 1 }, { code: 4 }], { ordered: false })
      .catch((caught: unknown) => caught);
    expect(unordered).to.be.instanceOf(MongoBulkWriteError);
    expect((unordered as MongoBulkWriteError).insertedCount).to.equal(2);
    expect(await users.countDocuments()).to.equal(3);
  });

  it('refuses to build a unique index over duplicate data and leaves no index behind', async function () {
    await users.insertMany([{ team: 'red' }, { team: 'red' }]);
    const error = await serverErrorFrom(() => users.createIndex({ team: 1 }, { unique: true }));
    expect(error.code).to.equal(11000);
    const names = (await users.listIndexes().toArray()).map((index) => index.name);
    expect(names).to.deep.equal(['_id_']);
  });

  it('keeps a partial unique index to the documents its filter matches, on insert, update and build', async function () {
    // Documents outside the filter repeat freely, before and after the build.
    await users.insertMany([{ name: 'no code' }, { name: 'no code either' }, { code: null }]);
    const name = await users.createIndex(
      { code: -1 },
      { unique: true, name: 'code_when_string', partialFilterExpression: { code: { $type: 'string' } } },
    );
    expect(name).to.equal('code_when_string');
    await users.insertMany([{ name: 'a third without' }, { code: 7 }, { code: 7 }, { code: 'x' }]);

    const onInsert = await serverErrorFrom(() => users.insertOne({ code: 'x' }));
    expect(onInsert.code).to.equal(11000);
    expect(onInsert.message).to.contain('code_when_string');
    // An update that brings a document into the filter with a taken key is refused too.
    const { insertedId } = await users.insertOne({ name: 'late' });
    const onUpdate = await serverErrorFrom(() => users.updateOne({ _id: insertedId }, { $set: { code: 'x' } }));
    expect(onUpdate.code).to.equal(11000);
    expect(await users.countDocuments({ code: 'x' })).to.equal(1);

    const listed = (await users.listIndexes().toArray()).find((index) => index.name === 'code_when_string');
    expect(listed).to.deep.include({ unique: true, partialFilterExpression: { code: { $type: 'string' } } });
    expect(listed?.key).to.deep.equal({ code: -1 });
  });

  it('builds a partial unique index over duplicates outside its filter, and refuses duplicates inside it', async function () {
    await users.insertMany([
      { team: 'red', lead: false },
      { team: 'red', lead: false },
      { team: 'blue', lead: true },
    ]);
    await users.createIndex({ team: 1 }, { unique: true, name: 'lead_team', partialFilterExpression: { lead: true } });
    await users.insertOne({ team: 'red', lead: true });
    expect((await serverErrorFrom(() => users.insertOne({ team: 'red', lead: true }))).code).to.equal(11000);

    const other = database.db.collection(`users_${counter}_other`);
    await other.insertMany([
      { team: 'red', lead: true },
      { team: 'red', lead: true },
    ]);
    const error = await serverErrorFrom(() =>
      other.createIndex({ team: 1 }, { unique: true, partialFilterExpression: { lead: true } }),
    );
    expect(error.code).to.equal(11000);
  });

  it('finds by equality every matching document, whether a partial or sparse unique index on the field holds it or not', async function () {
    // Agenda's jobId index: partial on the field itself, so it holds every string jobId.
    await users.createIndex({ code: -1 }, { unique: true, partialFilterExpression: { code: { $type: 'string' } } });
    // Partial on another field, or on some values only: documents outside it match too.
    await users.createIndex({ team: 1 }, { unique: true, partialFilterExpression: { lead: true } });
    await users.createIndex({ kind: 1 }, { unique: true, partialFilterExpression: { kind: { $eq: 'special' } } });
    await users.createIndex({ tag: 1 }, { unique: true, sparse: true });
    await users.insertMany([
      { code: 'x' },
      { code: 7 },
      { code: 7 },
      { team: 'red', lead: true },
      { team: 'red', lead: false },
      { team: 'red' },
      { kind: 'special' },
      { kind: 'plain' },
      { kind: 'plain' },
      { tag: 't1' },
      { other: true },
    ]);
    const count = (filter: Record<string, unknown>) => users.countDocuments(filter);
    const found = async (filter: Record<string, unknown>) => (await users.find(filter).toArray()).length;

    expect(await found({ code: 'x' })).to.equal(1);
    expect(await found({ code: { $in: ['x', 'y'] } })).to.equal(1);
    expect(await found({ team: 'red' })).to.equal(3);
    expect(await found({ kind: 'plain' })).to.equal(2);
    expect(await found({ kind: { $in: ['special', 'plain'] } })).to.equal(3);
    expect(await found({ tag: 't1' })).to.equal(1);
    expect(await count({ code: 'x' })).to.equal(1);
    expect(await count({ team: 'red' })).to.equal(3);
  });

  it('holds two indexes on one field with different key orders at once, each enforcing its own rule', async function () {
    await users.createIndex({ ref: 1 }, { unique: true, name: 'ref_everywhere' });
    await users.createIndex(
      { ref: -1 },
      { unique: true, name: 'ref_when_string', partialFilterExpression: { ref: { $type: 'string' } } },
    );
    await users.insertOne({ name: 'first without ref' });
    // The non-partial index still takes a missing ref as null: a second one is refused.
    expect((await serverErrorFrom(() => users.insertOne({ name: 'second without ref' }))).code).to.equal(11000);

    await users.dropIndex('ref_everywhere');
    await users.insertOne({ name: 'second without ref' });
    await users.insertOne({ ref: 'r1' });
    expect((await serverErrorFrom(() => users.insertOne({ ref: 'r1' }))).code).to.equal(11000);
    expect(await users.countDocuments({ ref: { $exists: false } })).to.equal(2);
  });

  it('lists and drops indexes, and will not drop _id_', async function () {
    await users.insertOne({ a: 1 });
    expect(await users.createIndex({ a: 1 })).to.equal('a_1');
    expect(await users.createIndex({ b: -1, c: 1 }, { name: 'b_c', sparse: true })).to.equal('b_c');
    expect(await users.createIndex({ a: 1 })).to.equal('a_1');

    const listed = await users.listIndexes().toArray();
    expect(listed.map((index) => index.name)).to.deep.equal(['_id_', 'a_1', 'b_c']);
    expect(listed[2]).to.include({ name: 'b_c', sparse: true });
    expect(listed[2]?.key).to.deep.equal({ b: -1, c: 1 });
    expect(await users.indexExists('b_c')).to.equal(true);

    await users.dropIndex('a_1');
    expect((await users.listIndexes().toArray()).map((index) => index.name)).to.deep.equal(['_id_', 'b_c']);

    const missing = await serverErrorFrom(() => users.dropIndex('nope_1'));
    expect(missing.code).to.equal(27);
    const idIndex = await serverErrorFrom(() => users.dropIndex('_id_'));
    expect(idIndex.code).to.equal(72);

    await users.dropIndexes();
    expect((await users.listIndexes().toArray()).map((index) => index.name)).to.deep.equal(['_id_']);
  });

  it('reports NamespaceNotFound for listIndexes on a collection that does not exist', async function () {
    const error = await serverErrorFrom(() => database.db.collection('never_created').listIndexes().toArray());
    expect(error.code).to.equal(26);
  });

  it('refuses a second index with the same key under another name', async function () {
    await users.createIndex({ z: 1 }, { name: 'first' });
    const error = await serverErrorFrom(() => users.createIndex({ z: 1 }, { name: 'second' }));
    expect(error.code).to.equal(85);
  });
});
