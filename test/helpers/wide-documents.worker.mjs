// 8 clients sending unique wide documents to `${url}/graphql` while switched on (a worker thread: its
// work does not delay the test's own probe). Messages: 'on', 'off', 'stop'; on 'stop' it reports how
// many were refused by a document limit and what was not.
import { parentPort, workerData } from 'node:worker_threads';
import { Pool } from 'undici';

const { url, clients } = workerData;
const pool = new Pool(url, { connections: clients, pipelining: 1 });
let serial = 0;
/** The shapes seen in the attack, at their size (~1,000 tokens) and just under the token limit. */
const shapes = [
  () => `query W${(serial += 1)} { ${'__typename '.repeat(990)} }`,
  () => `query W${(serial += 1)} { ${'__typename '.repeat(390)} }`,
  () => `query W${(serial += 1)} { ${'_service { sdl } '.repeat(246)} }`,
  () => `query W${(serial += 1)} { ${'_service { sdl } '.repeat(95)} }`,
  () => `query W${(serial += 1)} { ${Array.from({ length: 300 }, (_, i) => `a${i}: __typename`).join(' ')} }`,
  () => `query W${(serial += 1)} { ${Array.from({ length: 130 }, (_, i) => `a${i}: __typename`).join(' ')} }`,
  () => `fragment F${(serial += 1)} on Query { ${'__typename '.repeat(380)} } query W${serial} { ...F${serial} }`,
];
const LIMIT = /^Syntax Error: (Token|Field selections|Aliases) limit of \d+ exceeded/;

let on = false;
let stopped = false;
let waiting = [];
let refused = 0;
const accepted = [];
parentPort.on('message', (message) => {
  on = message === 'on';
  stopped = message === 'stop';
  for (const wake of waiting.splice(0)) wake();
});

async function client(offset) {
  for (let i = offset; !stopped; i += 1) {
    if (!on) {
      await new Promise((resolve) => waiting.push(resolve));
      continue;
    }
    const response = await pool.request({
      method: 'POST',
      path: '/graphql',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
      body: JSON.stringify({ query: shapes[i % shapes.length]() }),
    });
    const message = (await response.body.json()).errors?.[0]?.message ?? '';
    if (response.statusCode === 400 && LIMIT.test(message)) refused += 1;
    else accepted.push(`${response.statusCode} ${message.slice(0, 100)}`);
  }
}

await Promise.all(Array.from({ length: clients }, (_, n) => client(n)));
await pool.close();
parentPort.postMessage({ refused, accepted });
