//! What is stored: the state (what cannot be rebuilt from the lake) and the typed
//! queries of the warehouse that the CLI, the API and the report share.

pub mod queries;
pub mod state;
