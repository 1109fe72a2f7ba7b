//! Age public keys: checked before they reach `.sops.yaml`.

use bech32::primitives::decode::CheckedHrpstring;
use bech32::Bech32;

/// Why a string is not an age X25519 public key, or `Ok` when it is one.
pub fn check_recipient(key: &str) -> Result<(), String> {
    if key.chars().any(|c| c.is_ascii_uppercase()) {
        return Err("age keys are written in lowercase".into());
    }
    let parsed = CheckedHrpstring::new::<Bech32>(key).map_err(|e| format!("it is not bech32 ({e})"))?;
    if parsed.hrp().as_str() != "age" {
        return Err(format!("it starts with `{}1`, not `age1`", parsed.hrp().as_str()));
    }
    let len = parsed.byte_iter().count();
    if len != 32 {
        return Err(format!("it holds {len} bytes, not the 32 of an X25519 key"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example recipient of the age specification.
    const VALID: &str = "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p";

    #[test]
    fn accepts_a_real_key() {
        assert_eq!(check_recipient(VALID), Ok(()));
    }

    #[test]
    fn rejects_malformed_keys() {
        let flipped = VALID.replace("ql3z", "ql4z");
        let upper = VALID.to_uppercase();
        for bad in ["", "age1", "age1notakey", flipped.as_str(), upper.as_str(), "ssh-ed25519 AAAA"] {
            assert!(check_recipient(bad).is_err(), "{bad:?}");
        }
        let other_hrp = bech32::encode::<Bech32>(bech32::Hrp::parse("agx").unwrap(), &[0; 32]).unwrap();
        assert!(check_recipient(&other_hrp).unwrap_err().contains("not `age1`"));
        let short = bech32::encode::<Bech32>(bech32::Hrp::parse("age").unwrap(), &[0; 31]).unwrap();
        assert!(check_recipient(&short).unwrap_err().contains("31 bytes"));
    }
}
