//! liner-normalize: how liner compares identifiers, titles and names. One
//! implementation, called from SQL models (registered as DuckDB functions by
//! liner-transform), from the linker, and from Rust code alike.

mod identifiers;
mod text;

pub use identifiers::{check_digit, gtin14, isrc, upc_variants};
pub use text::{
    Part, Title, artist_key, artist_set, bracket_parts, find_ignoring_ascii_case, fold, split_at_dash, title,
};
