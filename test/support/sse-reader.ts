// A live-update stream read as a browser's EventSource would: the `post` and `end` events of a space.
import http from 'node:http';

/** Reads an SSE stream with the browser's cookies; resolves each `post` event's data. */
export function openEvents(url: string, cookie: string) {
  const events: Array<{ threadId: string; postId: string }> = [];
  const ends: string[] = [];
  let status = 0;
  let closed = false;
  const req = http.get(url, { headers: { cookie, accept: 'text/event-stream' } }, (res) => {
    status = res.statusCode ?? 0;
    res.on('end', () => { closed = true; });
    let buffer = '';
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      buffer += chunk;
      let i: number;
      while ((i = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, i);
        buffer = buffer.slice(i + 2);
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (/^event: post$/m.test(block) && data) events.push(JSON.parse(data));
        if (/^event: end$/m.test(block) && data) ends.push((JSON.parse(data) as { reason: string }).reason);
      }
    });
  });
  req.on('error', () => undefined);
  return { events, ends, status: () => status, closed: () => closed, close: () => req.destroy() };
}
