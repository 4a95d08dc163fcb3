//! The compiled schema tree.
//!
//! One [`Node`] type serves both the structural spine (`properties`, `items`,
//! `additionalProperties`) and the value-validation branches under `allOf`, `anyOf`,
//! `oneOf` and `not`: the OpenAPI validator walks both the same way, and the
//! structural rules that tell them apart are checked once, at compile time.

use std::collections::BTreeMap;

use regex::Regex;
use serde_json::Value;

use super::cel::CelRule;
use super::format::Format;

/// A JSON type named by `type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum JsonType {
    Object,
    Array,
    String,
    Integer,
    Number,
    Boolean,
}

impl JsonType {
    /// Parses an OpenAPI v3 type name.
    pub(crate) fn parse(name: &str) -> Option<Self> {
        Some(match name {
            "object" => Self::Object,
            "array" => Self::Array,
            "string" => Self::String,
            "integer" => Self::Integer,
            "number" => Self::Number,
            "boolean" => Self::Boolean,
            _ => return None,
        })
    }

    /// The OpenAPI name.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Object => "object",
            Self::Array => "array",
            Self::String => "string",
            Self::Integer => "integer",
            Self::Number => "number",
            Self::Boolean => "boolean",
        }
    }
}

/// `additionalProperties`.
#[derive(Debug)]
pub(crate) enum Additional {
    /// `additionalProperties: true|false`.
    Bool(bool),
    /// `additionalProperties: {schema}`.
    Schema(Box<Node>),
}

/// `x-kubernetes-list-type`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ListType {
    Atomic,
    Set,
    Map(Vec<String>),
}

/// A compiled `pattern`.
#[derive(Debug)]
pub(crate) struct Pattern {
    /// The pattern as written (error messages quote it).
    pub source: String,
    /// The compiled expression; `None` when it does not compile (the CRD is rejected
    /// for it, so this only happens for schemas compiled leniently).
    pub regex: Option<Regex>,
}

/// One schema node.
#[derive(Debug, Default)]
pub(crate) struct Node {
    /// `type`, when set to a known type.
    pub ty: Option<JsonType>,
    /// `type` as written, when it is not one of the six known types.
    pub unknown_type: Option<String>,
    /// `nullable`.
    pub nullable: bool,
    /// `x-kubernetes-int-or-string`.
    pub int_or_string: bool,
    /// `x-kubernetes-preserve-unknown-fields: true`.
    pub preserve_unknown: bool,
    /// `x-kubernetes-embedded-resource`.
    pub embedded: bool,
    /// `format` as written.
    pub format_name: Option<String>,
    /// `format`, when it is one the API server validates for this type.
    pub format: Option<Format>,
    /// `default`.
    pub default: Option<Value>,
    /// `properties`.
    pub properties: BTreeMap<String, Node>,
    /// `additionalProperties`.
    pub additional: Option<Additional>,
    /// `items`.
    pub items: Option<Box<Node>>,
    /// `x-kubernetes-list-type` (absent means atomic).
    pub list_type: Option<ListType>,
    /// `x-kubernetes-map-type: atomic`.
    pub map_atomic: bool,
    /// `x-kubernetes-map-type` as written.
    pub map_type: Option<String>,
    /// `required`.
    pub required: Vec<String>,
    /// `enum`.
    pub enum_values: Option<Vec<Value>>,
    /// `pattern`.
    pub pattern: Option<Pattern>,
    /// `maximum`.
    pub maximum: Option<f64>,
    /// `exclusiveMaximum`.
    pub exclusive_maximum: bool,
    /// `minimum`.
    pub minimum: Option<f64>,
    /// `exclusiveMinimum`.
    pub exclusive_minimum: bool,
    /// `multipleOf`.
    pub multiple_of: Option<f64>,
    /// `maxLength`.
    pub max_length: Option<i64>,
    /// `minLength`.
    pub min_length: Option<i64>,
    /// `maxItems`.
    pub max_items: Option<i64>,
    /// `minItems`.
    pub min_items: Option<i64>,
    /// `uniqueItems`.
    pub unique_items: bool,
    /// `maxProperties`.
    pub max_properties: Option<i64>,
    /// `minProperties`.
    pub min_properties: Option<i64>,
    /// `allOf`.
    pub all_of: Vec<Node>,
    /// `anyOf`.
    pub any_of: Vec<Node>,
    /// `oneOf`.
    pub one_of: Vec<Node>,
    /// `not`.
    pub not: Option<Box<Node>>,
    /// `x-kubernetes-validations`, compiled.
    pub rules: Vec<CelRule>,
    /// Whether this node or anything below it on the spine carries CEL rules.
    pub has_rules_below: bool,
}

impl Node {
    /// The `additionalProperties` schema, if there is one.
    pub(crate) fn additional_schema(&self) -> Option<&Node> {
        match &self.additional {
            Some(Additional::Schema(s)) => Some(s),
            _ => None,
        }
    }

    /// The `type` name the API server reports in CEL errors: the type as written, or
    /// the empty string.
    pub(crate) fn type_name(&self) -> &str {
        match (&self.ty, &self.unknown_type) {
            (Some(t), _) => t.name(),
            (None, Some(u)) => u,
            (None, None) => "",
        }
    }

    /// The types the OpenAPI validator checks: `x-kubernetes-int-or-string` means
    /// `integer,string`.
    pub(crate) fn openapi_types(&self) -> Vec<&str> {
        if self.int_or_string {
            return vec!["integer", "string"];
        }
        match (&self.ty, &self.unknown_type) {
            (Some(t), _) => vec![t.name()],
            (None, Some(u)) => vec![u.as_str()],
            (None, None) => Vec::new(),
        }
    }
}
