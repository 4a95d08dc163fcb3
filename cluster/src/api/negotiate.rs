//! Response formats: plain JSON, `meta.k8s.io` Tables (kubectl get) and
//! PartialObjectMetadata (metadata-only clients). Protobuf is never produced: a
//! client that prefers it gets JSON, which every Kubernetes client accepts.

use crate::status::StatusError;

/// What the row objects of a Table carry (`includeObject`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IncludeObject {
    /// Nothing.
    None,
    /// PartialObjectMetadata (the default).
    Metadata,
    /// The whole object.
    Object,
}

/// The negotiated response format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Output {
    /// The object or list itself.
    Json,
    /// A `Table` (`meta.k8s.io/<version>`).
    Table {
        /// `v1` or `v1beta1`.
        version: &'static str,
    },
    /// `PartialObjectMetadata(List)` (`meta.k8s.io/<version>`).
    Metadata {
        /// `v1` or `v1beta1`.
        version: &'static str,
    },
}

impl Output {
    /// The response `Content-Type`.
    pub fn content_type(self) -> String {
        match self {
            Output::Json => "application/json".to_string(),
            Output::Table { version } => {
                format!("application/json;as=Table;v={version};g=meta.k8s.io")
            }
            Output::Metadata { version } => {
                format!("application/json;as=PartialObjectMetadata;v={version};g=meta.k8s.io")
            }
        }
    }
}

/// Picks the first acceptable format from an `Accept` header.
pub fn negotiate(accept: Option<&str>) -> Result<Output, StatusError> {
    let Some(accept) = accept.filter(|a| !a.trim().is_empty()) else {
        return Ok(Output::Json);
    };
    let mut saw_protobuf = false;
    for range in accept.split(',') {
        let mut parts = range.split(';').map(str::trim);
        let media = parts.next().unwrap_or("").to_ascii_lowercase();
        let (mut as_, mut g, mut v) = (None, None, None);
        for p in parts {
            if let Some((k, val)) = p.split_once('=') {
                let val = val.trim().trim_matches('"');
                match k.trim() {
                    "as" => as_ = Some(val.to_string()),
                    "g" => g = Some(val.to_string()),
                    "v" => v = Some(val.to_string()),
                    _ => {}
                }
            }
        }
        let json_like = matches!(
            media.as_str(),
            "application/json" | "application/*" | "*/*" | "application/yaml"
        );
        if media == "application/vnd.kubernetes.protobuf" {
            saw_protobuf = true;
            if as_.is_none() {
                continue;
            }
        }
        let version = match v.as_deref() {
            Some("v1") => Some("v1"),
            Some("v1beta1") => Some("v1beta1"),
            _ => None,
        };
        match as_.as_deref() {
            None if json_like => return Ok(Output::Json),
            Some("Table")
                if g.as_deref() == Some("meta.k8s.io")
                    && (json_like || media.contains("protobuf")) =>
            {
                if let Some(version) = version {
                    return Ok(Output::Table { version });
                }
            }
            Some("PartialObjectMetadata" | "PartialObjectMetadataList")
                if g.as_deref() == Some("meta.k8s.io")
                    && (json_like || media.contains("protobuf")) =>
            {
                if let Some(version) = version {
                    return Ok(Output::Metadata { version });
                }
            }
            _ => {}
        }
    }
    if saw_protobuf {
        return Ok(Output::Json);
    }
    Err(StatusError::not_acceptable(format!(
        "only the following media types are accepted: application/json, application/yaml, application/vnd.kubernetes.protobuf (requested: {accept})"
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kubectl_get_asks_for_tables() {
        let accept = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json";
        assert_eq!(
            negotiate(Some(accept)).unwrap(),
            Output::Table { version: "v1" }
        );
        assert_eq!(
            negotiate(Some(
                "application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json"
            ))
            .unwrap(),
            Output::Table { version: "v1beta1" }
        );
    }

    #[test]
    fn other_formats() {
        assert_eq!(negotiate(None).unwrap(), Output::Json);
        assert_eq!(
            negotiate(Some(
                "application/vnd.kubernetes.protobuf, application/json"
            ))
            .unwrap(),
            Output::Json
        );
        assert_eq!(
            negotiate(Some("application/vnd.kubernetes.protobuf")).unwrap(),
            Output::Json
        );
        assert_eq!(
            negotiate(Some(
                "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1"
            ))
            .unwrap(),
            Output::Metadata { version: "v1" }
        );
        assert_eq!(negotiate(Some("application/xml")).unwrap_err().code, 406);
        assert_eq!(negotiate(Some("*/*")).unwrap(), Output::Json);
    }
}
