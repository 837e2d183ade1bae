//! Runs and what they are made of: the stages, the schedules that name them, the
//! scheduler that starts them, their progress, the writer lock and enrichment on request.

pub mod enrich;
pub mod plan;
pub mod progress;
pub mod runner;
pub mod scheduler;
pub mod schedules;
pub mod stages;
pub mod writer_lock;
