//! The names cert-manager uses on the wire: API groups and kinds, annotations, labels,
//! finalizers, Secret keys, condition types, condition reasons and event reasons.
//!
//! Values are cert-manager's (`pkg/apis/certmanager/v1/types.go`, `pkg/apis/acme/v1`,
//! the controllers' reason constants); the controllers must use these and nothing else.

/// API group of Certificates, CertificateRequests, Issuers and ClusterIssuers.
pub const CERT_MANAGER_GROUP: &str = "cert-manager.io";
/// API group of Orders and Challenges.
pub const ACME_GROUP: &str = "acme.cert-manager.io";
/// The only served version of both groups.
pub const VERSION: &str = "v1";
/// Category every cert-manager CRD is listed under (`kubectl get cert-manager`).
pub const CATEGORY: &str = "cert-manager";
/// Extra category of the ACME kinds (`kubectl get cert-manager-acme`).
pub const ACME_CATEGORY: &str = "cert-manager-acme";

/// Kind `Certificate`.
pub const CERTIFICATE_KIND: &str = "Certificate";
/// Kind `CertificateRequest`.
pub const CERTIFICATE_REQUEST_KIND: &str = "CertificateRequest";
/// Kind `Issuer`.
pub const ISSUER_KIND: &str = "Issuer";
/// Kind `ClusterIssuer`.
pub const CLUSTER_ISSUER_KIND: &str = "ClusterIssuer";
/// Kind `Order`.
pub const ORDER_KIND: &str = "Order";
/// Kind `Challenge`.
pub const CHALLENGE_KIND: &str = "Challenge";

/// Annotation keys.
pub mod annotations {
    /// DNS SANs of the certificate in a Secret, comma separated.
    pub const ALT_NAMES: &str = "cert-manager.io/alt-names";
    /// IP SANs of the certificate in a Secret.
    pub const IP_SANS: &str = "cert-manager.io/ip-sans";
    /// URI SANs of the certificate in a Secret.
    pub const URI_SANS: &str = "cert-manager.io/uri-sans";
    /// Email SANs of the certificate in a Secret (only when non-empty).
    pub const EMAIL_SANS: &str = "cert-manager.io/email-sans";
    /// Common name of the certificate in a Secret.
    pub const COMMON_NAME: &str = "cert-manager.io/common-name";
    /// Subject organizations (Secret annotation; ingress-shim input).
    pub const SUBJECT_ORGANIZATIONS: &str = "cert-manager.io/subject-organizations";
    /// Subject organizational units.
    pub const SUBJECT_ORGANIZATIONAL_UNITS: &str = "cert-manager.io/subject-organizationalunits";
    /// Subject countries.
    pub const SUBJECT_COUNTRIES: &str = "cert-manager.io/subject-countries";
    /// Subject provinces.
    pub const SUBJECT_PROVINCES: &str = "cert-manager.io/subject-provinces";
    /// Subject localities.
    pub const SUBJECT_LOCALITIES: &str = "cert-manager.io/subject-localities";
    /// Subject street addresses.
    pub const SUBJECT_STREET_ADDRESSES: &str = "cert-manager.io/subject-streetaddresses";
    /// Subject postal codes.
    pub const SUBJECT_POSTAL_CODES: &str = "cert-manager.io/subject-postalcodes";
    /// Subject serial number.
    pub const SUBJECT_SERIAL_NUMBER: &str = "cert-manager.io/subject-serialnumber";
    /// Name of the issuer that issued the certificate in a Secret.
    pub const ISSUER_NAME: &str = "cert-manager.io/issuer-name";
    /// Kind of that issuer (also an ingress-shim input overriding the kind).
    pub const ISSUER_KIND: &str = "cert-manager.io/issuer-kind";
    /// Group of that issuer (also an ingress-shim input overriding the group).
    pub const ISSUER_GROUP: &str = "cert-manager.io/issuer-group";
    /// Name of the Certificate a Secret or CertificateRequest belongs to.
    pub const CERTIFICATE_NAME: &str = "cert-manager.io/certificate-name";
    /// Revision a CertificateRequest was created for (`status.revision + 1`).
    pub const CERTIFICATE_REVISION: &str = "cert-manager.io/certificate-revision";
    /// Name of the Secret holding the private key behind a CertificateRequest's CSR.
    pub const PRIVATE_KEY_SECRET_NAME: &str = "cert-manager.io/private-key-secret-name";
    /// `"true"`: write a temporary self-signed certificate while issuance is pending.
    pub const ISSUE_TEMPORARY_CERTIFICATE: &str = "cert-manager.io/issue-temporary-certificate";

