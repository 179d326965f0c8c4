import { expect } from 'chai';
import { type Collection } from 'mongodb';
import { openTestDatabase, type TestDatabase } from './test-database.js';

describe('MongoDB for tests: aggregation', function () {
  let database: TestDatabase;
  let orders: Collection;

  before(async function () {
    database = await openTestDatabase('aggregation');
    orders = database.db.collection('orders');
    await orders.insertMany([
      { customer: 'ann', amount: 10, status: 'paid', items: ['tea', 'cake'] },
      { customer: 'ann', amount: 5, status: 'open', items: ['tea'] },
      { customer: 'bob', amount: 20, status: 'paid', items: ['coffee'] },
      { customer: 'cid', amount: 7, status: 'paid', items: [] },
    ]);
    await database.db.collection('customers').insertMany([
      { _id: 'ann' as never, city: 'Oslo' },
      { _id: 'bob' as never, city: 'Lima' },
    ]);
  });

  after(async function () {
    await database?.close();
  });

  it('matches, groups, sorts and projects', async function () {
    const totals = await orders
      .aggregate([
        { $match: { status: 'paid' } },
        { $group: { _id: '$customer', total: { $sum: '$amount' }, orders: { $sum: 1 } } },
        { $sort: { total: -1 } },
        { $project: { _id: 0, customer: '$_id', total: 1, orders: 1 } },
      ])
      .toArray();
    expect(totals).to.deep.equal([
      { total: 20, orders: 1, customer: 'bob' },
      { total: 10, orders: 1, customer: 'ann' },
      { total: 7, orders: 1, customer: 'cid' },
    ]);
  });

  it('unwinds arrays and counts', async function () {
    const popular = await orders
      .aggregate([
        { $unwind: '$items' },
        { $group: { _id: '$items', n: { $sum: 1 } } },
        { $sort: { n: -1, _id: 1 } },
        { $limit: 2 },
      ])
      .toArray();
    expect(popular).to.deep.equal([
      { _id: 'tea', n: 2 },
      { _id: 'cake', n: 1 },
    ]);
  });

  it('looks up documents in another collection of the same database', async function () {
    const joined = await orders
      .aggregate([
        { $match: { customer: { $in: ['ann', 'bob'] }, status: 'paid' } },
        { $lookup: { from: 'customers', localField: 'customer', foreignField: '_id', as: 'who' } },
        { $project: { _id: 0, customer: 1, city: { $first: '$who.city' } } },
        { $sort: { customer: 1 } },
      ])
      .toArray();
    expect(joined).to.deep.equal([
      { customer: 'ann', city: 'Oslo' },
      { customer: 'bob', city: 'Lima' },
    ]);
  });

  it('counts documents the way the driver does it (an aggregate with $group)', async function () {
    expect(await orders.countDocuments({ amount: { $gt: 6 } })).to.equal(3);
    expect(await orders.countDocuments({}, { skip: 1, limit: 2 })).to.equal(2);
  });

  it('does not change stored documents when a pipeline reshapes them', async function () {
    await orders.aggregate([{ $set: { amount: 0 } }, { $unset: 'status' }]).toArray();
    expect(await orders.countDocuments({ amount: 0 })).to.equal(0);
    expect(await orders.countDocuments({ status: { $exists: true } })).to.equal(4);
  });
});
