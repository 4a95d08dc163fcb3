//! The string formats the API server validates for CRD fields.
//!
//! Kubernetes keeps a `format` only when it is one it supports for the field's type
//! (string formats for strings, `int32`/`int64` for integers, `float`/`double` for
//! numbers) and ignores every other. Of the kept string formats, all but `quantity`
//! are checked by the OpenAPI validator's format registry.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::sync::LazyLock;

use regex::Regex;

/// A validated string format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    BsonObjectId,
    Uri,
    Email,
    Hostname,
    Ipv4,
    Ipv6,
    Cidr,
    Mac,
    Uuid,
    Uuid3,
    Uuid4,
    Uuid5,
    Isbn,
    Isbn10,
    Isbn13,
    CreditCard,
    Ssn,
    HexColor,
    RgbColor,
    Byte,
    Password,
    Date,
    Duration,
    DateTime,
    K8sShortName,
    K8sLongName,
}

/// String formats the API server keeps (normalized: dashes removed).
const SUPPORTED_STRING_FORMATS: &[&str] = &[
    "bsonobjectid",
    "uri",
    "email",
    "hostname",
    "ipv4",
    "ipv6",
    "cidr",
    "mac",
    "uuid",
    "uuid3",
    "uuid4",
    "uuid5",
    "isbn",
    "isbn10",
    "isbn13",
    "creditcard",
    "ssn",
    "hexcolor",
    "rgbcolor",
    "byte",
    "password",
    "date",
    "duration",
    "datetime",
    "quantity",
    "k8sshortname",
    "k8slongname",
];

/// The format the API server keeps for a schema of type `ty` (`""` when the type is
/// empty or ambiguous), or `None` when it drops it.
pub(crate) fn effective_format(ty: &str, format: &str) -> Option<String> {
    if format.is_empty() {
        return None;
    }
    let keep = match ty {
        "" | "string" => SUPPORTED_STRING_FORMATS.contains(&normalize(format).as_str()),
        "integer" => format == "int32" || format == "int64",
        "number" => format == "float" || format == "double",
        _ => false,
    };
    keep.then(|| format.to_string())
}

/// go-openapi's format name normalization.
fn normalize(name: &str) -> String {
    name.replace('-', "")
}

impl Format {
    /// The registry entry for a (kept) format name; `None` for names the registry
    /// does not check (`quantity`, number formats).
    pub(crate) fn lookup(name: &str) -> Option<Self> {
        Some(match normalize(name).as_str() {
            "bsonobjectid" => Self::BsonObjectId,
            "uri" => Self::Uri,
            "email" => Self::Email,
            "hostname" => Self::Hostname,
            "ipv4" => Self::Ipv4,
            "ipv6" => Self::Ipv6,
            "cidr" => Self::Cidr,
            "mac" => Self::Mac,
            "uuid" => Self::Uuid,
            "uuid3" => Self::Uuid3,
            "uuid4" => Self::Uuid4,
            "uuid5" => Self::Uuid5,
            "isbn" => Self::Isbn,
            "isbn10" => Self::Isbn10,
            "isbn13" => Self::Isbn13,
            "creditcard" => Self::CreditCard,
            "ssn" => Self::Ssn,
            "hexcolor" => Self::HexColor,
            "rgbcolor" => Self::RgbColor,
            "byte" => Self::Byte,
            "password" => Self::Password,
            "date" => Self::Date,
            "duration" => Self::Duration,
            "datetime" => Self::DateTime,
            "k8sshortname" => Self::K8sShortName,
            "k8slongname" => Self::K8sLongName,
            _ => return None,
        })
    }

