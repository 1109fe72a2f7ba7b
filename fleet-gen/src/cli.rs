//! The command line: `generate [--out DIR] [--check]`.

use crate::error::WriteError;
use crate::write::{self, Change};
use clap::{Parser, Subcommand};
use fleet_dsl::{Fleet, FleetData, HostSpec};
use std::ffi::OsString;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Where `generate` writes when no `--out` is given, relative to the working directory.
pub const DEFAULT_OUT: &str = "generated";

#[derive(Parser, Debug)]
#[command(name = "fleet", about = "Validate this fleet and generate its flake-parts repository")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Validate the fleet and write its repository, changing only files whose bytes differ.
    Generate {
        /// Output directory (the generated repository).
        #[arg(long, default_value = DEFAULT_OUT)]
        out: PathBuf,
        /// Write nothing; print a unified diff and exit 1 when the output is stale.
        #[arg(long)]
        check: bool,
    },
}

/// Runs the command line on `fleet` with the process's arguments: the `main` of a fleet crate.
pub fn main<S: HostSpec>(fleet: Fleet<S>) -> ExitCode {
    let data = fleet.into_data();
    let stdout = std::io::stdout();
    let stderr = std::io::stderr();
    run(&data, std::env::args_os(), &mut stdout.lock(), &mut stderr.lock())
}

/// Runs the command line with explicit arguments and streams. Exit codes: 0 success, 1 invalid
/// fleet, stale output or failed write, 2 usage error.
pub fn run<I, T>(fleet: &FleetData, args: I, out: &mut dyn Write, err: &mut dyn Write) -> ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            if e.use_stderr() {
                let _ = write!(err, "{}", e.render());
                return ExitCode::from(2);
            }
            let _ = write!(out, "{}", e.render());
            return ExitCode::SUCCESS;
        }
    };
    match cli.command {
        Command::Generate { out: dir, check } => generate(fleet, &dir, check, out, err),
    }
}

fn generate(fleet: &FleetData, dir: &Path, check: bool, out: &mut dyn Write, err: &mut dyn Write) -> ExitCode {
    let tree = match crate::generate(fleet, dir) {
        Ok(tree) => tree,
        Err(e) => {
            let _ = write!(err, "error: {e}");
            return ExitCode::from(1);
        }
    };
    let plan = match write::plan(&tree, dir) {
        Ok(plan) => plan,
        Err(refusals) => return report_write_errors(&refusals, err),
    };
    for path in &plan.adopted {
        let _ = writeln!(err, "note: {path} lost its generated header, so it is yours now; fleet-gen leaves it alone");
    }
    let shown = dir.display();
    if check {
        if plan.changes.is_empty() {
            let _ = writeln!(err, "{shown} is up to date");
            return ExitCode::SUCCESS;
        }
        let _ = write!(out, "{}", write::diff(&plan));
        let _ = writeln!(
            err,
            "error: {shown} is stale ({} file{} differ); run `cargo run -- generate --out {shown}`",
            plan.changes.len(),
            if plan.changes.len() == 1 { "" } else { "s" }
        );
        return ExitCode::from(1);
    }
    if let Err(e) = write::apply(&plan, dir) {
        return report_write_errors(&[e], err);
    }
    let count = |f: fn(&Change) -> bool| plan.changes.iter().filter(|c| f(c)).count();
    let created = count(|c| matches!(c, Change::Create { .. }));
    let updated = count(|c| matches!(c, Change::Update { .. }));
    let deleted = count(|c| matches!(c, Change::Delete { .. }));
    if plan.changes.is_empty() {
        let _ = writeln!(err, "{shown} is up to date; nothing written");
    } else {
        let _ = writeln!(err, "{shown}: {created} created, {updated} updated, {deleted} deleted");
    }
    ExitCode::SUCCESS
}

fn report_write_errors(errors: &[WriteError], err: &mut dyn Write) -> ExitCode {
    for e in errors {
        let _ = writeln!(err, "error: {e}");
    }
    let _ = writeln!(err, "nothing was written");
    ExitCode::from(1)
}
