// One live-update stream (server-sent events) of a space: ids only, a heartbeat, and access checked
// again before every event and every minute, so a stream never outlives the person's access.
import type { Request, Response } from 'express';
import type { PostEvent } from '../../models/post-events.ts';
import type { PostEventSubscriber } from './post-events-hub.ts';

const HEARTBEAT_MS = 25_000;
const RECHECK_MS = 60_000;
/** EventSource waits this long before reconnecting after a dropped connection. */
const RECONNECT_MS = 10_000;

export function openEventStream(
  req: Request,
  res: Response,
  stream: { subscribe: (s: PostEventSubscriber) => () => void; mayStillSee: () => Promise<boolean>; release: () => void },
): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache, no-transform', connection: 'keep-alive', 'x-accel-buffering': 'no' });
  res.write(`retry: ${RECONNECT_MS}\n: connected\n\n`);
  let ended = false;
  // Events are checked and written one after another, in the order they came.
  let chain = Promise.resolve();
  /** Stops the timers and the subscription and gives the slot back, once; false if already done. */
  const finish = (): boolean => {
    if (ended) return false;
    ended = true;
    clearInterval(heartbeat);
    clearInterval(recheck);
    unsubscribe();
    stream.release();
    return true;
  };
  // The page's script stops reconnecting on 'end' (a reload then shows the person where they stand).
  const end = (why: 'access-ended' | 'closing'): void => {
    if (finish()) res.end(`event: end\ndata: ${JSON.stringify({ reason: why })}\n\n`);
  };
  const checked = (then: () => void): void => {
    chain = chain.then(async () => {
      if (ended) return;
      const allowed = await stream.mayStillSee().catch(() => false);
      if (ended) return;
      if (!allowed) end('access-ended');
      else then();
    });
  };
  const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS);
  const recheck = setInterval(() => checked(() => undefined), RECHECK_MS);
  const unsubscribe = stream.subscribe({
    onEvent: (e: PostEvent) => checked(() => res.write(`event: post\ndata: ${JSON.stringify({ threadId: e.threadId, postId: e.postId })}\n\n`)),
    onClose: () => end('closing'),
  });
  req.on('close', finish);
}