    /// Whether `s` is valid in this format.
    pub(crate) fn validates(self, s: &str) -> bool {
        match self {
            Self::BsonObjectId => s.len() == 24 && s.bytes().all(|b| b.is_ascii_hexdigit()),
            Self::Uri => is_request_uri(s),
            Self::Email => is_email(s),
            Self::Hostname => is_hostname(s),
            Self::Ipv4 => parse_ip_sloppy(s).is_some() && s.contains('.'),
            Self::Ipv6 => parse_ip_sloppy(s).is_some() && s.contains(':'),
            Self::Cidr => is_cidr(s),
            Self::Mac => is_mac(s),
            Self::Uuid => re(&UUID).is_match(s),
            Self::Uuid3 => re(&UUID3).is_match(s),
            Self::Uuid4 => re(&UUID4).is_match(s),
            Self::Uuid5 => re(&UUID5).is_match(s),
            Self::Isbn => is_isbn10(s) || is_isbn13(s),
            Self::Isbn10 => is_isbn10(s),
            Self::Isbn13 => is_isbn13(s),
            Self::CreditCard => is_credit_card(s),
            Self::Ssn => s.len() == 11 && re(&SSN).is_match(s),
            Self::HexColor => re(&HEX_COLOR).is_match(s),
            Self::RgbColor => re(&RGB_COLOR).is_match(s),
            Self::Byte => re(&BASE64).is_match(s),
            Self::Password => true,
            Self::Date => is_date(s),
            Self::Duration => parse_duration(s).is_some(),
            Self::DateTime => is_date_time(s),
            Self::K8sShortName => s.len() <= 63 && re(&SHORT_NAME).is_match(s),
            Self::K8sLongName => s.len() <= 253 && re(&LONG_NAME).is_match(s),
        }
    }
}

/// A lazily compiled static regex; a pattern that fails to compile matches nothing.
type StaticRegex = LazyLock<Option<Regex>>;

fn re(r: &StaticRegex) -> RegexRef<'_> {
    RegexRef(r.as_ref())
}

/// A possibly-absent regex.
struct RegexRef<'a>(Option<&'a Regex>);

impl RegexRef<'_> {
    fn is_match(&self, s: &str) -> bool {
        self.0.is_some_and(|r| r.is_match(s))
    }
}

macro_rules! static_regex {
    ($name:ident, $pattern:expr) => {
        static $name: StaticRegex = LazyLock::new(|| Regex::new($pattern).ok());
    };
}