    /// ingress-shim: the `Issuer` to use.
    pub const ISSUER: &str = "cert-manager.io/issuer";
    /// ingress-shim: the `ClusterIssuer` to use.
    pub const CLUSTER_ISSUER: &str = "cert-manager.io/cluster-issuer";
    /// ingress-shim: `spec.duration` of the generated Certificate.
    pub const DURATION: &str = "cert-manager.io/duration";
    /// ingress-shim: `spec.renewBefore`.
    pub const RENEW_BEFORE: &str = "cert-manager.io/renew-before";
    /// ingress-shim: `spec.renewBeforePercentage`.
    pub const RENEW_BEFORE_PERCENTAGE: &str = "cert-manager.io/renew-before-percentage";
    /// ingress-shim: `spec.usages`, comma separated.
    pub const USAGES: &str = "cert-manager.io/usages";
    /// ingress-shim: `spec.revisionHistoryLimit`.
    pub const REVISION_HISTORY_LIMIT: &str = "cert-manager.io/revision-history-limit";
    /// ingress-shim: `spec.privateKey.algorithm`.
    pub const PRIVATE_KEY_ALGORITHM: &str = "cert-manager.io/private-key-algorithm";
    /// ingress-shim: `spec.privateKey.encoding`.
    pub const PRIVATE_KEY_ENCODING: &str = "cert-manager.io/private-key-encoding";
    /// ingress-shim: `spec.privateKey.size`.
    pub const PRIVATE_KEY_SIZE: &str = "cert-manager.io/private-key-size";
    /// ingress-shim: `spec.privateKey.rotationPolicy`.
    pub const PRIVATE_KEY_ROTATION_POLICY: &str = "cert-manager.io/private-key-rotation-policy";
    /// ingress-shim: `spec.secretTemplate`, as JSON.
    pub const SECRET_TEMPLATE: &str = "cert-manager.io/secret-template";
    /// gateway-shim: listeners to skip, comma separated.
    pub const IGNORE_TLS_LISTENERS: &str = "cert-manager.io/ignore-tls-listeners";
    /// The legacy Ingress class annotation.
    pub const INGRESS_CLASS: &str = "kubernetes.io/ingress.class";
    /// ingress-shim: `"true"` requests a Certificate from the default issuer.
    pub const TLS_ACME: &str = "kubernetes.io/tls-acme";

    /// cainjector: inject the CA of a Certificate (`namespace/name`).
    pub const INJECT_CA_FROM: &str = "cert-manager.io/inject-ca-from";
    /// cainjector: inject the API server's CA.
    pub const INJECT_APISERVER_CA: &str = "cert-manager.io/inject-apiserver-ca";
    /// cainjector: inject the CA of a Secret (`namespace/name`).
    pub const INJECT_CA_FROM_SECRET: &str = "cert-manager.io/inject-ca-from-secret";
    /// cainjector: the Secret allows direct injection (the one `cert-manager.io/`
    /// annotation a `secretTemplate` may carry).
    pub const ALLOW_DIRECT_INJECTION: &str = "cert-manager.io/allow-direct-injection";

    /// Venafi: custom fields, JSON.
    pub const VENAFI_CUSTOM_FIELDS: &str = "venafi.cert-manager.io/custom-fields";
    /// Venafi: the pickup ID of a submitted request.
    pub const VENAFI_PICKUP_ID: &str = "venafi.cert-manager.io/pickup-id";

