//! Object metadata: name and label syntax, selectors, and typed access to the
//! `metadata` of objects held as JSON.

pub mod access;
pub mod labels;
pub mod names;
pub mod selector;
pub mod validate;

pub use access::ObjectExt;
