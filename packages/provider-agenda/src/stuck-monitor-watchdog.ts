import type { MongoClient, ServerHeartbeatStartedEvent } from 'mongodb';

/**
 * Notices when a MongoClient's server monitor has stopped for good.
 *
 * The driver (mongodb 7.9) can hang a monitor when the server drops its connections:
 * a heartbeat written to a socket that the server has just closed waits for a 'drain'
 * event that never comes, and nothing times that wait out. The monitor then checks the
 * server no more, the topology stays Unknown, and every call fails with a server
 * selection timeout long after MongoDB is back. A polling heartbeat that has neither
 * succeeded nor failed long after its own timeout (the connect timeout) is that hang;
 * `onStuck` is told, once per hang.
 *
 * Streaming heartbeats (`awaited`, which a mongod holds for up to heartbeatFrequencyMS
 * on purpose) are left alone.
 */
export class StuckMonitorWatchdog {
  /** When the polling heartbeat under way began, if one is. */
  private heartbeatSince: number | undefined;
  private readonly timer: NodeJS.Timeout;

  constructor(client: MongoClient, limitMs: number, onStuck: () => void) {
    client.on('serverHeartbeatStarted', (event: ServerHeartbeatStartedEvent) => {
      if (!event.awaited) this.heartbeatSince ??= Date.now();
    });
    const ended = () => (this.heartbeatSince = undefined);
    client.on('serverHeartbeatSucceeded', ended);
    client.on('serverHeartbeatFailed', ended);
    this.timer = setInterval(
      () => {
        if (this.heartbeatSince === undefined || Date.now() - this.heartbeatSince < limitMs) return;
        this.heartbeatSince = undefined;
        onStuck();
      },
      Math.max(100, Math.floor(limitMs / 4)),
    );
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
