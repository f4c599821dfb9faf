/**
 * Shared pieces of the fast account decoders: reading Borsh fields at fixed offsets from a DataView,
 * checking the 8-byte Anchor discriminator, and public keys.
 *
 * Decision: keys are returned as `PublicKey` (they compare, print, serialise and derive PDAs like any
 * web3.js key; base58 strings would cost an encoding per key). They are built lazily: a decoded key
 * points at a copy of its 32 bytes in a slab the decoders own (never the caller's buffer) and creates
 * web3.js's internal bignum only when first used (`equals`, `toBase58`, `toBuffer`, ...). Decoding a
 * snapshot of 100,000 sub-accounts therefore costs one small object per key instead of a bignum
 * conversion, which is much of what Anchor's coder spends. u64/u128/i64 are bigint, u8/u16/u32 number,
 * byte arrays Uint8Array, enums their variant name.
 */
import { Buffer } from "buffer";
import { PublicKey } from "@solana/web3.js";

/** A decoder was given bytes that are not the account it decodes. */
export class AccountDecodeError extends Error {
  override readonly name = "AccountDecodeError";
}

/** The 8-byte Anchor discriminator of an account, as two little-endian u32 for a cheap comparison. */
export interface Discriminator {
  readonly bytes: Uint8Array;
  readonly lo: number;
  readonly hi: number;
}

export function discriminator(bytes: readonly number[]): Discriminator {
  const b = Uint8Array.from(bytes);
  const view = new DataView(b.buffer);
  return { bytes: b, lo: view.getUint32(0, true), hi: view.getUint32(4, true) };
}

// Account buffers decoded from an RPC response (base64) share Node's Buffer pool: one DataView per
// underlying ArrayBuffer, kept for the next account, spares an allocation per decode.
let cachedBuffer: ArrayBufferLike | undefined;
let cachedView: DataView<ArrayBufferLike> = new DataView(new ArrayBuffer(0));

/**
 * A DataView over the whole ArrayBuffer under `data`, once its length and discriminator are checked:
 * field offsets are relative to `data.byteOffset`.
 */
export function accountView(
  data: Uint8Array,
  disc: Discriminator,
  size: number,
  name: string,
): DataView<ArrayBufferLike> {
  if (data.length < size) throw new AccountDecodeError(`${name}: ${data.length} bytes, expected at least ${size}`);
  if (data.buffer !== cachedBuffer) {
    cachedView = new DataView(data.buffer);
    cachedBuffer = data.buffer;
  }
  const b = data.byteOffset;
  if (cachedView.getUint32(b, true) !== disc.lo || cachedView.getUint32(b + 4, true) !== disc.hi) {
    throw new AccountDecodeError(`${name}: wrong discriminator`);
  }
  return cachedView;
}

/** Whether `data` starts with `disc`. */
export function hasDiscriminator(data: Uint8Array, disc: Discriminator): boolean {
  if (data.length < 8) return false;
  for (let i = 0; i < 8; i++) if (data[i] !== disc.bytes[i]) return false;
  return true;
}

export function u128(view: DataView, offset: number): bigint {
  return view.getBigUint64(offset, true) + (view.getBigUint64(offset + 8, true) << 64n);
}

export function bool(view: DataView, offset: number): boolean {
  const value = view.getUint8(offset);
  if (value > 1) throw new AccountDecodeError(`invalid bool ${value} at offset ${offset}`);
  return value === 1;
}

interface KeyFields {
  readonly _bytes: Uint8Array;
  readonly _offset: number;
}

function keyBytes(key: KeyFields): Uint8Array {
  return key._bytes.subarray(key._offset, key._offset + 32);
}

/**
 * A PublicKey over 32 bytes of `bytes` at `offset`; web3.js's internal bignum (`_bn`, which every
 * PublicKey method goes through) is built on first use. A plain constructor function whose prototype
 * inherits PublicKey's: `instanceof PublicKey` holds, and creating one is as cheap as a small object.
 */
const LazyKey = function LazyKey(this: { _bytes: Uint8Array; _offset: number }, bytes: Uint8Array, offset: number) {
  this._bytes = bytes;
  this._offset = offset;
} as unknown as new (
  bytes: Uint8Array,
  offset: number,
) => PublicKey;

LazyKey.prototype = Object.create(PublicKey.prototype, {
  constructor: { value: PublicKey, writable: true, configurable: true },
  _bn: {
    configurable: true,
    get(this: KeyFields) {
      const bn = (new PublicKey(keyBytes(this)) as unknown as { _bn: unknown })._bn;
      Object.defineProperty(this, "_bn", { value: bn, writable: true, configurable: true, enumerable: false });
      return bn;
    },
    set(this: KeyFields, value: unknown) {
      Object.defineProperty(this, "_bn", { value, writable: true, configurable: true, enumerable: false });
    },
  },
  toBuffer: {
    configurable: true,
    writable: true,
    value(this: KeyFields) {
      return Buffer.from(keyBytes(this));
    },
  },
  toBytes: {
    configurable: true,
    writable: true,
    value(this: KeyFields) {
      return keyBytes(this).slice();
    },
  },
});

/** The public key at `offset` of `bytes` (bytes the decoders own: never the caller's buffer). */
export function keyAt(bytes: Uint8Array, offset: number): PublicKey {
  return new LazyKey(bytes, offset);
}

/**
 * Decoded keys and byte arrays never alias the caller's buffer (which it may reuse): their bytes are
 * copied into slabs the decoders own, bump-allocated, so a decode costs no typed-array allocation. A
 * slab lives as long as any key in it.
 */
const SLAB_SIZE = 16 * 1024;
let slab = new Uint8Array(SLAB_SIZE);
let slabUsed = 0;

/** Copies `data[start, end)` into the decoders' slab and returns where it starts in `ownedSlab()`. */
export function ownBytes(data: Uint8Array, start: number, end: number): number {
  const length = end - start;
  if (slabUsed + length > slab.length) {
    slab = new Uint8Array(Math.max(SLAB_SIZE, length));
    slabUsed = 0;
  }
  slab.set(data.subarray(start, end), slabUsed);
  const offset = slabUsed;
  slabUsed += length;
  return offset;
}

/** The slab the last `ownBytes` copied into. */
export function ownedSlab(): Uint8Array {
  return slab;
}
