//! PDA seeds of the oracle program, in one place.

/// `["committee", lrt_mint]`: the committee that prices one LRT.
pub const COMMITTEE: &[u8] = b"committee";
/// `["feed", lrt_mint]`: the feed consumers read for one LRT.
pub const FEED: &[u8] = b"feed";
