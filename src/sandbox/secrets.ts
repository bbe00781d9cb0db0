import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

// PINs and passwords are kept only as salted scrypt hashes, compared in constant time.
// The cost is deliberately modest (N=2^12, ~4 MiB, a few ms): this is a local test double,
// and the gateway's benchmarks must not end up measuring the sandbox's hashing.
const SCRYPT_OPTIONS: ScryptOptions = { N: 4096, r: 8, p: 1 };
const KEY_LENGTH = 32;

interface SaltedHash {
  salt: Buffer;
  hash: Buffer;
}

/** A stored credential: hashed lazily on first use, then cached for the process lifetime. */
export class StoredSecret {
  #pending: Promise<SaltedHash> | undefined;
  #plain: string | undefined;

  constructor(plain: string) {
    this.#plain = plain;
  }

  async matches(candidate: string): Promise<boolean> {
    const { salt, hash } = await this.#saltedHash();
    return timingSafeEqual(hash, await scryptHash(candidate, salt));
  }

  #saltedHash(): Promise<SaltedHash> {
    if (this.#pending === undefined) {
      const salt = randomBytes(16);
      this.#pending = scryptHash(this.#plain ?? '', salt).then((hash) => ({ salt, hash }));
      this.#plain = undefined; // from now on only the hash is held
    }
    return this.#pending;
  }
}

// Compared against when the account has no such credential, so "not set" costs the same
// time as "wrong" and the response time does not reveal which credentials exist.
const NEVER_MATCHING = new StoredSecret(randomBytes(32).toString('base64url'));

export async function verifySecret(stored: StoredSecret | undefined, candidate: string): Promise<boolean> {
  const matched = await (stored ?? NEVER_MATCHING).matches(candidate);
  return stored !== undefined && matched;
}

function scryptHash(secret: string, salt: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(secret, salt, KEY_LENGTH, SCRYPT_OPTIONS, (error, key) => (error ? reject(error) : resolve(key)));
  });
}
