//! Table tests for the patch types.
