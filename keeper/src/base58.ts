// Base58 (Bitcoin alphabet) for transaction signatures and account addresses, so the keeper needs no
// extra dependency. Base conversion without a bignum: limbs of 58^5 in doubles, fed two input bytes at a
// time (exact: a limb times 65,536 plus a carry stays below 2^53), returning a flat string — a million
// addresses held as map keys carry no rope overhead.
const ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
const CODES = Array.from(ALPHABET, (c) => c.charCodeAt(0));
const LIMB = 656_356_768; // 58^5
let limbs = new Float64Array(64);
let codes = new Array<number>(128).fill(0);

export function base58(bytes: Uint8Array): string {
  const length = bytes.length;
  let zeros = 0;
  while (zeros < length && bytes[zeros] === 0) zeros++;
  if (limbs.length < length) limbs = new Float64Array(length);
  if (codes.length < 2 * length) codes = new Array<number>(2 * length).fill(0);
  let n = 0; // limbs in use, least significant first
  let i = zeros;
  let odd = (length - zeros) % 2 === 1;
  while (i < length) {
    let carry: number;
    let multiplier: number;
    if (odd) {
      carry = bytes[i]!;
      multiplier = 256;
      i += 1;
      odd = false;
    } else {
      carry = bytes[i]! * 256 + bytes[i + 1]!;
      multiplier = 65_536;
      i += 2;
    }
    for (let j = 0; j < n; j++) {
      carry += limbs[j]! * multiplier;
      const q = Math.floor(carry / LIMB);
      limbs[j] = carry - q * LIMB;
      carry = q;
    }
    while (carry > 0) {
      const q = Math.floor(carry / LIMB);
      limbs[n++] = carry - q * LIMB;
      carry = q;
    }
  }
  // Digits, least significant first, then reversed into the output.
  let d = 0;
  for (let j = 0; j < n; j++) {
    let limb = limbs[j]!;
    for (let k = 0; k < 5; k++) {
      const q = (limb / 58) | 0;
      codes[d++] = limb - q * 58;
      limb = q;
    }
  }
  while (d > 0 && codes[d - 1] === 0) d--;
  let out = "1".repeat(zeros);
  const digits = new Array<number>(d);
  for (let k = 0; k < d; k++) digits[k] = CODES[codes[d - 1 - k]!]!;
  out += String.fromCharCode.apply(null, digits);
  return out;
}
