//! liner-transform: the model runner over DuckDB, and the Rust models and functions
//! the SQL models call.

pub mod build;
pub mod changes;
pub mod conformed;
pub mod incremental;
pub mod model;
pub mod normalize;
pub mod plan;
pub mod rust_models;
pub mod udf;
pub mod video_title;

pub use build::{
    BuildOptions, BuildReport, BuiltModel, CoverageRow, OnModel, Planned, RawSource, ReviewDecision, build,
    coverage_of, planned,
};
pub use changes::BuildKind;
pub use incremental::Action;
pub use model::{Assertion, Model};
