/**
 * Sends what a socket is given in one turn of the event loop with one system call.
 *
 * ioredis writes each command to its socket as it is sent: one write(2) per command.
 * Bull sends a few commands per job, and a producer scheduling many jobs at once, or
 * a worker finishing many, sends them in the same turn. On a Redis nearby, a write
 * costs more CPU than the command's own work: a third of the process's CPU in a profile
 * of the throughput benchmark, and Redis pays again for each read. Corking the socket at
 * a turn's first write and uncorking it in `setImmediate`, after the turn's promise
 * callbacks (where Bull sends its commands), hands the kernel the turn's commands as one
 * `writev`. No command waits past the end of the turn it was sent in.
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

export function coalesceWrites(socket: Socket): void {
  // eslint-disable-next-line @typescript-eslint/unbound-method -- called below with the socket as `this`
  const write = socket.write;
  let corked = false;
  const uncork = () => {
    corked = false;
    socket.uncork();
  };
  socket.write = function (this: Socket, ...args: Parameters<Socket['write']>) {
    if (!corked) {
      corked = true;
      socket.cork();
      setImmediate(uncork);
    }
    return write.apply(this, args);
  } as Socket['write'];
}
