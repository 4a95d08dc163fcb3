//! Why a patch failed, classified the way the API server's patch handler
//! (`k8s.io/apiserver/pkg/endpoints/handlers/patch.go`) turns each failure into a
//! `Status`.

use crate::field::FieldError;

/// The most operations one JSON patch may contain (`maxJSONPatchOperations`).
pub const MAX_JSON_PATCH_OPERATIONS: usize = 10_000;

/// The most bytes the `copy` operations of one JSON patch may add, in total
/// (`JSONPatchMaxCopyBytes`, which the API server defaults to 3 MiB).
pub const MAX_JSON_PATCH_COPY_BYTES: usize = 3 * 1024 * 1024;

/// The `Status.message` the API server sends for every 422 it builds with
/// `NewGenericServerResponse`: the underlying error text is not sent to the client.
pub const GENERIC_422_MESSAGE: &str =
    "the server rejected our request due to an error in our request";

/// Why a patch could not be applied.
///
/// Each variant is one way the API server reports a patch failure; [`status_code`],
/// [`reason`] and [`message`] give the `Status` it sends. `Display` gives the
/// underlying error text, which is what belongs in logs.
///
/// [`status_code`]: PatchError::status_code
/// [`reason`]: PatchError::reason
/// [`message`]: PatchError::message
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PatchError {
    /// The patch document is malformed: not JSON, not the JSON type the patch type
    /// needs, or a strategic merge patch directive in the wrong format.
    /// `400 BadRequest`, with this text as the message.
    #[error("{message}")]
    Malformed {
        /// The API server's error text, e.g. `invalid character 'x' looking for
        /// beginning of value` or `Invalid JSON Patch`.
        message: String,
    },
    /// A JSON patch has more operations than [`MAX_JSON_PATCH_OPERATIONS`].
    /// `413 RequestEntityTooLarge`.
    #[error(
        "The allowed maximum operations in a JSON patch is {MAX_JSON_PATCH_OPERATIONS}, got {count}"
    )]
    TooManyOperations {
        /// How many operations the patch has.
        count: usize,
    },
    /// A JSON patch `test` operation did not match. `422 Invalid`, reported with the
    /// API server's generic message.
    #[error("{detail}")]
    TestFailed {
        /// The json-patch library's text, e.g. `testing value /metadata/name failed:
        /// test failed`.
        detail: String,
    },
    /// The patch is well formed but does not apply to this object: a missing path, a
    /// bad array index, lists of lists, too many copied bytes. `422 Invalid`,
    /// reported with the API server's generic message.
    #[error("{detail}")]
    NotApplicable {
        /// The underlying error text.
        detail: String,
    },
    /// The patch applied, but the result is not an object of the kind (for example
    /// a merge patch that is a JSON array). `422 Invalid` with one cause on field
    /// `patch`.
    #[error("{cause}")]
    InvalidObject {
        /// `patch: Invalid value: "<patched document>": <why it does not decode>`.
        cause: Box<FieldError>,
    },
    /// An error the API server does not classify, which it therefore reports as
    /// `500` with an empty reason and the raw text: unknown `$patch` directives, list
    /// items without their merge key, mixed item types in a merging list.
    #[error("{message}")]
    Internal {
        /// The raw error text, e.g. `unknown patch type: foo in map: map[$patch:foo]`.
        message: String,
    },
}

impl PatchError {
    pub(crate) fn malformed(message: impl Into<String>) -> Self {
        Self::Malformed {
            message: message.into(),
        }
    }

    pub(crate) fn not_applicable(detail: impl Into<String>) -> Self {
        Self::NotApplicable {
            detail: detail.into(),
        }
    }

    pub(crate) fn internal(message: impl Into<String>) -> Self {
        Self::Internal {
            message: message.into(),
        }
    }

    /// The HTTP status code of the `Status`.
    pub fn status_code(&self) -> u16 {
        match self {
            Self::Malformed { .. } => 400,
            Self::TooManyOperations { .. } => 413,
            Self::TestFailed { .. } | Self::NotApplicable { .. } | Self::InvalidObject { .. } => {
                422
            }
            Self::Internal { .. } => 500,
        }
    }

    /// The `Status.reason` (`StatusReasonUnknown`, the empty string, for internal
    /// errors).
    pub fn reason(&self) -> &'static str {
        match self {
            Self::Malformed { .. } => "BadRequest",
            Self::TooManyOperations { .. } => "RequestEntityTooLarge",
            Self::TestFailed { .. } | Self::NotApplicable { .. } | Self::InvalidObject { .. } => {
                "Invalid"
            }
            Self::Internal { .. } => "",
        }
    }

    /// The `Status.message`, exactly as the API server writes it.
    pub fn message(&self) -> String {
        match self {
            Self::Malformed { message } | Self::Internal { message } => message.clone(),
            Self::TooManyOperations { .. } => format!("Request entity too large: {self}"),
            Self::TestFailed { .. } | Self::NotApplicable { .. } => GENERIC_422_MESSAGE.to_string(),
            // errors.NewInvalid with an empty GroupKind and name: `%s %q is invalid: %v`.
            Self::InvalidObject { cause } => format!(" \"\" is invalid: {cause}"),
        }
    }

    /// The `Status.details.causes`: one for [`PatchError::InvalidObject`], none
    /// otherwise.
    pub fn causes(&self) -> &[FieldError] {
        match self {
            Self::InvalidObject { cause } => std::slice::from_ref(cause.as_ref()),
            _ => &[],
        }
    }
}
