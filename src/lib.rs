//! liner: the CLI, configuration, state and orchestration. It wires the stages
//! (liner-extract, liner-transform, liner-load) together; they know nothing of each other.

pub mod commands;
pub mod config;
pub mod runs;
pub mod serve;
pub mod shipped;
pub mod stored;
pub mod telemetry;