    /// ACME: edit this Ingress in place for HTTP-01 instead of creating one.
    pub const ACME_HTTP01_EDIT_IN_PLACE: &str = "acme.cert-manager.io/http01-edit-in-place";
    /// ACME: override the solver's Ingress name (set by ingress-shim on Certificates).
    pub const ACME_HTTP01_OVERRIDE_INGRESS_NAME: &str =
        "acme.cert-manager.io/http01-override-ingress-name";
    /// ACME: override the solver's Ingress class.
    pub const ACME_HTTP01_OVERRIDE_INGRESS_CLASS: &str =
        "acme.cert-manager.io/http01-override-ingress-class";
    /// ACME: override the solver's `ingressClassName`.
    pub const ACME_HTTP01_OVERRIDE_INGRESS_CLASS_NAME: &str =
        "acme.cert-manager.io/http01-override-ingress-ingressclassname";
    /// ingress-shim: Ingress annotation mapped to the ingress-class override.
    pub const ACME_HTTP01_INGRESS_CLASS: &str = "acme.cert-manager.io/http01-ingress-class";
    /// ingress-shim: Ingress annotation mapped to the ingressClassName override.
    pub const ACME_HTTP01_INGRESS_CLASS_NAME: &str =
        "acme.cert-manager.io/http01-ingress-ingressclassname";
    /// gateway-shim: parent reference name for the HTTPRoute solver.
    pub const ACME_HTTP01_PARENT_REF_NAME: &str = "acme.cert-manager.io/http01-parentrefname";
    /// gateway-shim: parent reference kind.
    pub const ACME_HTTP01_PARENT_REF_KIND: &str = "acme.cert-manager.io/http01-parentrefkind";
    /// gateway-shim: parent reference namespace.
    pub const ACME_HTTP01_PARENT_REF_NAMESPACE: &str =
        "acme.cert-manager.io/http01-parentrefnamespace";
    /// gateway-shim: parent reference fallback.
    pub const ACME_HTTP01_PARENT_REF_FALLBACK: &str =
        "acme.cert-manager.io/http01-parentreffallback";

    /// Annotation prefixes the request manager does not copy from a Certificate to its
    /// CertificateRequests (`--copied-annotation-prefixes` default exclusions).
    pub const NOT_COPIED_PREFIXES: &[&str] = &[
        "kubectl.kubernetes.io/",
        "fluxcd.io/",
        "argocd.argoproj.io/",
    ];
}

/// Label keys.
pub mod labels {
    /// "For attention of" the controller: `"true"` on Secrets it needs to watch.
    pub const FAO: &str = "controller.cert-manager.io/fao";
    /// `"true"` on the temporary Secret holding the next private key.
    pub const NEXT_PRIVATE_KEY: &str = "cert-manager.io/next-private-key";
    /// HTTP-01 solver resources: adler32 of the domain.
    pub const ACME_HTTP_DOMAIN: &str = "acme.cert-manager.io/http-domain";
    /// HTTP-01 solver resources: adler32 of the token.
    pub const ACME_HTTP_TOKEN: &str = "acme.cert-manager.io/http-token";
    /// HTTP-01 solver resources: `"true"`.
    pub const ACME_HTTP01_SOLVER: &str = "acme.cert-manager.io/http01-solver";
    /// The label ingress-shim does not copy from an Ingress.
    pub const APPLYSET_PART_OF: &str = "applyset.kubernetes.io/part-of";
}

/// Finalizers.
pub mod finalizers {
    /// The challenges controller's finalizer.
    pub const ACME: &str = "acme.cert-manager.io/finalizer";
    /// The legacy form, replaced by [`ACME`] when seen.
    pub const ACME_LEGACY: &str = "finalizer.acme.cert-manager.io";
}

/// Keys of the certificate Secret's `data`.
pub mod secret_keys {
    /// The certificate chain, PEM.
    pub const TLS_CERT: &str = "tls.crt";
    /// The private key, PEM.
    pub const TLS_KEY: &str = "tls.key";
    /// The CA certificate, PEM.
    pub const CA_CERT: &str = "ca.crt";
    /// PKCS#12 keystore.
    pub const PKCS12_KEYSTORE: &str = "keystore.p12";
    /// PKCS#12 truststore holding the CA.
    pub const PKCS12_TRUSTSTORE: &str = "truststore.p12";
    /// JKS keystore.
    pub const JKS_KEYSTORE: &str = "keystore.jks";
    /// JKS truststore holding the CA.
    pub const JKS_TRUSTSTORE: &str = "truststore.jks";
    /// Default key of the keystore password in its Secret.
    pub const KEYSTORE_PASSWORD: &str = "keystorePassword";
    /// The private key, DER (`additionalOutputFormats: DER`).
    pub const KEY_DER: &str = "key.der";
    /// Key then chain, PEM (`additionalOutputFormats: CombinedPEM`).
    pub const TLS_COMBINED_PEM: &str = "tls-combined.pem";
}

