//! liner: the CLI, configuration, state and orchestration. It wires the stages
//! (liner-extract, liner-transform, liner-load) together; they know nothing of each other.

#[cfg(feature = "sim")]
pub mod bench;
pub mod config;
#[cfg(feature = "sim")]
pub mod demo;
pub mod enrich;
pub mod follow;
pub mod init;
pub mod links;
pub mod plan;
pub mod progress;
#[cfg(feature = "sim")]
pub mod quality;
pub mod report;
pub mod review;
pub mod runner;
pub mod scheduler;
pub mod schedules;
pub mod serve;
pub mod shipped;
pub mod stages;
pub mod state;
pub mod telemetry;
pub mod warehouse;
pub mod writer_lock;
