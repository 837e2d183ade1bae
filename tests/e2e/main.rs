//! End-to-end tests of liner against the simulator, over real HTTP on 127.0.0.1.
//! One test binary, so DuckDB is linked once.

mod common;

mod app_api;
mod apple_music;
mod auth;
mod beatport;
mod config;
mod discogs;
mod enrich;
mod faults;
mod fields;
mod genius;
mod incremental;
mod itunes;
mod lastfm;
mod limits;
mod links;
mod lookups;
mod marts;
mod orchestration;
mod pipeline;
mod postgres;
mod real_fixtures;
mod report;
mod resume;
mod serve;
mod sim_shapes;
mod slices;
mod spotify;
mod tidal;
mod warehouse;
mod youtube;
