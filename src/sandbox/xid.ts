import { randomFillSync } from 'node:crypto';

// PACE's services (Go, pace/bricks) identify requests and errors with rs/xid ids:
// 12 bytes rendered as 20 lowercase base32hex characters, e.g. "cbgmhslmp1o9or9kh1p0".
const BASE32HEX = '0123456789abcdefghijklmnopqrstuv';
const XID_PATTERN = /^[0-9a-v]{19}[0g]$/;

/** A fresh xid-like id: 4 bytes of Unix seconds (so ids sort by time, like xid) + 8 random bytes. */
export function newXid(): string {
  const bytes = Buffer.alloc(12);
  bytes.writeUInt32BE(Math.floor(Date.now() / 1000) >>> 0, 0);
  randomFillSync(bytes, 4);
  return encodeBase32Hex(bytes);
}

/** True for strings that are shaped like an xid (20 chars; the last one only carries 1 bit). */
export function isXid(value: unknown): value is string {
  return typeof value === 'string' && XID_PATTERN.test(value);
}

function encodeBase32Hex(bytes: Uint8Array): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += BASE32HEX.charAt((buffer >> bits) & 31);
    }
    buffer &= (1 << bits) - 1; // keep only the bits not yet emitted
  }
  if (bits > 0) out += BASE32HEX.charAt((buffer << (5 - bits)) & 31);
  return out;
}
