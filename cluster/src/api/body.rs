//! Request bodies: size limit and decoding.

use http_body_util::BodyExt;
use serde_json::Value;

use crate::status::StatusError;

/// The largest request body accepted (3 MiB, as the API server's limit).
pub const MAX_BODY_BYTES: usize = 3 * 1024 * 1024;

/// Reads a whole body, refusing more than [`MAX_BODY_BYTES`] with 413.
pub async fn read<B>(body: B) -> Result<bytes::Bytes, StatusError>
where
    B: http_body::Body + Send,
    B::Data: Send,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let limited = http_body_util::Limited::new(body, MAX_BODY_BYTES);
    match limited.collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(e)
            if e.downcast_ref::<http_body_util::LengthLimitError>()
                .is_some() =>
        {
            Err(StatusError::too_large(MAX_BODY_BYTES))
        }
        Err(e) => Err(StatusError::bad_request(format!(
            "error reading the request body: {e}"
        ))),
    }
}

/// Decodes an object body (JSON, or YAML when the content type says so).
pub fn decode_object(bytes: &[u8], content_type: Option<&str>) -> Result<Value, StatusError> {
    let media = content_type
        .and_then(|c| c.split(';').next())
        .map(|m| m.trim().to_ascii_lowercase())
        .unwrap_or_default();
    match media.as_str() {
        "" | "application/json" | "*/*" => decode_json(bytes),
        "application/yaml" => {
            let text = std::str::from_utf8(bytes).map_err(|_| {
                StatusError::bad_request("error converting YAML to JSON: invalid UTF-8")
            })?;
            serde_saphyr::from_str::<Value>(text).map_err(|e| {
                StatusError::bad_request(format!("error converting YAML to JSON: {e}"))
            })
        }
        _ => Err(StatusError::unsupported_media_type(&[
            "application/json",
            "application/yaml",
            "application/vnd.kubernetes.protobuf",
        ])),
    }
}

/// Decodes JSON, worded as the API server's decoder words a syntax error.
pub fn decode_json(bytes: &[u8]) -> Result<Value, StatusError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(StatusError::bad_request("Object 'Kind' is missing in ''"));
    }
    serde_json::from_slice::<Value>(bytes).map_err(|e| {
        StatusError::bad_request(format!("couldn't get version/kind; json parse error: {e}"))
    })
}
