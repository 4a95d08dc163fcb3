//! coordination.k8s.io/v1 Lease.

use k8s_openapi::api::coordination::v1::Lease;
use serde_json::Value;

use super::typed;
use crate::meta::ObjectExt;
use crate::registry::columns::{Column, age_cell, name_cell};
use crate::registry::{Ctx, Decoded, Strategy};
use crate::status::StatusError;

pub(crate) struct LeaseStrategy;

impl Strategy for LeaseStrategy {
    fn decode(&self, obj: Value) -> Result<Decoded, StatusError> {
        typed::<Lease>(obj, "Lease", "v1")
    }

    fn columns(&self) -> Vec<Column> {
        vec![
            Column::name_column(),
            Column::new("Holder", "string", "Name of the Lease holder"),
            Column::age_column(),
        ]
    }

    fn row(&self, obj: &Value, ctx: &Ctx) -> Vec<Value> {
        vec![
            name_cell(obj),
            Value::from(obj.str_at("spec.holderIdentity").unwrap_or("")),
            age_cell(obj, ctx),
        ]
    }
}