/// Condition types.
pub mod condition_types {
    /// Certificate, CertificateRequest, Issuer, ClusterIssuer: ready for use.
    pub const READY: &str = "Ready";
    /// Certificate: an issuance is in progress.
    pub const ISSUING: &str = "Issuing";
    /// CertificateRequest: the request can never be signed.
    pub const INVALID_REQUEST: &str = "InvalidRequest";
    /// CertificateRequest: approved for signing (only ever `True`).
    pub const APPROVED: &str = "Approved";
    /// CertificateRequest: denied (only ever `True`).
    pub const DENIED: &str = "Denied";
}

/// Condition reasons.
pub mod reasons {
    // --- Certificate: trigger and readiness policies
    /// The Secret does not exist.
    pub const DOES_NOT_EXIST: &str = "DoesNotExist";
    /// The Secret lacks the certificate or key.
    pub const MISSING_DATA: &str = "MissingData";
    /// The key does not match the certificate.
    pub const INVALID_KEY_PAIR: &str = "InvalidKeyPair";
    /// The certificate cannot be decoded.
    pub const INVALID_CERTIFICATE: &str = "InvalidCertificate";
    /// The CertificateRequest's CSR cannot be decoded.
    pub const INVALID_CERTIFICATE_REQUEST: &str = "InvalidCertificateRequest";
    /// The Secret's key does not match the spec.
    pub const SECRET_MISMATCH: &str = "SecretMismatch";
    /// Issued by another issuer.
    pub const INCORRECT_ISSUER: &str = "IncorrectIssuer";
    /// The Secret belongs to another Certificate.
    pub const INCORRECT_CERTIFICATE: &str = "IncorrectCertificate";
    /// The spec no longer matches the request.
    pub const REQUEST_CHANGED: &str = "RequestChanged";
    /// The renewal time has come.
    pub const RENEWING: &str = "Renewing";
    /// The certificate has expired (readiness only).
    pub const EXPIRED: &str = "Expired";
    /// No renewal time could be found in the renewal windows.
    pub const WINDOW_ERROR: &str = "WindowError";
    /// ACME renewal information could not be fetched.
    pub const ARI_ERROR: &str = "ARIError";
    /// The Secret's labels or annotations differ from `secretTemplate`.
    pub const SECRET_TEMPLATE_MISMATCH: &str = "SecretTemplateMismatch";
    /// The Secret lacks the labels cert-manager sets.
    pub const SECRET_MANAGED_METADATA_MISMATCH: &str = "SecretManagedMetadataMismatch";
    /// `renewal.policy: Disabled`.
    pub const RENEWAL_DISABLED: &str = "Disabled";
    /// The Secret's extra output formats differ from the spec.
    pub const ADDITIONAL_OUTPUT_FORMATS_MISMATCH: &str = "AdditionalOutputFormatsMismatch";
    /// managedFields could not be decoded.
    pub const MANAGED_FIELDS_PARSE_ERROR: &str = "ManagedFieldsParseError";
    /// The Secret's owner reference is missing or unwanted.
    pub const SECRET_OWNER_REF_MISMATCH: &str = "SecretOwnerRefMismatch";
    /// `cmctl renew` set `Issuing=True`.
    pub const MANUALLY_TRIGGERED: &str = "ManuallyTriggered";
    /// Certificate `Ready=True`.
    pub const READY: &str = "Ready";

    // --- CertificateRequest `Ready`
    /// Waiting for the issuer.
    pub const PENDING: &str = "Pending";
    /// Issuance failed; a new request is needed.
    pub const FAILED: &str = "Failed";
    /// The certificate was issued. Also the `Issuing=False` reason under server-side apply.
    pub const ISSUED: &str = "Issued";
    /// The request was denied.
    pub const DENIED: &str = "Denied";
    /// The approver's `Approved` reason.
    pub const APPROVED_BY_CERT_MANAGER: &str = "cert-manager.io";
    /// `cmctl approve`/`deny` default reason.
    pub const KUBECTL_CERT_MANAGER: &str = "KubectlCertManager";

