/**
 * Frames of the accounting reports, as `FrameConfig` in programs/oracle/src/state/committee.rs: frame
 * numbers start at `anchorFrame` at `anchorTs`; a frame's reference time is its first second and its
 * deadline its last.
 */
import { LanternError } from "../math/errors.js";
import { I64_MAX, I64_MIN, U64_MAX } from "../math/fixed.js";
import type { FrameConfig } from "./types.js";

/** Rust's checked i64/u64 arithmetic: where the program would abort, so do we. */
function i64(value: bigint): bigint {
  if (value > I64_MAX || value < I64_MIN) throw new RangeError("i64 overflow");
  return value;
}

function u64(value: bigint): bigint {
  if (value > U64_MAX || value < 0n) throw new RangeError("u64 overflow");
  return value;
}

/** `FrameConfig::new`: frame 1 starts at genesis; fails with `InvalidFrameConfig`. */
export function newFrameConfig(genesisTs: bigint, frameSecs: number, fastLaneSecs: number): FrameConfig {
  if (!(frameSecs > 0 && fastLaneSecs < frameSecs)) throw new LanternError("oracle", "InvalidFrameConfig");
  return { anchorTs: genesisTs, anchorFrame: 1n, frameSecs, fastLaneSecs };
}

/** The frame containing `ts`, or `undefined` before genesis. */
export function frameAt(frames: FrameConfig, ts: bigint): bigint | undefined {
  if (ts < frames.anchorTs) return undefined;
  return u64(frames.anchorFrame + i64(ts - frames.anchorTs) / BigInt(frames.frameSecs));
}

/** Reference time (first second) of `frame`; frames before the anchor map to the anchor. */
export function frameRefTs(frames: FrameConfig, frame: bigint): bigint {
  const behind = frame > frames.anchorFrame ? frame - frames.anchorFrame : 0n;
  const offset = BigInt.asIntN(64, behind); // `as i64`
  return i64(frames.anchorTs + i64(offset * BigInt(frames.frameSecs)));
}

/** Last second in which `frame` accepts votes and data. */
export function frameDeadline(frames: FrameConfig, frame: bigint): bigint {
  return i64(i64(frameRefTs(frames, frame) + BigInt(frames.frameSecs)) - 1n);
}

/** Whether `ts` falls in the fast lane of `frame` (only the rotating fast-lane subset may vote). */
export function inFastLane(frames: FrameConfig, frame: bigint, ts: bigint): boolean {
  return ts < i64(frameRefTs(frames, frame) + BigInt(frames.fastLaneSecs));
}

/**
 * The same frames re-cut to a new length from the current frame on: the current frame keeps its
 * number and start, later frames follow at the new length.
 */
export function reconfigured(frames: FrameConfig, now: bigint, frameSecs: number, fastLaneSecs: number): FrameConfig {
  const next = newFrameConfig(frames.anchorTs, frameSecs, fastLaneSecs);
  next.anchorFrame = frames.anchorFrame;
  const current = frameAt(frames, now);
  if (current !== undefined) {
    next.anchorTs = frameRefTs(frames, current);
    next.anchorFrame = current;
  }
  return next;
}
