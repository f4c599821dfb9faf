//! Model-based property tests: random sequences of votes, report data, membership and quorum changes,
//! consensus switches and clock moves, applied to the program on the runtime and to a small model.
//! After every step: the member vote slots equal the model's, at most one hash holds quorum, the
//! recorded consensus is the one the votes give, each outcome (and its error) is the predicted one,
//! and a rejected instruction leaves every account byte-for-byte unchanged.
use std::collections::BTreeMap;

use lantern_test_support::solana_sdk::{instruction::Instruction, signature::Keypair, signature::Signer};
use oracle::errors::OracleError;
use oracle::math::sanity::{evaluate, Candidate};
use oracle::state::{Committee, NO_HASH};
use proptest::prelude::*;

use crate::common::*;

#[derive(Clone, Debug)]
enum Op {
    Vote { member: usize, tag: u8 },
    Data { member: usize, tag: u8 },
    Add { slack: u8 },
    Remove { member: usize, slack: u8 },
    Quorum { quorum: u8 },
    Warp { secs: i64 },
    Disable(bool),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        8 => (0..16usize, 0..3u8).prop_map(|(member, tag)| Op::Vote { member, tag }),
        3 => (0..16usize, 0..3u8).prop_map(|(member, tag)| Op::Data { member, tag }),
        1 => (0..3u8).prop_map(|slack| Op::Add { slack }),
        1 => (0..16usize, 0..3u8).prop_map(|(member, slack)| Op::Remove { member, slack }),
        1 => (0..12u8).prop_map(|quorum| Op::Quorum { quorum }),
        2 => prop_oneof![Just(600i64), Just(43_200), Just(86_400)].prop_map(|secs| Op::Warp { secs }),
        1 => prop_oneof![3 => Just(false), 1 => Just(true)].prop_map(Op::Disable),
    ]
}

/// What the test believes the committee holds.
#[derive(Default)]
struct Model {
    votes: Vec<Option<(u64, [u8; 32])>>,
    quorum: u8,
    disabled: bool,
    processed: u64,
}

impl Model {
    fn support(&self, frame: u64) -> BTreeMap<[u8; 32], u8> {
        let mut support = BTreeMap::new();
        for (vote_frame, hash) in self.votes.iter().flatten() {
            if *vote_frame == frame {
                *support.entry(*hash).or_insert(0) += 1;
            }
        }
        support
    }

    fn consensus(&self, frame: u64) -> Option<[u8; 32]> {
        if self.disabled || usize::from(self.quorum) > self.votes.len() {
            return None;
        }
        let holding: Vec<[u8; 32]> =
            self.support(frame).into_iter().filter(|(_, s)| *s >= self.quorum).map(|(h, _)| h).collect();
        assert!(holding.len() <= 1, "more than one hash holds quorum: {holding:?}");
        holding.first().copied()
    }
}

fn rate(tag: u8) -> u128 {
    WAD + u128::from(tag) * 1_000_000_000_000
}

fn check_against_model(committee: &Committee, model: &Model, frame: u64) {
    assert_eq!(usize::from(committee.member_count), model.votes.len());
    assert_eq!(committee.quorum, model.quorum);
    for (slot, expected) in committee.active_members().iter().zip(&model.votes) {
        match expected {
            Some((vote_frame, hash)) => assert_eq!((slot.vote_frame, slot.vote_hash), (*vote_frame, *hash)),
            None => assert_eq!(slot.vote_hash, NO_HASH),
        }
    }
    for (hash, support) in model.support(frame) {
        assert_eq!(committee.support(frame, &hash), support, "support equals the matching member votes");
    }
}

