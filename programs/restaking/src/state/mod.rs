pub mod pool;
pub mod ticket;

pub use pool::*;
pub use ticket::*;
