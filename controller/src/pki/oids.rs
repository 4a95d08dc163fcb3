//! Object identifiers used across the PKI room, as arc lists.

// Public key algorithms.
pub(crate) const RSA_ENCRYPTION: &[u64] = &[1, 2, 840, 113549, 1, 1, 1];
pub(crate) const EC_PUBLIC_KEY: &[u64] = &[1, 2, 840, 10045, 2, 1];
pub(crate) const ED25519: &[u64] = &[1, 3, 101, 112];

// Named curves.
pub(crate) const SECP256R1: &[u64] = &[1, 2, 840, 10045, 3, 1, 7];
pub(crate) const SECP384R1: &[u64] = &[1, 3, 132, 0, 34];
pub(crate) const SECP521R1: &[u64] = &[1, 3, 132, 0, 35];

// Signature algorithms.
pub(crate) const SHA1_WITH_RSA: &[u64] = &[1, 2, 840, 113549, 1, 1, 5];
pub(crate) const SHA256_WITH_RSA: &[u64] = &[1, 2, 840, 113549, 1, 1, 11];
pub(crate) const SHA384_WITH_RSA: &[u64] = &[1, 2, 840, 113549, 1, 1, 12];
pub(crate) const SHA512_WITH_RSA: &[u64] = &[1, 2, 840, 113549, 1, 1, 13];
pub(crate) const ECDSA_WITH_SHA1: &[u64] = &[1, 2, 840, 10045, 4, 1];
pub(crate) const ECDSA_WITH_SHA256: &[u64] = &[1, 2, 840, 10045, 4, 3, 2];
pub(crate) const ECDSA_WITH_SHA384: &[u64] = &[1, 2, 840, 10045, 4, 3, 3];
pub(crate) const ECDSA_WITH_SHA512: &[u64] = &[1, 2, 840, 10045, 4, 3, 4];

// Distinguished name attribute types.
pub(crate) const COUNTRY: &[u64] = &[2, 5, 4, 6];
pub(crate) const ORGANIZATION: &[u64] = &[2, 5, 4, 10];
pub(crate) const ORGANIZATIONAL_UNIT: &[u64] = &[2, 5, 4, 11];
pub(crate) const COMMON_NAME: &[u64] = &[2, 5, 4, 3];
pub(crate) const SERIAL_NUMBER: &[u64] = &[2, 5, 4, 5];
pub(crate) const LOCALITY: &[u64] = &[2, 5, 4, 7];
pub(crate) const PROVINCE: &[u64] = &[2, 5, 4, 8];
pub(crate) const STREET_ADDRESS: &[u64] = &[2, 5, 4, 9];
pub(crate) const POSTAL_CODE: &[u64] = &[2, 5, 4, 17];
pub(crate) const DOMAIN_COMPONENT: &[u64] = &[0, 9, 2342, 19200300, 100, 1, 25];
pub(crate) const USER_ID: &[u64] = &[0, 9, 2342, 19200300, 100, 1, 1];

// Extensions.
pub(crate) const EXT_SUBJECT_KEY_ID: &[u64] = &[2, 5, 29, 14];
pub(crate) const EXT_KEY_USAGE: &[u64] = &[2, 5, 29, 15];
pub(crate) const EXT_SUBJECT_ALT_NAME: &[u64] = &[2, 5, 29, 17];
pub(crate) const EXT_BASIC_CONSTRAINTS: &[u64] = &[2, 5, 29, 19];
pub(crate) const EXT_NAME_CONSTRAINTS: &[u64] = &[2, 5, 29, 30];
pub(crate) const EXT_CRL_DISTRIBUTION_POINTS: &[u64] = &[2, 5, 29, 31];
pub(crate) const EXT_AUTHORITY_KEY_ID: &[u64] = &[2, 5, 29, 35];
pub(crate) const EXT_EXTENDED_KEY_USAGE: &[u64] = &[2, 5, 29, 37];
pub(crate) const EXT_AUTHORITY_INFO_ACCESS: &[u64] = &[1, 3, 6, 1, 5, 5, 7, 1, 1];

// Authority information access methods.
pub(crate) const AIA_OCSP: &[u64] = &[1, 3, 6, 1, 5, 5, 7, 48, 1];
pub(crate) const AIA_CA_ISSUERS: &[u64] = &[1, 3, 6, 1, 5, 5, 7, 48, 2];

// PKCS#9 extension request attribute (in a CSR).
pub(crate) const PKCS9_EXTENSION_REQUEST: &[u64] = &[1, 2, 840, 113549, 1, 9, 14];

// Extended key usages.
pub(crate) const EKU_ANY: &[u64] = &[2, 5, 29, 37, 0];
pub(crate) const EKU_SERVER_AUTH: &[u64] = &[1, 3, 6, 1, 5, 5, 7, 3, 1];
pub(crate) const EKU_CLIENT_AUTH: &[u64] = &[1, 3, 6, 1, 5, 5, 7, 3, 2];
pub(crate) const EKU_CODE_SIGNING: &[u64] = &[1, 3, 6, 1, 5, 5, 7, 3, 3];
pub(crate) const EKU_EMAIL_PROTECTION: &[u64] = &[1, 3, 6, 1, 5, 5, 7, 3, 4];
pub(crate) const EKU_IPSEC_END_SYSTEM: &[u64] = &[1, 3, 6, 1, 5, 5, 7, 3, 5];
pub(crate) const EKU_IPSEC_TUNNEL: &[u64] = &[1, 3, 6, 1, 5, 5, 7, 3, 6];
pub(crate) const EKU_IPSEC_USER: &[u64] = &[1, 3, 6, 1, 5, 5, 7, 3, 7];
pub(crate) const EKU_TIME_STAMPING: &[u64] = &[1, 3, 6, 1, 5, 5, 7, 3, 8];
pub(crate) const EKU_OCSP_SIGNING: &[u64] = &[1, 3, 6, 1, 5, 5, 7, 3, 9];
pub(crate) const EKU_MICROSOFT_SGC: &[u64] = &[1, 3, 6, 1, 4, 1, 311, 10, 3, 3];
pub(crate) const EKU_NETSCAPE_SGC: &[u64] = &[2, 16, 840, 1, 113730, 4, 1];
pub(crate) const EKU_MICROSOFT_COMMERCIAL_CODE_SIGNING: &[u64] = &[1, 3, 6, 1, 4, 1, 311, 2, 1, 22];
pub(crate) const EKU_MICROSOFT_KERNEL_CODE_SIGNING: &[u64] = &[1, 3, 6, 1, 4, 1, 311, 61, 1, 1];
