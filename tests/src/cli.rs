//! The command line, run in-process, as the tests drive it.

use fleet_dsl::FleetData;
use std::path::Path;
use std::process::ExitCode;

/// Runs the command line in-process (`args[0]` is the program name): exit code, stdout, stderr.
pub fn run_cli(fleet: &FleetData, args: &[&str]) -> (ExitCode, String, String) {
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = fleet_gen::cli::run(fleet, args, &mut out, &mut err);
    (code, String::from_utf8_lossy(&out).into_owned(), String::from_utf8_lossy(&err).into_owned())
}

/// `generate --out OUT EXTRA…` in-process: exit code and stderr.
pub fn generate_into(fleet: &FleetData, out: &Path, extra: &[&str]) -> (ExitCode, String) {
    let out = out.to_string_lossy();
    let mut args = vec!["fleet", "generate", "--out", out.as_ref()];
    args.extend_from_slice(extra);
    let (code, _, err) = run_cli(fleet, &args);
    (code, err)
}

/// `generate` into a fresh directory: exit code, stderr, and whether anything was written.
pub fn generate_fresh(fleet: &FleetData) -> (ExitCode, String, bool) {
    let tmp = tempfile::tempdir().expect("a temporary directory");
    let out = tmp.path().join("out");
    let (code, err) = generate_into(fleet, &out, &[]);
    (code, err, out.exists())
}

/// Asserts that `generate` refuses `fleet`: exit code 1, each of `messages` in its stderr,
/// "nothing was written", and no output directory created.
pub fn assert_refused(fleet: &FleetData, messages: &[&str]) {
    let (code, err, wrote) = generate_fresh(fleet);
    assert_eq!(code, ExitCode::from(1), "{err}");
    for m in messages {
        assert!(err.contains(m), "expected {m:?} in:\n{err}");
    }
    assert!(err.contains("nothing was written"), "{err}");
    assert!(!wrote, "a refused fleet wrote its output directory");
}
