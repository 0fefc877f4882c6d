import { once } from 'node:events';
import { connect } from 'node:net';
import { startHttpListener, type HttpListener } from './http-listener.js';

/** Sends `request` as raw bytes; resolves with the status line and body the server answered before closing. */
function rawRequest(listener: HttpListener, request: string): Promise<{ statusLine: string; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(listener.address.port, '127.0.0.1');
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
    socket.on('error', reject);
    socket.on('close', () => {
      const [head = '', body = ''] = answer.split('\r\n\r\n');
      resolve({ statusLine: head.split('\r\n')[0] ?? '', body });
    });
    socket.end(request);
  });
}

describe('startHttpListener', () => {
  let listener: HttpListener;
  beforeAll(async () => {
    listener = await startHttpListener({ host: '127.0.0.1', port: 0 }, { request: (_request, response) => (response.end('ok'), true) });
  });
  afterAll(() => listener.close(100));

  const tooLarge = { statusLine: 'HTTP/1.1 431 Request Header Fields Too Large', body: '{"message":"Request Header Fields Too Large"}\n' };

  it('answers a 1.2 MB URL with 431 instead of resetting the connection', async () => {
    expect(await rawRequest(listener, `GET /subscribe?${'x'.repeat(1_200_000)} HTTP/1.1\r\nHost: a\r\n\r\n`)).toEqual(tooLarge);
  });

  it('answers a 2 MB header with 431', async () => {
    expect(await rawRequest(listener, `GET / HTTP/1.1\r\nHost: a\r\nX-Padding: ${'y'.repeat(2_000_000)}\r\n\r\n`)).toEqual(tooLarge);
  });

  it('answers a request it cannot parse with 400, and serves a 900 KB URL (under Go-sized 1 MiB headers)', async () => {
    expect(await rawRequest(listener, 'NOT HTTP\r\n\r\n')).toEqual({ statusLine: 'HTTP/1.1 400 Bad Request', body: '{"message":"Bad Request"}\n' });
    const served = await fetch(`http://127.0.0.1:${listener.address.port}/?${'x'.repeat(900_000)}`);
    expect([served.status, await served.text()]).toEqual([200, 'ok']);
  });

  it('survives a client that resets the connection after the answer to an upgrade it refused', async () => {
    // The refused upgrade's socket has no error listener of Node's server any more: the reset
    // arrives while it is half-closed, so it must be handled or the process crashes.
    const socket = connect(listener.address.port, '127.0.0.1');
    socket.write('GET /nowhere HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n');
    const [answer] = (await once(socket, 'data')) as [Buffer];
    expect(answer.toString().split('\r\n')[0]).toBe('HTTP/1.1 404 Not Found');
    socket.resetAndDestroy();
    await once(socket, 'close');
    const served = await fetch(`http://127.0.0.1:${listener.address.port}/`);
    expect(await served.text()).toBe('ok');
  });
});
