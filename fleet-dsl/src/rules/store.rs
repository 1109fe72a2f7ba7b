//! Paths outside the Nix store: what is in the store is world-readable.

/// Whether `path`, normalised (`//`, `.` and `..` resolved the way the kernel would), lies in
/// `/nix/store`: `//nix/store/x`, `/nix/./store/x` and `/etc/../nix/store` all do.
pub fn in_nix_store(path: &str) -> bool {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    parts.starts_with(&["nix", "store"])
}

/// Whether `path` is an absolute path outside the Nix store, as a secret's or key's path must
/// be. The error is the reason.
pub fn check_private_path(path: &str) -> Result<(), String> {
    if !path.starts_with('/') {
        return Err(format!("`{path}` is not absolute; write a full path such as `/run/secrets-custom/name`"));
    }
    if in_nix_store(path) {
        return Err(format!("`{path}` is under /nix/store: a secret under /nix/store would be world-readable"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn store_paths_in_disguise_are_found() {
        for p in [
            "/nix/store/x",
            "//nix/store/x",
            "/nix//store/x",
            "/nix/./store/x",
            "/./nix/store/x",
            "/etc/../nix/store",
            "/nix/store",
        ] {
            assert!(in_nix_store(p), "{p}");
            assert!(check_private_path(p).is_err(), "{p}");
        }
        for p in ["/nix/var/x", "/run/secrets/x", "/nix/storex/y", "/home/nix/store"] {
            assert!(!in_nix_store(p), "{p}");
            assert_eq!(check_private_path(p), Ok(()), "{p}");
        }
        assert!(check_private_path("run/secrets/x").unwrap_err().contains("not absolute"));
    }
}
