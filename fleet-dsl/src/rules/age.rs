//! Age X25519 public keys (`age1…`).

use bech32::primitives::decode::{CheckedHrpstring, CheckedHrpstringError, UncheckedHrpstring};
use bech32::{Bech32, Bech32m};

/// The 32 characters of bech32's data part.
const CHARSET: &str = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
/// What every age X25519 public key starts with: the human-readable part `age` and the `1`
/// separator.
const PREFIX: &str = "age1";
/// The length of an X25519 public key.
const KEY_BYTES: usize = 32;

/// Where to get a key, for messages.
pub const HINT: &str =
    "derive a host's key with `ssh-to-age < /etc/ssh/ssh_host_ed25519_key.pub`, make a personal one with `age-keygen`";

/// Whether `key` is an age X25519 public key (`age1…`): bech32 (not bech32m) with the
/// human-readable part `age`, all lowercase, encoding exactly 32 bytes with zero padding bits.
/// The error is the reason, to follow "`key` is not an age public key: ".
pub fn check_age_key(key: &str) -> Result<(), String> {
    if key.is_empty() {
        return Err("it is empty".into());
    }
    if key.to_ascii_uppercase().starts_with("AGE-SECRET-KEY-1") {
        return Err("it is an age secret key, which must never be written into the fleet; give its public key, printed by `age-keygen -y`".into());
    }
    if key.chars().any(|c| c.is_ascii_uppercase()) {
        return Err("it has uppercase letters; write age public keys in lowercase".into());
    }
    let Some(data) = key.strip_prefix(PREFIX) else {
        return Err(match key.rfind('1') {
            Some(sep) if sep > 0 => format!("it starts with `{}`, not `{PREFIX}`", &key[..=sep]),
            _ => format!("it does not start with `{PREFIX}`"),
        });
    };
    if let Some(c) = data.chars().find(|c| !CHARSET.contains(*c)) {
        return Err(format!("`{c}` is not a bech32 character (bech32 has no `1`, `b`, `i` or `o` after the `age1`)"));
    }
    let checked = match CheckedHrpstring::new::<Bech32>(key) {
        Ok(checked) => checked,
        Err(CheckedHrpstringError::Checksum(_)) => {
            let bech32m = UncheckedHrpstring::new(key).is_ok_and(|u| u.has_valid_checksum::<Bech32m>());
            return Err(if bech32m {
                "it has a bech32m checksum; age keys use bech32".into()
            } else {
                "its checksum does not match: a character is wrong, missing or extra".into()
            });
        }
        Err(err) => return Err(format!("it is not bech32: {err}")),
    };
    let bytes = checked.byte_iter().count();
    if bytes != KEY_BYTES {
        return Err(format!("it encodes {bytes} bytes, and an X25519 public key is {KEY_BYTES}"));
    }
    if checked.validate_segwit_padding().is_err() {
        return Err("its padding bits are not zero".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::check_age_key;

    /// The example recipient of the age specification.
    const VALID: &str = "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p";

    #[test]
    fn age_keys() {
        let flipped = VALID.replace("ql3z", "ql4z");
        let upper = VALID.to_uppercase();
        let cases: [(&str, Option<&str>); 9] = [
            (VALID, None),
            ("", Some("it is empty")),
            ("age1", Some("checksum does not match")),
            ("age1notakey", Some("`o` is not a bech32 character")),
            (flipped.as_str(), Some("checksum does not match")),
            (upper.as_str(), Some("uppercase")),
            ("ssh-ed25519 aaaa", Some("not `age1`")),
            ("AGE-SECRET-KEY-1QQQ", Some("secret key")),
            ("agx1qqqq", Some("starts with `agx1`, not `age1`")),
        ];
        for (key, expected) in cases {
            match (check_age_key(key), expected) {
                (Ok(()), None) => {}
                (Err(reason), Some(part)) => assert!(reason.contains(part), "{key:?}: {reason}"),
                (got, want) => panic!("{key:?}: got {got:?}, wanted {want:?}"),
            }
        }
        let hrp = bech32::Hrp::parse("age").unwrap_or_else(|e| panic!("{e}"));
        let short = bech32::encode::<bech32::Bech32>(hrp, &[0; 31]).unwrap_or_else(|e| panic!("{e}"));
        assert!(check_age_key(&short).unwrap_err().contains("encodes 31 bytes"));
        let m = bech32::encode::<bech32::Bech32m>(hrp, &[0; 32]).unwrap_or_else(|e| panic!("{e}"));
        assert!(check_age_key(&m).unwrap_err().contains("bech32m"));
    }
}
