// `npm start` / `npm run sandbox`: compile only when the inputs differ from those of the last build,
// so a restart with dist/ current starts at once (tsc takes 10-20 s here). `npm run build` always compiles.
//
// The rule is the inputs' content, not their times: a file saved while tsc runs, a file restored with
// an old time (cp -p, tar, an editor's undo), a deleted or renamed source all count. Hashing them
// costs a few ms. Inputs: every file under src/, both tsconfigs, and package.json and its lock file
// (module type, TypeScript's version and the @tsconfig base all change what tsc emits).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const STAMP = 'dist/.build-stamp';
const INPUT_DIRS = ['src'];
const INPUT_FILES = ['tsconfig.json', 'tsconfig.build.json', 'package.json', 'package-lock.json'];
const ENTRY = 'dist/server.js';

function inputsDigest() {
  const hash = createHash('sha256');
  const paths = [
    ...INPUT_DIRS.flatMap((dir) =>
      readdirSync(dir, { withFileTypes: true, recursive: true })
        .filter((entry) => entry.isFile())
        .map((entry) => join(entry.parentPath, entry.name)),
    ).sort(), // the file system's listing order: sorted, the digest depends on the content alone
    ...INPUT_FILES.filter((file) => existsSync(file)),
  ];
  for (const path of paths) hash.update(`${path}\0`).update(readFileSync(path)).update('\0');
  return hash.digest('hex');
}

const digest = inputsDigest(); // before tsc: a file changed during the build is seen at the next start
let built = '';
try {
  built = readFileSync(STAMP, 'utf8').trim();
} catch {
  // never built (or dist/ removed): build
}
if (built !== digest || !existsSync(ENTRY)) {
  console.error('compiling src/ to dist/ (its inputs changed since the last build)');
  const result = spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
  writeFileSync(STAMP, `${digest}\n`);
}
