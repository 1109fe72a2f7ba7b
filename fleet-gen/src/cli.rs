//! The command line: `generate`, `schema`, `export`, `graph`, `new-host` (in [`crate::onboard`]) and
//! `import` (in [`crate::import`]).

use crate::error::WriteError;
use crate::render::graph::Graph;
use crate::shown::shown_path;
use crate::write::fs::Root;
use crate::write::lock::{Lock, LockMode};
use crate::write::{self, Applied};
use clap::{Parser, Subcommand, ValueEnum};
use fleet_dsl::{Channel, Fleet, FleetData, HostSpec, Os, System};
use std::ffi::OsString;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

pub use crate::report::DEFAULT_OUT;
use crate::report::{invalid, report_write_errors};

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
        /// Seconds to wait for another `generate` writing the same directory.
        #[arg(long, value_name = "SECONDS", default_value_t = 30)]
        lock_wait: u64,
        /// Testing only: fail like a full disk before writing file number N of the run.
        #[arg(long, value_name = "N", hide = true)]
        fail_after: Option<usize>,
    },
    /// Print the fleet's JSON Schema (draft-07) for editors and inventory files.
    Schema,
    /// Print the whole fleet, inventory hosts included, as JSON following the schema.
    Export,
    /// Print the fleet graph (hosts → profiles → modules) to stdout.
    Graph {
        /// Mermaid (`flowchart LR`) or graphviz DOT (`| dot -Tsvg > fleet.svg`).
        #[arg(long, value_enum, default_value_t = Format::Mermaid)]
        format: Format,
        /// The generated repository, where hand-written modules are looked up.
        #[arg(long, default_value = DEFAULT_OUT)]
        out: PathBuf,
    },
    /// Check a new host against the fleet, print the Rust to add it, and create its
    /// hardware-configuration placeholder (only when missing).
    NewHost {
        /// Host name (RFC 1123), not yet in the fleet.
        name: String,
        /// The host's platform.
        #[arg(long, value_parser = one_of::<Os>())]
        platform: Os,
        /// The host's system; must match the platform.
        #[arg(long, value_parser = one_of::<System>())]
        system: System,
        /// A profile of the fleet the host gets (repeat for several, in order).
        #[arg(long = "profile", value_name = "PROFILE")]
        profiles: Vec<String>,
        /// Which nixpkgs the host follows (default: the fleet's channel).
        #[arg(long, value_parser = one_of::<Channel>())]
        channel: Option<Channel>,
        /// Output directory (the generated repository).
        #[arg(long, default_value = DEFAULT_OUT)]
        out: PathBuf,
    },
    /// Read a hand-written flake repository and write a fleet crate that describes it.
    Import {
        /// The flake repository (the directory of its flake.nix).
        path: PathBuf,
        /// The new crate's directory (must not exist or be empty).
        #[arg(long, default_value = "imported-fleet")]
        out: PathBuf,
    },
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum Format {
    Mermaid,
    Dot,
}

/// A parser accepting the names of `T`'s variants, from its one string table (`fleet_dsl`'s
/// strum derives), listing them in `--help` and in errors.
fn one_of<T>() -> impl clap::builder::TypedValueParser<Value = T>
where
    T: strum::VariantArray + Into<&'static str> + std::str::FromStr + Copy + Send + Sync + 'static,
    <T as std::str::FromStr>::Err: std::error::Error + Send + Sync + 'static,
{
    let names: Vec<&'static str> = T::VARIANTS.iter().map(|v| (*v).into()).collect();
    use clap::builder::TypedValueParser;
    clap::builder::PossibleValuesParser::new(names).try_map(|name| name.parse::<T>())
}

/// Runs the command line on `fleet` with the process's arguments: the `main` of a fleet crate.
pub fn main<S: HostSpec>(fleet: Fleet<S>) -> ExitCode {
    let data = fleet.into_data();
    let stdout = std::io::stdout();
    let stderr = std::io::stderr();
    run(&data, std::env::args_os(), &mut stdout.lock(), &mut stderr.lock())
}

/// Runs the command line with explicit arguments and streams. Exit codes: 0 success, 1 invalid
/// fleet, stale output, failed write or a rejected `new-host`, 2 usage error.
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
        Command::Generate { out: dir, check, lock_wait, fail_after } => {
            let how = How { check, wait: Duration::from_secs(lock_wait), options: write::Options { fail_after } };
            generate(fleet, &dir, &how, out, err)
        }
        Command::Schema => {
            let _ = write!(out, "{}", crate::schema::to_text(&crate::schema::fleet_schema(fleet)));
            ExitCode::SUCCESS
        }
        Command::Export => export(fleet, out, err),
        Command::Graph { format, out: dir } => graph(fleet, format, &dir, out, err),
        Command::NewHost { name, platform, system, profiles, channel, out: dir } => {
            let channel = channel.unwrap_or(fleet.channel);
            let request = crate::onboard::NewHost { name, os: platform, system, profiles, channel, out: dir };
            crate::onboard::new_host(fleet, &request, out, err)
        }
        Command::Import { path, out: dir } => import(&path, &dir, out, err),
    }
}

