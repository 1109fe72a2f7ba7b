//! The derives and the builder API, as the compiler sees them: cases that must compile (and
//! produce the expected option sets) and cases that must fail with a readable message.
//!
//! Regenerate the expected `.stderr` files with `TRYBUILD=overwrite cargo test -p fleet-ui`,
//! then read every one of them.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.pass("pass/*.rs");
    t.compile_fail("fail/*.rs");
}
