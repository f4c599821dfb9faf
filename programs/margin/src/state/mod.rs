pub mod lending_pool;
pub mod market;
pub mod sub_account;

pub use lending_pool::*;
pub use market::*;
pub use sub_account::*;
