import { describe, expect, it } from "vitest";
import { PublicKey } from "@solana/web3.js";
import { ORACLE_PROGRAM_ID, committeeAddress, feedAddress, submitReportHash } from "@lantern/sdk";

describe("oracle report hashing", () => {
  const report = {
    programId: ORACLE_PROGRAM_ID,
    feed: new PublicKey(new Uint8Array(32).fill(7)),
    consensusVersion: 1n,
    frame: 42n,
    rate: 1_050_000_000_000_000_000n,
    stakedLamports: 123_456_789n,
    bunker: true,
  };

  it("matches the program's hash of the same report (golden vector from the Rust test)", () => {
    expect(Buffer.from(submitReportHash(report)).toString("hex")).toBe(
      "ca9abafd27f6306fc6408cd9c15ca611a414321842acb1d0020d417c35a08552",
    );
  });

  it("changes with every field, so a vote cannot be replayed on another frame, feed or version", () => {
    const base = Buffer.from(submitReportHash(report)).toString("hex");
    const variants = [
      { ...report, frame: 43n },
      { ...report, feed: PublicKey.default },
      { ...report, consensusVersion: 2n },
      { ...report, rate: report.rate + 1n },
      { ...report, stakedLamports: 0n },
      { ...report, bunker: false },
      { ...report, programId: PublicKey.default },
    ];
    for (const variant of variants) {
      expect(Buffer.from(submitReportHash(variant)).toString("hex")).not.toBe(base);
    }
  });
});

describe("oracle addresses", () => {
  it("derives one committee and one feed per LRT mint", () => {
    const mint = new PublicKey(new Uint8Array(32).fill(3));
    const other = new PublicKey(new Uint8Array(32).fill(4));
    expect(committeeAddress(mint).equals(feedAddress(mint))).toBe(false);
    expect(committeeAddress(mint).equals(committeeAddress(other))).toBe(false);
    const [expected] = PublicKey.findProgramAddressSync([Buffer.from("committee"), mint.toBuffer()], ORACLE_PROGRAM_ID);
    expect(committeeAddress(mint).equals(expected)).toBe(true);
  });
});
