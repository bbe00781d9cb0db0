// 8 clients sending unique wide documents to `${url}/graphql` until told to stop (a worker thread:
// its work does not delay the test's own probe). Reports how many were refused by a document limit.
import { parentPort, workerData } from 'node:worker_threads';

const { url, clients } = workerData;
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

let running = true;
let refused = 0;
const accepted = [];
parentPort.on('message', () => {
  running = false;
});

async function client(offset) {
  for (let i = offset; running; i += 1) {
    const response = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
      body: JSON.stringify({ query: shapes[i % shapes.length]() }),
    });
    const message = (await response.json()).errors?.[0]?.message ?? '';
    if (response.status === 400 && LIMIT.test(message)) refused += 1;
    else accepted.push(`${response.status} ${message.slice(0, 100)}`);
  }
}

await Promise.all(Array.from({ length: clients }, (_, n) => client(n)));
parentPort.postMessage({ refused, accepted });
