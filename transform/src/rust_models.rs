//! The models computed in Rust, beside the SQL ones: one module each.

pub mod clusters;
mod columns;
mod components;
pub mod fuzzy_links;
mod link_state;
mod relink;

use crate::model::Model;

pub fn all() -> Vec<Model> {
    vec![fuzzy_links::model(), clusters::model()]
}