async fn run(ops: Vec<Op>) {
    let mut f = Fixture::with(Setup { members: 3, quorum: 2, ..Setup::default() }).await;
    let admin = f.admin.insecure_clone();
    let mut model = Model { votes: vec![None; 3], quorum: 2, ..Model::default() };
    let watched = f.watched();

    for op in ops {
        let frame = f.current_frame().await;
        let n = model.votes.len();
        let before = f.chain.snapshot(&watched).await;
        // (instructions, signer, expected outcome: Ok(refreshes consensus) or Err(error))
        let (ixs, signer, expected): (Vec<Instruction>, Keypair, Result<bool, OracleError>) = match op {
            Op::Warp { secs } => {
                f.chain.warp_by(secs).await;
                continue;
            }
            Op::Vote { member, tag } | Op::Data { member, tag } if n == 0 => {
                let _ = (member, tag);
                continue;
            }
            Op::Vote { member, tag } => {
                let member = member % n;
                let hash = f.report(frame, rate(tag)).hash();
                let voted = model.votes[member].filter(|(vote_frame, _)| *vote_frame == frame);
                let expected = if model.disabled {
                    Err(OracleError::ConsensusDisabled)
                } else if frame <= model.processed && voted.is_some() {
                    Err(OracleError::ReportAlreadyProcessing)
                } else if frame <= model.processed {
                    Ok(false)
                } else if voted.map(|(_, h)| h) == Some(hash) {
                    Err(OracleError::DuplicateHash)
                } else {
                    model.votes[member] = Some((frame, hash));
                    Ok(true)
                };
                let signer = f.signer(member);
                (vec![f.vote_ix(signer.pubkey(), frame, hash, VERSION)], signer, expected)
            }
            Op::Data { member, tag } => {
                let member = member % n;
                let report = f.report(frame, rate(tag));
                let expected = if model.disabled {
                    Err(OracleError::ConsensusDisabled)
                } else if frame <= model.processed {
                    Err(OracleError::FrameAlreadyProcessed)
                } else {
                    match model.consensus(frame) {
                        None => Err(OracleError::NoConsensus),
                        Some(hash) if hash != report.hash() => Err(OracleError::HashMismatch),
                        Some(_) => {
                            // The sanity rules decide too (a rise right after genesis has no time to accrue).
                            let committee = f.committee_state().await;
                            let ref_ts = committee.frames.ref_ts(frame);
                            let prior = f.feed_state().await.prior(ref_ts, &committee.limits);
                            let candidate = Candidate { rate: report.rate, ref_ts, bunker_flag: false };
                            match evaluate(&committee.limits, &prior, &candidate) {
                                Err(error) => Err(error),
                                Ok(_) => {
                                    model.processed = frame;
                                    Ok(false)
                                }
                            }
                        }
                    }
                };
                let signer = f.signer(member);
                (vec![f.data_ix(signer.pubkey(), report)], signer, expected)
            }
            Op::Add { slack } => {
                let quorum = (n.div_ceil(2) + 1) as u8 + slack;
                let keys = MemberKeys { authority: Keypair::new(), signer: Keypair::new() };
                let ix = f.add_member_ix(keys.authority.pubkey(), keys.signer.pubkey(), quorum);
                let expected = if n == oracle::state::MAX_MEMBERS {
                    Err(OracleError::CommitteeFull)
                } else {
                    f.members.push(keys);
                    model.votes.push(None);
                    model.quorum = quorum;
                    Ok(true)
                };
                (vec![ix], admin.insecure_clone(), expected)
            }
            Op::Remove { member, slack } if n > 0 => {
                let member = member % n;
                let quorum = ((n - 1) / 2 + 1) as u8 + slack;
                let ix = f.remove_member_ix(f.members[member].authority.pubkey(), quorum);
                f.members.swap_remove(member);
                model.votes.swap_remove(member);
                model.quorum = quorum;
                (vec![ix], admin.insecure_clone(), Ok(true))
            }
            Op::Remove { .. } => continue,
            Op::Quorum { quorum } => {
                let expected = if quorum == 0 || usize::from(quorum) * 2 <= n {
                    Err(OracleError::QuorumTooLow)
                } else {
                    model.quorum = quorum;
                    Ok(true)
                };
                (vec![f.set_quorum_ix(admin.pubkey(), quorum)], admin.insecure_clone(), expected)
            }
            Op::Disable(disabled) => {
                model.disabled = disabled;
                (vec![f.disabled_ix(admin.pubkey(), disabled)], admin.insecure_clone(), Ok(true))
            }
        };

        let result = f.chain.send(&ixs, &[&signer]).await;
        match expected {
            Ok(refreshes) => {
                assert!(result.is_ok(), "{op:?} should succeed, got {result:?}");
                let committee = f.committee_state().await;
                check_against_model(&committee, &model, frame);
                if refreshes && frame > model.processed {
                    let recorded = (committee.consensus_frame == frame && committee.consensus_hash != NO_HASH)
                        .then_some(committee.consensus_hash);
                    assert_eq!(recorded, model.consensus(frame), "recorded consensus after {op:?}");
                }
                if !refreshes && matches!(op, Op::Vote { .. }) {
                    assert_eq!(before, f.chain.snapshot(&watched).await, "a late non-voter's vote is a no-op");
                }
            }
            Err(error) => {
                let err = result.expect_err(&format!("{op:?} should fail with {error:?}"));
                assert_eq!(lantern_test_support::custom_error(&err), Some(code(error)), "{op:?}: {err:?}");
                assert_eq!(before, f.chain.snapshot(&watched).await, "rejected {op:?} changed state");
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn random_committee_operations_keep_the_invariants(ops in prop::collection::vec(op(), 1..48)) {
        tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime").block_on(run(ops));
    }
}