static_regex!(
    HOSTNAME,
    r"^([a-zA-Z0-9\p{S}\p{L}]((-?[a-zA-Z0-9\p{S}\p{L}]{0,62})?)|([a-zA-Z0-9\p{S}\p{L}](([a-zA-Z0-9-\p{S}\p{L}]{0,61}[a-zA-Z0-9\p{S}\p{L}])?)(\.)){1,}([a-zA-Z\p{L}]){2,63})$"
);
static_regex!(
    UUID,
    r"(?i)^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$"
);
static_regex!(
    UUID3,
    r"(?i)^[0-9a-f]{8}-?[0-9a-f]{4}-?3[0-9a-f]{3}-?[0-9a-f]{4}-?[0-9a-f]{12}$"
);
static_regex!(
    UUID4,
    r"(?i)^[0-9a-f]{8}-?[0-9a-f]{4}-?4[0-9a-f]{3}-?[89ab][0-9a-f]{3}-?[0-9a-f]{12}$"
);
static_regex!(
    UUID5,
    r"(?i)^[0-9a-f]{8}-?[0-9a-f]{4}-?5[0-9a-f]{3}-?[89ab][0-9a-f]{3}-?[0-9a-f]{12}$"
);
static_regex!(SSN, r"^\d{3}[- ]?\d{2}[- ]?\d{4}$");
static_regex!(HEX_COLOR, r"^#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$");
static_regex!(
    RGB_COLOR,
    r"^rgb\(\s*(0|[1-9]\d?|1\d\d?|2[0-4]\d|25[0-5])\s*,\s*(0|[1-9]\d?|1\d\d?|2[0-4]\d|25[0-5])\s*,\s*(0|[1-9]\d?|1\d\d?|2[0-4]\d|25[0-5])\s*\)$"
);
static_regex!(
    BASE64,
    r"^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{4})$"
);
static_regex!(
    CREDIT_CARD,
    r"^(?:4[0-9]{12}(?:[0-9]{3})?|5[1-5][0-9]{14}|(222[1-9]|22[3-9][0-9]|2[3-6][0-9]{2}|27[01][0-9]|2720)[0-9]{12}|6(?:011|5[0-9][0-9])[0-9]{12}|3[47][0-9]{13}|3(?:0[0-5]|[68][0-9])[0-9]{11}|(?:2131|1800|35\d{3})\d{11}|6[27][0-9]{14})$"
);
static_regex!(SHORT_NAME, r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$");
static_regex!(
    LONG_NAME,
    r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"
);
static_regex!(
    DATE_TIME_TAIL,
    r"^([0-9]{2}):([0-9]{2}):([0-9]{2})(.[0-9]+)?(z|([+-][0-9]{2}:[0-9]{2}))$"
);
static_regex!(DURATION_PART, r"((\d+)\s*([A-Za-zµ]+))");

fn is_hostname(s: &str) -> bool {
    re(&HOSTNAME).is_match(s) && s.len() <= 255 && s.split('.').all(|p| p.len() <= 63)
}

/// Go's `url.ParseRequestURI`: an absolute URI or an absolute path, no control bytes.
fn is_request_uri(s: &str) -> bool {
    if s.bytes().any(|b| b < 0x20 || b == 0x7f) || s.is_empty() {
        return false;
    }
    if s.starts_with('/') {
        return true;
    }
    let Some((scheme, rest)) = s.split_once(':') else {
        return false;
    };
    let mut chars = scheme.chars();
    let scheme_ok = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    if !scheme_ok {
        return false;
    }
    match rest.strip_prefix("//") {
        Some(after) => {
            let authority = after.split(['/', '?', '#']).next().unwrap_or("");
            !authority.contains(' ')
        }
        None => !rest.is_empty() || s.ends_with(':'),
    }
}

/// An approximation of Go's `net/mail.ParseAddress`: `local@domain`, optionally as
/// `Display Name <local@domain>`.
fn is_email(s: &str) -> bool {
    let s = s.trim();
    let addr = match (s.rfind('<'), s.ends_with('>')) {
        (Some(start), true) => s.get(start + 1..s.len() - 1).unwrap_or(""),
        _ => s,
    };
    let Some((local, domain)) = addr.rsplit_once('@') else {
        return false;
    };
    let atext = |c: char| c.is_alphanumeric() || "!#$%&'*+-/=?^_`{|}~.".contains(c);
    !local.is_empty()
        && !domain.is_empty()
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local.chars().all(atext)
        && domain.chars().all(|c| {
            c.is_alphanumeric() || c == '-' || c == '.' || c == '[' || c == ']' || c == ':'
        })
        && !domain.starts_with('.')
        && !domain.ends_with('.')
}

/// `netutils.ParseIPSloppy`: like Go's `net.ParseIP` but IPv4 octets may have
/// leading zeros (read as decimal).
pub(crate) fn parse_ip_sloppy(s: &str) -> Option<IpAddr> {
    if s.contains(':') {
        return s.parse::<Ipv6Addr>().ok().map(IpAddr::V6);
    }
    let mut octets = [0u8; 4];
    let mut parts = s.split('.');
    for octet in &mut octets {
        let p = parts.next()?;
        if p.is_empty() || p.len() > 3 || !p.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        *octet = p.parse::<u8>().ok()?;
    }
    if parts.next().is_some() {
        return None;
    }
    Some(IpAddr::V4(Ipv4Addr::from(octets)))
}

fn is_cidr(s: &str) -> bool {
    let Some((ip, bits)) = s.split_once('/') else {
        return false;
    };
    let Some(addr) = parse_ip_sloppy(ip) else {
        return false;
    };
    if bits.is_empty() || bits.len() > 3 || !bits.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let max = if addr.is_ipv4() { 32 } else { 128 };
    bits.parse::<u32>().is_ok_and(|b| b <= max)
}

/// Go's `net.ParseMAC`: 6, 8 or 20 octets as `aa:bb:…`, `aa-bb-…` or `aabb.ccdd.…`.
fn is_mac(s: &str) -> bool {
    let valid_len = |n: usize| matches!(n, 6 | 8 | 20);
    if s.len() < 14 {
        return false;
    }
    let bytes = s.as_bytes();
    if bytes.get(2) == Some(&b':') || bytes.get(2) == Some(&b'-') {
        let sep = bytes[2] as char;
        let groups: Vec<&str> = s.split(sep).collect();
        valid_len(groups.len())
            && groups
                .iter()
                .all(|g| g.len() == 2 && g.bytes().all(|b| b.is_ascii_hexdigit()))
    } else if bytes.get(4) == Some(&b'.') {
        let groups: Vec<&str> = s.split('.').collect();
        valid_len(groups.len() * 2)
            && groups
                .iter()
                .all(|g| g.len() == 4 && g.bytes().all(|b| b.is_ascii_hexdigit()))
    } else {
        false
    }
}

fn isbn_digits(s: &str) -> String {
    s.chars().filter(|c| *c != ' ' && *c != '-').collect()
}

fn is_isbn10(s: &str) -> bool {
    let d = isbn_digits(s);
    let b = d.as_bytes();
    if b.len() != 10
        || !b[..9].iter().all(u8::is_ascii_digit)
        || !(b[9].is_ascii_digit() || b[9] == b'X')
    {
        return false;
    }
    let mut sum = 0u32;
    for (i, c) in b[..9].iter().enumerate() {
        sum += (i as u32 + 1) * u32::from(c - b'0');
    }
    sum += if b[9] == b'X' {
        100
    } else {
        10 * u32::from(b[9] - b'0')
    };
    sum.is_multiple_of(11)
}

fn is_isbn13(s: &str) -> bool {
    let d = isbn_digits(s);
    let b = d.as_bytes();
    if b.len() != 13 || !b.iter().all(u8::is_ascii_digit) {
        return false;
    }
    let factor = [1u32, 3];
    let mut sum = 0u32;
    for (i, c) in b[..12].iter().enumerate() {
        sum += factor[i % 2] * u32::from(c - b'0');
    }
    (10 - sum % 10) % 10 == u32::from(b[12] - b'0')
}

fn is_credit_card(s: &str) -> bool {
    let digits: String = s.chars().filter(char::is_ascii_digit).collect();
    if !re(&CREDIT_CARD).is_match(&digits) {
        return false;
    }
    let mut sum = 0u32;
    let mut double = false;
    for c in digits.bytes().rev() {
        let mut d = u32::from(c - b'0');
        if double {
            d *= 2;
            if d > 9 {
                d -= 9;
            }
        }
        sum += d;
        double = !double;
    }
    sum.is_multiple_of(10)
}

/// `time.Parse("2006-01-02", s)`.
pub(crate) fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        let part = s.get(r)?;
        part.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| part.parse().ok())?
    };
    let (Some(y), Some(m), Some(d)) = (num(0..4), num(5..7), num(8..10)) else {
        return false;
    };
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&d)
}

