//! The PKI room: keys, CSRs, signing, parsing, keystores and renewal maths, as
//! cert-manager's `pkg/util/pki` and its issuers do them. Pure, synchronous functions
//! with no Kubernetes I/O; all time comes in as `SystemTime` arguments.

mod der;
mod error;
mod key;
mod oids;
mod pem;
mod public_key;
mod signature;

pub use der::Oid;
pub use error::{PkiError, Result};
pub use key::{
    DEFAULT_RSA_KEY_SIZE, EcCurve, KeyAlgorithm, KeyEncoding, MAX_RSA_KEY_SIZE, PrivateKey,
    PrivateKeySpec,
};
pub use pem::{PemBlock, decode_all as decode_pem_blocks, encode as encode_pem};
pub use public_key::PublicKey;
pub use signature::SignatureAlgorithm;
