//! Dump helper (temporary).
#![allow(clippy::unwrap_used)]
use fleet_tests::*;
#[test]
fn dump() {
    let out = tempfile::tempdir().unwrap();
    let tree = render(&flake_fleet(), out.path());
    write_tree(&tree, std::path::Path::new("/tmp/flk/out")).unwrap();
}
