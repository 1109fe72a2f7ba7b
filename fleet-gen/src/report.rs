//! How the commands end: the default output directory, and invalid fleets and refused or failed
//! writes reported on stderr with exit code 1 (shared by `generate`, `graph` and `new-host`).

use crate::error::{Problems, WriteError};
use std::io::Write;
use std::process::ExitCode;

/// Where `generate` writes when no `--out` is given, relative to the working directory.
pub const DEFAULT_OUT: &str = "generated";

/// Reports an invalid fleet, as `generate` does.
pub(crate) fn invalid(problems: Problems, err: &mut dyn Write) -> ExitCode {
    let _ = write!(err, "{problems}");
    ExitCode::from(1)
}

/// Reports write errors: every one, and that nothing was written.
pub(crate) fn report_write_errors(errors: &[WriteError], err: &mut dyn Write) -> ExitCode {
    for e in errors {
        let _ = writeln!(err, "error: {e}");
    }
    let _ = writeln!(err, "nothing was written");
    ExitCode::from(1)
}
