//! The models computed in Rust, beside the SQL ones: one module each.

pub mod clusters;

use crate::model::Model;

pub fn all() -> Vec<Model> {
    vec![clusters::model()]
}
