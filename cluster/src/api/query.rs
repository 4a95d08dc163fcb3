//! Query parameters.

use std::collections::HashMap;

use crate::status::StatusError;

/// A request's query parameters (last value wins, as Go's `url.Values.Get` reads the
/// first; the API server's options decoding takes the first, so we do too).
#[derive(Debug, Clone, Default)]
pub struct Query {
    params: HashMap<String, String>,
}

impl Query {
    /// Parses `a=b&c=d` with percent-decoding and `+` as space.
    pub fn parse(raw: Option<&str>) -> Self {
        let mut params = HashMap::new();
        for (k, v) in form_urlencoded::parse(raw.unwrap_or("").as_bytes()) {
            params
                .entry(k.into_owned())
                .or_insert_with(|| v.into_owned());
        }
        Self { params }
    }

    /// A parameter's value.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.params.get(key).map(String::as_str)
    }

    /// A boolean parameter (`true`/`1`), as Go's `strconv.ParseBool`.
    pub fn flag(&self, key: &str) -> Result<bool, StatusError> {
        match self.get(key) {
            None | Some("") => Ok(false),
            Some("1" | "t" | "T" | "true" | "TRUE" | "True") => Ok(true),
            Some("0" | "f" | "F" | "false" | "FALSE" | "False") => Ok(false),
            Some(other) => Err(StatusError::bad_request(format!(
                "strconv.ParseBool: parsing {other:?}: invalid syntax"
            ))),
        }
    }

    /// An unsigned integer parameter.
    pub fn number(&self, key: &str) -> Result<Option<u64>, StatusError> {
        match self.get(key) {
            None | Some("") => Ok(None),
            Some(v) => v.parse::<u64>().map(Some).map_err(|_| {
                StatusError::bad_request(format!(
                    "{key}: Invalid value: {v:?}: must be a non-negative integer"
                ))
            }),
        }
    }

    /// `dryRun`: only `All` is valid.
    pub fn dry_run(&self) -> Result<bool, StatusError> {
        match self.get("dryRun") {
            None | Some("") => Ok(false),
            Some("All") => Ok(true),
            Some(other) => Err(StatusError::bad_request(format!(
                "dryRun: Unsupported value: {other:?}: supported values: \"All\""
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses() {
        let q = Query::parse(Some(
            "labelSelector=app%3Dweb%2Ctier+in+(a)&watch=1&limit=500&dryRun=All",
        ));
        assert_eq!(q.get("labelSelector"), Some("app=web,tier in (a)"));
        assert!(q.flag("watch").unwrap());
        assert_eq!(q.number("limit").unwrap(), Some(500));
        assert!(q.dry_run().unwrap());
        assert!(Query::parse(Some("watch=maybe")).flag("watch").is_err());
        assert!(Query::parse(Some("limit=-1")).number("limit").is_err());
    }
}
