// A small server that is not one of the suite's: plain node:http, a list of items in memory.
// `server-models bench --scenario-file examples/items.scenarios.json --target-cmd "node examples/items-server.mjs"`
// starts it with PORT and HOST in its environment and benchmarks it (README, "Benchmark your own server").
import { createServer } from 'node:http';

const items = [
  { id: 1, name: 'kettle', price: 24.5 },
  { id: 2, name: 'teapot', price: 18 },
  { id: 3, name: 'mug', price: 6.25 },
];
let nextId = items.length + 1;

const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (url.pathname === '/api/items' && req.method === 'GET') {
    send(res, 200, items);
  } else if (url.pathname.startsWith('/api/items/') && req.method === 'GET') {
    const item = items.find((i) => i.id === Number(url.pathname.slice('/api/items/'.length)));
    if (item) send(res, 200, item);
    else send(res, 404, { error: 'no such item' });
  } else if (url.pathname === '/api/items' && req.method === 'POST') {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      try {
        const { name, price } = JSON.parse(body);
        // Created, answered, not kept: a benchmark's thousands of POSTs must not grow the list.
        send(res, 201, { id: nextId++, name, price });
      } catch {
        send(res, 400, { error: 'expected a JSON body' });
      }
    });
  } else {
    send(res, 404, { error: 'not found' });
  }
});

function send(res, status, value) {
  const body = JSON.stringify(value);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

const port = Number(process.env.PORT ?? 8080);
const host = process.env.HOST ?? '127.0.0.1';
server.listen(port, host, () => process.stdout.write(`listening on http://${host}:${port}\n`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
