//! Names that reach the system: host names (RFC 1123 labels) and login/group names.

/// Whether `name` is an RFC 1123 host label: 1 to 63 letters, digits or `-`, not starting or
/// ending with `-`. The error is the reason.
pub fn check_hostname(name: &str) -> Result<(), &'static str> {
    if name.is_empty() {
        return Err("it is empty");
    }
    if name.len() > 63 {
        return Err("it is longer than 63 characters");
    }
    if !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return Err("it contains characters other than letters, digits and `-`");
    }
    if name.starts_with('-') || name.ends_with('-') {
        return Err("it starts or ends with `-`");
    }
    Ok(())
}

/// Whether `name` is a login or group name: lowercase letters, digits, `_` and `-`, starting
/// with a letter or `_`, at most 32 characters.
pub fn is_login_name(name: &str) -> bool {
    name.len() <= 32
        && name.chars().next().is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '_' | '-'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_names_follow_rfc_1123() {
        let long = "a".repeat(64);
        let cases: [(&str, bool); 8] = [
            ("web-1", true),
            ("A", true),
            ("", false),
            ("-edge", false),
            ("edge-", false),
            ("my_host", false),
            ("a.b", false),
            (long.as_str(), false),
        ];
        for (name, ok) in cases {
            assert_eq!(check_hostname(name).is_ok(), ok, "{name:?}");
        }
    }

    #[test]
    fn login_names() {
        let long = "a".repeat(33);
        let cases: [(&str, bool); 7] = [
            ("jay", true),
            ("_svc", true),
            ("a-b_1", true),
            ("Jay", false),
            ("1a", false),
            ("", false),
            (long.as_str(), false),
        ];
        for (name, ok) in cases {
            assert_eq!(is_login_name(name), ok, "{name:?}");
        }
    }
}
