//! The scenario engine: declarative YAML scenarios (Chainsaw-like) run against a lab or
//! any cluster.
//!
//! - [`model`]: the format; [`load`](mod@load): parsing with `file:line:col` errors;
//! - [`bindings`]: `$namespace`, `$issuerRef`, scenario variables;
//! - [`matcher`]: the subset matcher behind `assert` and `error`;
//! - [`run`](mod@run): the runner ([`run()`], [`RunEnv`], [`ScenarioOutcome`]).
//!
//! The format is documented in `scenarios/README.md`.

pub mod bindings;
pub mod duration;
pub mod jsonpath;
pub mod load;
pub mod matcher;
pub mod model;
mod ops;
pub mod resources;
pub mod run;

pub use bindings::{BindingError, Bindings, IssuerBinding};
pub use duration::GoDuration;
pub use load::{LoadError, load, load_dir, load_str};
pub use model::{ObjectRefSpec, Operation, Scenario, Step};
pub use run::{
    FaultHooks, NoSnapshots, OpOutcome, OpStatus, RecordedSnapshots, RunEnv, ScenarioOutcome,
    ScenarioStatus, Section, SnapshotSink, StepOutcome, Timeouts, lab_issuer, run,
};
