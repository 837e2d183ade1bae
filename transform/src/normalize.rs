//! The normalization functions, from liner-normalize: one implementation for the SQL
//! models (see `udf`), the linker and Rust code.

pub use liner_normalize::*;
