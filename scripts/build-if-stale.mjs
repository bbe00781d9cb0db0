// `npm start` / `npm run sandbox`: compile only when a source is newer than the last build, so a
// restart with dist/ current starts at once (tsc takes 10-20 s here). `npm run build` always compiles.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const STAMP = 'dist/.build-stamp';
const INPUTS = ['src', 'tsconfig.json', 'tsconfig.build.json', 'package-lock.json'];

/** The newest modification time under `path` (a file or a folder), in ms. */
function newest(path) {
  const stats = statSync(path);
  if (!stats.isDirectory()) return stats.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((name) => newest(join(path, name))));
}

let built = 0;
try {
  built = statSync(STAMP).mtimeMs;
} catch {
  // never built (or dist/ removed): build
}
if (Math.max(...INPUTS.map(newest)) >= built) {
  const started = Date.now();
  const result = spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
  writeFileSync(STAMP, `built in ${Date.now() - started} ms\n`);
}
