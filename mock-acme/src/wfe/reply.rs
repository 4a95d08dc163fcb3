//! Building HTTP responses: JSON bodies, problems, and the headers ACME needs
//! (`Replay-Nonce`, `Link`, `Location`, `Retry-After`).

use std::time::SystemTime;

use axum::body::Body;
use http::{HeaderValue, Response, StatusCode};

use crate::wfe::problem::Problem;

/// A response under construction.
#[derive(Debug, Clone)]
pub struct Reply {
    /// Status.
    pub status: StatusCode,
    /// Body bytes.
    pub body: Vec<u8>,
    /// Content-Type.
    pub content_type: Option<&'static str>,
    /// Location.
    pub location: Option<String>,
    /// Link header values.
    pub links: Vec<String>,
    /// Retry-After seconds.
    pub retry_after: Option<u64>,
    /// Replay-Nonce.
    pub nonce: Option<String>,
    /// The directory URL for `Link rel="index"`.
    pub index: Option<String>,
    /// Send `Cache-Control: no-store`.
    pub no_store: bool,
}

impl Reply {
    /// An empty body.
    pub fn empty(status: u16) -> Self {
        Self {
            status: StatusCode::from_u16(status).unwrap_or(StatusCode::OK),
            body: Vec::new(),
            content_type: None,
            location: None,
            links: Vec::new(),
            retry_after: None,
            nonce: None,
            index: None,
            no_store: false,
        }
    }

    /// A JSON body.
    pub fn json(status: u16, value: &serde_json::Value) -> Self {
        let mut r = Self::empty(status);
        r.body = serde_json::to_vec(value).unwrap_or_default();
        r.content_type = Some("application/json; charset=utf-8");
        r
    }

    /// Raw bytes with a content type.
    pub fn bytes(status: u16, content_type: &'static str, body: Vec<u8>) -> Self {
        let mut r = Self::empty(status);
        r.body = body;
        r.content_type = Some(content_type);
        r
    }

    /// A problem document.
    pub fn problem(p: &Problem) -> Self {
        let mut r = Self::json(p.status, &p.to_json());
        r.content_type = Some("application/problem+json; charset=utf-8");
        r.retry_after = p.retry_after;
        r.links = p.links.clone();
        r.location = p.location.clone();
        r
    }

    /// Sets Location.
    pub fn with_location(mut self, url: String) -> Self {
        self.location = Some(url);
        self
    }

    /// Adds `Link: <url>;rel="rel"`.
    pub fn with_link(mut self, url: &str, rel: &str) -> Self {
        self.links.push(format!("<{url}>;rel=\"{rel}\""));
        self
    }

    /// Sets Retry-After.
    pub fn with_retry_after(mut self, secs: u64) -> Self {
        self.retry_after = Some(secs);
        self
    }

    /// Sets `Cache-Control: no-store`.
    pub fn no_store(mut self) -> Self {
        self.no_store = true;
        self
    }

    /// Finishes the response.
    pub fn into_response(self, _now: SystemTime, _default_retry: u64) -> Response<Body> {
        let mut resp = Response::new(Body::from(self.body));
        *resp.status_mut() = self.status;
        let h = resp.headers_mut();
        let mut put = |name: http::header::HeaderName, value: &str| {
            if let Ok(v) = HeaderValue::from_str(value) {
                h.append(name, v);
            }
        };
        if let Some(ct) = self.content_type {
            put(http::header::CONTENT_TYPE, ct);
        }
        if let Some(n) = &self.nonce {
            put(http::header::HeaderName::from_static("replay-nonce"), n);
        }
        if let Some(l) = &self.location {
            put(http::header::LOCATION, l);
        }
        if let Some(idx) = &self.index {
            put(http::header::LINK, &format!("<{idx}>;rel=\"index\""));
        }
        for l in &self.links {
            put(http::header::LINK, l);
        }
        if let Some(secs) = self.retry_after {
            put(http::header::RETRY_AFTER, &secs.to_string());
        }
        put(
            http::header::CACHE_CONTROL,
            if self.no_store {
                "no-store"
            } else {
                "public, max-age=0, no-cache"
            },
        );
        resp
    }
}
