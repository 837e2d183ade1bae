//! liner-transform: the model runner over DuckDB, and the Rust models and functions
//! the SQL models call.

pub mod build;
pub mod conformed;
pub mod model;
pub mod normalize;
pub mod plan;
pub mod rust_models;
pub mod udf;
pub mod video_title;

pub use build::{
    BuildOptions, BuildReport, BuiltModel, CoverageRow, OnModel, RawSource, ReviewDecision, build, coverage_of, planned,
};
pub use model::{Assertion, Model};