/// `import`: writes the crate and prints the report; exit code 1 when it cannot.
fn import(path: &Path, dir: &Path, out: &mut dyn Write, err: &mut dyn Write) -> ExitCode {
    let done = crate::import::import(path, &crate::import::workspace_dir())
        .and_then(|imported| crate::import::write(&imported, dir).map(|()| imported));
    match done {
        Ok(imported) => {
            let _ = write!(out, "{}", imported.report);
            let _ = writeln!(
                err,
                "wrote {}: run `cargo run -- generate` there (IMPORT.md keeps this report)",
                shown_path(dir)
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            let _ = writeln!(err, "error: {e}");
            ExitCode::from(1)
        }
    }
}

/// How `generate` runs.
struct How {
    check: bool,
    wait: Duration,
    options: write::Options,
}

fn generate(fleet: &FleetData, dir: &Path, how: &How, out: &mut dyn Write, err: &mut dyn Write) -> ExitCode {
    let shown = shown_path(dir);
    let fingerprint = crate::fingerprint::of(fleet);
    // An unchanged fleet over an untouched directory: nothing to render, nothing to read.
    match fast_up_to_date(dir, fingerprint, how.wait) {
        Ok(true) => {
            let done = if how.check { "" } else { "; nothing written" };
            let _ = writeln!(err, "{shown} is up to date{done}");
            return ExitCode::SUCCESS;
        }
        Ok(false) => {}
        Err(e) => return report_write_errors(&[e], err),
    }
    let (tree, probes) = match crate::generate_recorded(fleet, dir) {
        Ok(tree) => tree,
        Err(crate::GenerateError::Invalid(problems)) => return invalid(problems, err),
        Err(e) => {
            let _ = writeln!(err, "error: {e}");
            return ExitCode::from(1);
        }
    };
    let mut sources = crate::diagnostic::Sources::default();
    for w in &tree.warnings {
        let _ = write!(err, "{}", w.render(&mut sources));
    }
    let root = match Root::open(dir, !how.check) {
        Ok(root) => root,
        Err(e) => return report_write_errors(&[e], err),
    };
    let mode = if how.check { LockMode::Shared } else { LockMode::Exclusive };
    let _lock = match root.as_ref().map(|r| Lock::take(r, mode, how.wait)).transpose() {
        Ok(lock) => lock,
        Err(e) => return report_write_errors(&[e], err),
    };
    let plan = match &root {
        Some(root) => write::plan_in(&tree, root),
        None => write::plan(&tree, dir),
    };
    let plan = match plan {
        Ok(plan) => plan,
        Err(refusals) => return report_write_errors(&refusals, err),
    };
    for path in &plan.adopted {
        let _ = writeln!(
            err,
            "note: {} lost its generated header, so it is yours now; fleet-gen leaves it alone",
            crate::shown::shown(path)
        );
    }
    if how.check {
        let leftovers = root.as_ref().is_some_and(write::state::has_leftovers);
        if plan.is_up_to_date() && !leftovers {
            let _ = writeln!(err, "{shown} is up to date");
            return ExitCode::SUCCESS;
        }
        if plan.is_up_to_date() {
            let _ = writeln!(
                err,
                "error: an interrupted `generate` left temporary files in {shown}/.fleet-gen; run `cargo run -- generate --out {shown}` to finish it"
            );
            return ExitCode::from(1);
        }
        let _ = write!(out, "{}", write::diff(&plan));
        if plan.interrupted.is_some() {
            let _ =
                writeln!(err, "error: a `generate` of {shown} was interrupted before it finished (.fleet-gen/pending)");
        }
        let n = plan.changes.len();
        let _ = writeln!(
            err,
            "error: {shown} is stale ({n} file{} differ); run `cargo run -- generate --out {shown}`",
            if n == 1 { "" } else { "s" }
        );
        return ExitCode::from(1);
    }
    let Some(root) = root else { return ExitCode::from(1) };
    let applied = match write::apply_in(&plan, &root, &how.options) {
        Ok(applied) => applied,
        Err(failure) => {
            let _ = write!(err, "{failure}");
            return ExitCode::from(1);
        }
    };
    if let Err(e) = write::cache::record(&root, &tree, fingerprint, &probes) {
        let _ = writeln!(err, "note: the no-op cache was not recorded ({e}); the next run compares every file");
    }
    if applied.temps_removed > 0 {
        let _ = writeln!(err, "note: removed {} temporary files of an interrupted run", applied.temps_removed);
    }
    if plan.is_up_to_date() {
        let _ = writeln!(err, "{shown} is up to date; nothing written");
    } else if plan.changes.is_empty() {
        let _ = writeln!(err, "{shown}: finished the interrupted run");
    } else {
        let Applied { created, updated, deleted, .. } = applied;
        let _ = writeln!(err, "{shown}: {created} created, {updated} updated, {deleted} deleted");
    }
    ExitCode::SUCCESS
}

/// The fast no-op check, under a shared lock: `false` whenever in doubt.
fn fast_up_to_date(dir: &Path, fingerprint: u64, wait: Duration) -> Result<bool, WriteError> {
    let Some(root) = Root::open(dir, false)? else { return Ok(false) };
    let Some(_lock) = Lock::take(&root, LockMode::Shared, wait)? else { return Ok(false) };
    Ok(write::cache::up_to_date(&root, fingerprint))
}

fn export(fleet: &FleetData, out: &mut dyn Write, err: &mut dyn Write) -> ExitCode {
    match crate::inventory::merge(fleet) {
        Ok(merged) => {
            let doc = crate::document::export(&merged);
            let mut text = serde_json::to_string_pretty(&doc).unwrap_or_default();
            text.push('\n');
            let _ = write!(out, "{text}");
            ExitCode::SUCCESS
        }
        Err(problems) => {
            let _ = write!(err, "{problems}");
            ExitCode::from(1)
        }
    }
}

fn graph(fleet: &FleetData, format: Format, dir: &Path, out: &mut dyn Write, err: &mut dyn Write) -> ExitCode {
    let text = crate::with_plan(fleet, dir, |plan, _| {
        let graph = Graph::of(&plan);
        match format {
            Format::Mermaid => graph.mermaid(),
            Format::Dot => graph.dot(),
        }
    });
    match text {
        Ok(text) => {
            let _ = write!(out, "{text}");
            ExitCode::SUCCESS
        }
        Err(problems) => invalid(problems, err),
    }
}
