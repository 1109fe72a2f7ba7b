//! Round trip: the example fleet's generated repository, imported with `import`, gives a fleet
//! whose `generate` reproduces every file byte for byte.
#![allow(clippy::unwrap_used)]

use std::process::Command;

#[test]
fn the_generated_repository_round_trips_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("generated");
    let run = Command::new(env!("CARGO_BIN_EXE_example-fleet"))
        .args(["generate", "--out"])
        .arg(&out)
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let differ = fleet_tests::round_trip_dir(&out).unwrap_or_else(|e| panic!("{e}"));
    assert!(differ.is_empty(), "{} file(s) differ:\n{}", differ.len(), differ.join("\n"));
}
