import { expect } from 'chai';
import sinon from 'sinon';
import { MongoClient } from 'mongodb';
import { StuckMonitorWatchdog } from '../src/stuck-monitor-watchdog.js';

/**
 * The watchdog reads the heartbeat events a MongoClient emits. The client here never
 * connects: the test emits the events a monitor would, and moves the clock. The hang
 * itself (a heartbeat written to a socket the server closed) is met for real in
 * test/reliability/mongo-outage.reliability.ts, which counts the reconnects.
 */
describe('StuckMonitorWatchdog', () => {
  let clock: sinon.SinonFakeTimers;
  let client: MongoClient;
  let watchdog: StuckMonitorWatchdog | undefined;
  let stuck: number;

  beforeEach(() => {
    clock = sinon.useFakeTimers();
    client = new MongoClient('mongodb://127.0.0.1:1');
    stuck = 0;
    watchdog = new StuckMonitorWatchdog(client, 3000, () => (stuck += 1));
  });

  afterEach(() => {
    watchdog?.stop();
    clock.restore();
  });

  const heartbeat = (
    event: 'serverHeartbeatStarted' | 'serverHeartbeatSucceeded' | 'serverHeartbeatFailed',
    awaited = false,
  ) => client.emit(event, { awaited } as never);

  it('reports a polling heartbeat that neither succeeds nor fails within the limit, once', () => {
    heartbeat('serverHeartbeatStarted');
    clock.tick(2900);
    expect(stuck).to.equal(0);
    clock.tick(1000);
    expect(stuck).to.equal(1);
    clock.tick(10_000);
    expect(stuck, 'once per hang').to.equal(1);
  });

  it('says nothing while heartbeats end, however many there are', () => {
    for (let beat = 0; beat < 10; beat += 1) {
      heartbeat('serverHeartbeatStarted');
      clock.tick(2000);
      heartbeat(beat % 2 === 0 ? 'serverHeartbeatSucceeded' : 'serverHeartbeatFailed');
    }
    clock.tick(10_000);
    expect(stuck).to.equal(0);
  });

  it('leaves streaming heartbeats alone: the server holds those on purpose', () => {
    heartbeat('serverHeartbeatStarted', true);
    clock.tick(20_000);
    expect(stuck).to.equal(0);
  });

  it('stops watching when stopped', () => {
    heartbeat('serverHeartbeatStarted');
    watchdog!.stop();
    clock.tick(20_000);
    expect(stuck).to.equal(0);
  });
});
