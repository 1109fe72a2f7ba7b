//! `age_key!("age1…")`: an age X25519 public key, checked at compile time.

use bech32::primitives::decode::{CheckedHrpstring, CheckedHrpstringError, UncheckedHrpstring};
use bech32::{Bech32, Bech32m};
use proc_macro2::TokenStream;
use quote::quote;
use syn::LitStr;

/// The 32 characters of bech32's data part.
const CHARSET: &str = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
/// What every age X25519 public key starts with: the human-readable part `age` and the `1`
/// separator.
const PREFIX: &str = "age1";
/// The length of an X25519 public key.
const KEY_BYTES: usize = 32;

/// Where to get a key, appended to every error.
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

/// Expands `age_key!("age1…")` to `::fleet_dsl::AgeKey::new("age1…")`, or to a compile error at
/// the literal.
pub fn expand(input: TokenStream) -> TokenStream {
    let lit: LitStr = match syn::parse2(input) {
        Ok(lit) => lit,
        Err(err) => {
            let msg = "`age_key!` takes one string literal: `age_key!(\"age1…\")`";
            return syn::Error::new(err.span(), msg).into_compile_error();
        }
    };
    match check_age_key(&lit.value()) {
        Ok(()) => quote!(::fleet_dsl::AgeKey::new(#lit)),
        Err(reason) => {
            let msg = format!("`{}` is not an age public key: {reason}; {HINT}", lit.value());
            syn::Error::new(lit.span(), msg).into_compile_error()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bech32::Hrp;

    /// The X25519 recipient of the age specification's test vectors.
    const SPEC_KEY: &str = "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p";

    fn encode<Ck: bech32::Checksum>(hrp: &str, bytes: &[u8]) -> String {
        let hrp = Hrp::parse(hrp).expect("valid hrp");
        bech32::encode::<Ck>(hrp, bytes).expect("encodable")
    }

    fn reason(key: &str) -> String {
        check_age_key(key).err().unwrap_or_default()
    }

    #[test]
    fn valid_keys_pass() {
        let (hrp, bytes) = bech32::decode(SPEC_KEY).expect("the spec's key decodes");
        assert_eq!((hrp.as_str(), bytes.len()), ("age", 32));
        assert_eq!(check_age_key(SPEC_KEY), Ok(()));
        let made = encode::<Bech32>("age", &[7; 32]);
        assert_eq!(made.len(), 62);
        assert_eq!(check_age_key(&made), Ok(()));
    }

    #[test]
    fn empty_and_secret_keys() {
        assert_eq!(reason(""), "it is empty");
        let secret = encode::<Bech32>("age-secret-key-", &[1; 32]).to_ascii_uppercase();
        assert!(reason(&secret).starts_with("it is an age secret key"), "{}", reason(&secret));
    }

    #[test]
    fn case_is_lowercase_only() {
        assert!(reason(&SPEC_KEY.to_ascii_uppercase()).starts_with("it has uppercase letters"));
        let mixed = SPEC_KEY.replacen('q', "Q", 1);
        assert!(reason(&mixed).starts_with("it has uppercase letters"));
    }

    #[test]
    fn wrong_prefix() {
        assert_eq!(reason(&encode::<Bech32>("agf", &[7; 32])), "it starts with `agf1`, not `age1`");
        assert_eq!(reason("npub"), "it does not start with `age1`");
    }

    #[test]
    fn bad_characters_and_checksums() {
        assert!(reason("age1notakey").starts_with("`o` is not a bech32 character"));
        // One character changed.
        let typo = SPEC_KEY.replacen("ql3z", "ql4z", 1);
        assert_eq!(reason(&typo), "its checksum does not match: a character is wrong, missing or extra");
        let short = &SPEC_KEY[..SPEC_KEY.len() - 1];
        assert_eq!(reason(short), "its checksum does not match: a character is wrong, missing or extra");
        assert_eq!(reason(&encode::<Bech32m>("age", &[7; 32])), "it has a bech32m checksum; age keys use bech32");
    }

    #[test]
    fn wrong_lengths() {
        assert_eq!(reason(&encode::<Bech32>("age", &[7; 31])), "it encodes 31 bytes, and an X25519 public key is 32");
        assert_eq!(reason(&encode::<Bech32>("age", &[7; 33])), "it encodes 33 bytes, and an X25519 public key is 32");
        assert_eq!(reason(&encode::<Bech32>("age", &[])), "it encodes 0 bytes, and an X25519 public key is 32");
    }

    #[test]
    fn the_macro_expands_or_errs_at_the_literal() {
        let ok = expand(quote!(#SPEC_KEY)).to_string();
        assert_eq!(ok, format!(":: fleet_dsl :: AgeKey :: new (\"{SPEC_KEY}\")"));
        let bad = expand(quote!("age1notakey")).to_string();
        assert!(bad.contains("compile_error"), "{bad}");
        assert!(bad.contains("`age1notakey` is not an age public key: `o` is not a bech32 character"), "{bad}");
        assert!(bad.contains("ssh-to-age"), "{bad}");
        let not_lit = expand(quote!(KEY)).to_string();
        assert!(not_lit.contains("takes one string literal"), "{not_lit}");
    }
}