    // --- Issuer / ClusterIssuer `Ready`
    /// SelfSigned issuer ready.
    pub const IS_READY: &str = "IsReady";
    /// CA issuer: the key pair was loaded and verified.
    pub const KEY_PAIR_VERIFIED: &str = "KeyPairVerified";
    /// CA issuer: the key pair Secret could not be read.
    pub const ERR_GET_KEY_PAIR: &str = "ErrGetKeyPair";
    /// CA issuer: the key pair is invalid.
    pub const ERR_INVALID_KEY_PAIR: &str = "ErrInvalidKeyPair";
    /// ACME issuer: account registered.
    pub const ACME_ACCOUNT_REGISTERED: &str = "ACMEAccountRegistered";
    /// ACME issuer: existing account verified.
    pub const ACME_ACCOUNT_VERIFIED: &str = "ACMEAccountVerified";
    /// ACME issuer: registration failed.
    pub const ERR_REGISTER_ACME_ACCOUNT: &str = "ErrRegisterACMEAccount";
    /// ACME issuer: verification failed.
    pub const ERR_VERIFY_ACME_ACCOUNT: &str = "ErrVerifyACMEAccount";
    /// ACME issuer: account update failed.
    pub const ERR_UPDATE_ACME_ACCOUNT: &str = "ErrUpdateACMEAccount";
    /// ACME issuer: invalid configuration.
    pub const INVALID_CONFIG: &str = "InvalidConfig";
    /// ACME issuer: invalid server URL.
    pub const INVALID_URL: &str = "InvalidURL";
    /// ACME issuer: invalid solver.
    pub const INVALID_SOLVER: &str = "InvalidSolver";
    /// Vault issuer ready.
    pub const VAULT_VERIFIED: &str = "VaultVerified";
    /// Vault issuer error.
    pub const VAULT_ERROR: &str = "VaultError";
}

/// Condition messages cert-manager writes verbatim.
pub mod messages {
    /// Certificate `Ready=True`.
    pub const CERTIFICATE_READY: &str = "Certificate is up to date and has not expired";
    /// The issuing controller's success event.
    pub const CERTIFICATE_ISSUED: &str = "The certificate has been successfully issued";
    /// Prefix of `Issuing=False` when the request failed.
    pub const REQUEST_FAILED_PREFIX: &str =
        "The certificate request has failed to complete and will be retried: ";
    /// The approver's `Approved=True` message.
    pub const APPROVED_BY_CERT_MANAGER: &str =
        "Certificate request has been approved by cert-manager.io";
    /// CA issuer `Ready=True`.
    pub const SIGNING_CA_VERIFIED: &str = "Signing CA verified";
    /// Prefix of the CA issuer's `ErrGetKeyPair` message.
    pub const ERROR_GETTING_KEY_PAIR_PREFIX: &str = "Error getting keypair for CA issuer: ";
    /// ACME issuer: account registered.
    pub const ACME_ACCOUNT_REGISTERED: &str =
        "The ACME account was registered with the ACME server";
    /// ACME issuer: account verified.
    pub const ACME_ACCOUNT_VERIFIED: &str = "The ACME account was verified with the ACME server";
    /// Vault issuer ready.
    pub const VAULT_VERIFIED: &str = "Vault verified";
    /// Event while a request waits for approval.
    pub const WAITING_FOR_APPROVAL: &str = "Not signing CertificateRequest until it is Approved";
}