/// strfmt's `IsDateTime`.
fn is_date_time(s: &str) -> bool {
    if s.len() < 4 {
        return false;
    }
    let lower = s.to_lowercase();
    let mut parts = lower.split('t');
    let (Some(date), Some(time)) = (parts.next(), parts.next()) else {
        return false;
    };
    if !is_date(date) {
        return false;
    }
    let Some(caps) = DATE_TIME_TAIL.as_ref().and_then(|r| r.captures(time)) else {
        return false;
    };
    let get = |i: usize| caps.get(i).map(|m| m.as_str()).unwrap_or("");
    get(1) <= "23" && get(2) <= "59" && get(3) <= "59"
}

/// strfmt's `ParseDuration`: Go's `time.ParseDuration`, else a looser
/// `<n> <unit>` form (`3 days`, `1 week`). Returns nanoseconds.
pub(crate) fn parse_duration(s: &str) -> Option<i128> {
    if let Some(d) = parse_go_duration(s) {
        return Some(d);
    }
    const UNITS: &[(&[&str], i128)] = &[
        (&["ns", "nano"], 1),
        (&["us", "µs", "micro"], 1_000),
        (&["ms", "milli"], 1_000_000),
        (&["s", "sec"], 1_000_000_000),
        (&["m", "min"], 60_000_000_000),
        (&["h", "hr", "hour"], 3_600_000_000_000),
        (&["d", "day"], 86_400_000_000_000),
        (&["w", "wk", "week"], 604_800_000_000_000),
    ];
    let matcher = DURATION_PART.as_ref()?;
    let mut total: i128 = 0;
    let mut ok = false;
    for caps in matcher.captures_iter(s) {
        let factor: i128 = caps.get(2)?.as_str().parse().ok()?;
        let unit = caps.get(3)?.as_str().trim().to_lowercase();
        for (variants, mult) in UNITS {
            let last = variants.len() - 1;
            for (i, v) in variants.iter().enumerate() {
                if (i == last && unit.starts_with(v)) || unit.eq_ignore_ascii_case(v) {
                    ok = true;
                    total = total.checked_add(factor.checked_mul(*mult)?)?;
                }
            }
        }
    }
    ok.then_some(total)
}

