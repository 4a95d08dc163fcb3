//! Tests of the field manager.
