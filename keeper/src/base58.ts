// Base58 (Bitcoin alphabet) for transaction signatures and account addresses, so the keeper needs no
// extra dependency. Base conversion without a bignum: limbs of 58^5 in doubles, fed two input bytes at a
// time (exact: a limb times 65,536 stays below 2^53), returning a flat string — an address costs well
// under a microsecond, and a million of them held as map keys carry no rope overhead.
const ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
const CODES = Array.from(ALPHABET, (c) => c.charCodeAt(0));
const LIMB = 58 ** 5;
let limbs = new Float64Array(64);

export function base58(bytes: Uint8Array): string {
  let zeros = 0;
  while (zeros < bytes.length && bytes[zeros] === 0) zeros++;
  if (limbs.length < bytes.length) limbs = new Float64Array(bytes.length);
  let n = 0; // limbs in use, least significant first
  const push = (value: number, multiplier: number) => {
    let carry = value;
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
  };
  let i = zeros;
  if ((bytes.length - zeros) % 2 === 1) push(bytes[i++]!, 256);
  for (; i < bytes.length; i += 2) push(bytes[i]! * 256 + bytes[i + 1]!, 65_536);
  const codes: number[] = [];
  for (let z = 0; z < zeros; z++) codes.push(49); // "1"
  for (let j = n - 1; j >= 0; j--) {
    let limb = limbs[j]!;
    const five = [0, 0, 0, 0, 0];
    for (let d = 4; d >= 0; d--) {
      five[d] = limb % 58;
      limb = Math.floor(limb / 58);
    }
    let d = 0;
    if (j === n - 1) while (d < 4 && five[d] === 0) d++;
    for (; d < 5; d++) codes.push(CODES[five[d]!]!);
  }
  return String.fromCharCode(...codes);
}
