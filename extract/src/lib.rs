//! liner-extract: turns intent (the followed artists) into requests, sends them through
//! one HTTP stack per provider, and lands every response in the raw lake.

pub mod auth;
pub mod breaker;
pub mod cache;
pub mod config;
pub mod http;
pub mod job;
pub mod lake;
pub mod lookup;
pub mod paging;
pub mod providers;
pub mod quota;
pub mod replay;
pub mod request;
pub mod secret;

pub use config::{ProviderConfig, RateLimit};
pub use job::{Answer, ExtractJob, ExtractReport, Failure, OnAnswer, ProviderReport, run};
pub use lookup::{Identifier, Lookup, Outcome};
pub use providers::{Provider, Resource};

/// Every resource of every provider, in the order `liner resources` lists them.
pub fn resources() -> Vec<Resource> {
    Provider::ALL.iter().flat_map(|p| p.resources().iter().copied()).collect()
}