/// Event reasons.
pub mod events {
    /// Certificate: issuance finished (trigger and issuing controllers).
    pub const ISSUING: &str = "Issuing";
    /// Key manager: a private key was generated.
    pub const GENERATED: &str = "Generated";
    /// Key manager: the existing key was reused (`rotationPolicy: Never`).
    pub const REUSED: &str = "Reused";
    /// Key manager: the existing key cannot be decoded.
    pub const DECODE_FAILED: &str = "DecodeFailed";
    /// Key manager: the existing key does not match the spec and may not be rotated.
    pub const CANNOT_REGENERATE_KEY: &str = "CannotRegenerateKey";
    /// Key manager / request manager: a stale object was deleted.
    pub const DELETED: &str = "Deleted";
    /// Request manager: a CertificateRequest was created.
    pub const REQUESTED: &str = "Requested";
    /// Request manager: creating the CertificateRequest failed.
    pub const REQUEST_FAILED: &str = "RequestFailed";
    /// Keystore password Secret missing.
    pub const KEYSTORE_PASSWORD_SECRET_NOT_FOUND: &str = "KeystorePasswordSecretNotFound";
    /// CertificateRequest issuers: waiting for approval.
    pub const WAITING_FOR_APPROVAL: &str = "WaitingForApproval";
    /// CertificateRequest issuers: the issuer does not exist.
    pub const ISSUER_NOT_FOUND: &str = "IssuerNotFound";
    /// CertificateRequest issuers: the issuer has no type.
    pub const ISSUER_TYPE_MISSING: &str = "IssuerTypeMissing";
    /// CertificateRequest issuers: the issuer is not ready.
    pub const ISSUER_NOT_READY: &str = "IssuerNotReady";
    /// CertificateRequest issuers: the CSR cannot be decoded.
    pub const DECODE_ERROR: &str = "DecodeError";
    /// CertificateRequest issued.
    pub const CERTIFICATE_ISSUED: &str = "CertificateIssued";
    /// ACME: Order created.
    pub const ORDER_CREATED: &str = "OrderCreated";
    /// ACME orders controller: a Challenge was created.
    pub const CREATED: &str = "Created";
    /// ACME orders controller: no solver matched.
    pub const SOLVER: &str = "Solver";
    /// ACME orders controller: the order completed.
    pub const COMPLETE: &str = "Complete";
    /// ACME challenges controller: challenge presented.
    pub const PRESENTED: &str = "Presented";
    /// ACME challenges controller: presenting failed.
    pub const PRESENT_ERROR: &str = "PresentError";
    /// ACME challenges controller: authorization succeeded.
    pub const DOMAIN_VERIFIED: &str = "DomainVerified";
    /// ACME challenges controller: cleanup failed.
    pub const CLEAN_UP_ERROR: &str = "CleanUpError";
    /// ACME challenges controller: the challenge failed.
    pub const FAILED: &str = "Failed";
    /// ACME challenges controller: processing started.
    pub const STARTED: &str = "Started";
    /// Shims: bad annotations.
    pub const BAD_CONFIG: &str = "BadConfig";
    /// Shims: Certificate created.
    pub const CREATE_CERTIFICATE: &str = "CreateCertificate";
    /// Shims: Certificate updated.
    pub const UPDATE_CERTIFICATE: &str = "UpdateCertificate";
    /// Shims: Certificate deleted.
    pub const DELETE_CERTIFICATE: &str = "DeleteCertificate";
}

/// Limits and defaults of the Certificate API.
pub mod limits {
    use std::time::Duration;

    /// Shortest accepted `spec.duration`.
    pub const MINIMUM_CERTIFICATE_DURATION: Duration = Duration::from_secs(3600);
    /// `spec.duration` when unset: 90 days.
    pub const DEFAULT_CERTIFICATE_DURATION: Duration = Duration::from_secs(90 * 24 * 3600);
    /// Shortest accepted `spec.renewBefore` (and effective renewBefore of a percentage).
    pub const MINIMUM_RENEW_BEFORE: Duration = Duration::from_secs(300);
    /// Longest accepted `commonName`, in bytes.
    pub const MAX_COMMON_NAME_LENGTH: usize = 64;
    /// Smallest RSA key size.
    pub const MIN_RSA_KEY_SIZE: u32 = 2048;
    /// Largest RSA key size.
    pub const MAX_RSA_KEY_SIZE: u32 = 8192;
    /// Default RSA key size.
    pub const DEFAULT_RSA_KEY_SIZE: u32 = 2048;
    /// Accepted ECDSA key sizes.
    pub const ECDSA_KEY_SIZES: [u32; 3] = [256, 384, 521];
    /// Default ECDSA key size.
    pub const DEFAULT_ECDSA_KEY_SIZE: u32 = 256;
    /// Supported RFC 2136 TSIG algorithms (case-insensitive).
    pub const TSIG_ALGORITHMS: [&str; 4] = ["HMACMD5", "HMACSHA1", "HMACSHA256", "HMACSHA512"];
}