/// Go's `time.ParseDuration`, in nanoseconds.
pub(crate) fn parse_go_duration(s: &str) -> Option<i128> {
    let (neg, mut rest) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    if rest == "0" {
        return Some(0);
    }
    if rest.is_empty() {
        return None;
    }
    let mut total: f64 = 0.0;
    while !rest.is_empty() {
        let num_end = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let number = &rest[..num_end];
        if number.is_empty() || number == "." {
            return None;
        }
        let value: f64 = number.parse().ok()?;
        rest = &rest[num_end..];
        let unit_end = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let unit = &rest[..unit_end];
        rest = &rest[unit_end..];
        let mult: f64 = match unit {
            "ns" => 1.0,
            "us" | "µs" | "μs" => 1e3,
            "ms" => 1e6,
            "s" => 1e9,
            "m" => 60e9,
            "h" => 3600e9,
            _ => return None,
        };
        total += value * mult;
    }
    if total > 9.223_372_036_854_776e18 {
        return None;
    }
    let ns = total as i128;
    Some(if neg { -ns } else { ns })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_check_like_strfmt() {
        let ok = |f: &str, s: &str| Format::lookup(f).is_some_and(|f| f.validates(s));
        assert!(ok("date-time", "2024-01-02T03:04:05Z"));
        assert!(ok("date-time", "2024-01-02T03:04:05.123+02:00"));
        assert!(!ok("date-time", "2024-01-02"));
        assert!(ok("date", "2024-02-29"));
        assert!(!ok("date", "2023-02-29"));
        assert!(ok("duration", "1h30m"));
        assert!(ok("duration", "3 days"));
        assert!(!ok("duration", "soon"));
        assert!(ok("ipv4", "10.0.0.1"));
        assert!(!ok("ipv4", "::1"));
        assert!(ok("ipv6", "::1"));
        assert!(ok("cidr", "10.0.0.0/8"));
        assert!(!ok("cidr", "10.0.0.0/33"));
        assert!(ok("hostname", "example.com"));
        assert!(!ok("hostname", "-bad-.com"));
        assert!(ok("uuid", "123e4567-e89b-12d3-a456-426614174000"));
        assert!(ok("mac", "01:23:45:67:89:ab"));
        assert!(ok("byte", "aGVsbG8="));
        assert!(!ok("byte", "hello!"));
        assert!(ok("uri", "https://example.com/x"));
        assert!(!ok("uri", "example"));
        assert!(ok("email", "a@example.com"));
        assert!(ok("isbn10", "0321751043"));
        assert!(ok("isbn13", "978-0321751041"));
        assert!(ok("k8s-short-name", "my-name"));
        assert!(!ok("k8s-short-name", "My-name"));
        assert_eq!(
            effective_format("string", "quantity").as_deref(),
            Some("quantity")
        );
        assert_eq!(effective_format("string", "made-up"), None);
        assert_eq!(
            effective_format("integer", "int32").as_deref(),
            Some("int32")
        );
        assert_eq!(effective_format("integer", "date-time"), None);
    }
}
