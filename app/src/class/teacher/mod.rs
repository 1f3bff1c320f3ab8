//! The teacher's dashboard (`?page=class&token=…`).
pub mod model;
