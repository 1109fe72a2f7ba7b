//! An editor's view of the fleet's JSON Schema: taplo, the TOML toolkit behind editors' TOML
//! support (Even Better TOML), validating inventory files against the schema as an editor does.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Where `.ci/run` installs the editor tools (`npm install --prefix target/editor-tools`).
fn installed() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/editor-tools/node_modules/.bin/taplo")
}

/// The `taplo` binary: on `PATH`, or where `.ci/run` installs it.
///
/// When it is missing: under `CI=true` this panics (CI must run the check); otherwise it prints
/// a loud `SKIPPED` line and returns `None`, and the calling test returns early.
pub fn taplo() -> Option<PathBuf> {
    let on_path = std::env::var_os("PATH")
        .and_then(|path| std::env::split_paths(&path).map(|dir| dir.join("taplo")).find(|p| p.is_file()));
    let found = on_path.or_else(|| Some(installed()).filter(|p| p.is_file()));
    if found.is_none() {
        if crate::under_ci() {
            panic!("taplo is required under CI=true; .ci/run installs it with npm (@taplo/cli)");
        }
        use std::io::Write;
        let _ = writeln!(
            std::io::stderr().lock(),
            "SKIPPED: taplo is not on PATH, so the schema was not checked by an editor's TOML engine; \
             run `npm install --prefix target/editor-tools @taplo/cli@0.7.0` to run it"
        );
    }
    found
}

/// `taplo check FILE…`, each with the schema its own `#:schema` modeline names (as an editor
/// finds it), in one run: whether all are valid, and what taplo said.
pub fn taplo_check(taplo: &Path, files: &[PathBuf]) -> (bool, String) {
    let output = Command::new(taplo)
        .args(["check", "--no-auto-config"])
        .args(files)
        .env("RUST_LOG", "error")
        .output()
        .expect("run taplo");
    let said = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    (output.status.success(), said)
}
