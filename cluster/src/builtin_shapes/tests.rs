//! Tests of the built-in shapes.
