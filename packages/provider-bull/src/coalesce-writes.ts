/**
 * Sends what a socket is given in one turn of the event loop in few system calls,
 * without holding Redis idle while the turn goes on.
 *
 * ioredis writes each command to its socket as it is sent: one write(2) per command.
 * Bull sends a few commands per job, and a producer scheduling many jobs at once, or
 * a worker finishing many, sends them in the same turn. On a Redis nearby, a write
 * costs more CPU than the command's own work: a third of the process's CPU in a profile
 * of the throughput benchmark, and Redis pays again for each read.
 *
 * So the first write of a turn goes out at once, and the socket is corked for the
 * rest of the turn, uncorked every `WRITES_PER_FLUSH` writes and in `setImmediate`,
 * after the turn's promise callbacks (where Bull sends its commands). Both halves
 * matter on a machine where Redis and the process share the cores: corking a whole
 * turn (the first version of this) kept Redis waiting until the process had built
 * every command of the turn, and then the process waiting while Redis ran them all,
 * which cost a batch of 100 `scheduleJob` calls a third of its rate; a flush every
 * few writes lets Redis work on one part while the process builds the next. No command
 * waits past the end of the turn it was sent in.
 *
 * ioredis' `enableAutoPipelining` batches too, but its per-command bookkeeping (a
 * pipeline, a callback, a `nextTick` each) cost the process more CPU than the writes it
 * saved, in the same benchmark.
 *
 * Ending or destroying the socket needs nothing from here: `end()` uncorks, and
 * `destroy()` drops what was buffered, as it drops what was sent but not answered; ioredis
 * resends or fails those commands alike.
 */
import type { Socket } from 'node:net';

/**
 * Writes corked together at most. Bull's commands for one job are a few hundred bytes,
 * so 16 of them fill a few kilobytes, one segment or two; in the enqueue benchmark's
 * batches of 100 calls, 4 to 64 did alike, and all far better than the whole turn.
 */
export const WRITES_PER_FLUSH = 16;

export function coalesceWrites(socket: Socket): void {
  // eslint-disable-next-line @typescript-eslint/unbound-method -- called below with the socket as `this`
  const write = socket.write;
  /** A write went out this turn, so the turn's end is awaited (`setImmediate`). */
  let turnStarted = false;
  let corkedWrites = 0;
  const flush = () => {
    if (corkedWrites === 0) return;
    corkedWrites = 0;
    socket.uncork();
  };
  const endTurn = () => {
    turnStarted = false;
    flush();
  };
  socket.write = function (this: Socket, ...args: Parameters<Socket['write']>) {
    if (!turnStarted) {
      turnStarted = true;
      setImmediate(endTurn);
      return write.apply(this, args);
    }
    if (corkedWrites === 0) socket.cork();
    corkedWrites += 1;
    const written = write.apply(this, args);
    if (corkedWrites >= WRITES_PER_FLUSH) flush();
    return written;
  } as Socket['write'];
}
