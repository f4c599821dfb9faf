pub mod committee;
pub mod feed;

pub use committee::*;
pub use feed::*;
