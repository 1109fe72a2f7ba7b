//! Writes the repository of a synthetic fleet of N hosts, timing each stage:
//!
//! ```sh
//! cargo run --release -p fleet-gen --example synthetic -- --hosts 1000 --out /tmp/fleet
//! ```
//!
//! It validates, renders and writes exactly like `cargo run -- generate` (only changed files
//! are written, so a second run writes nothing), then prints the figures and the process's peak
//! resident memory to stderr.

use fleet_gen::{synthetic, write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

const USAGE: &str = "usage: synthetic --hosts N --out DIR";

fn main() -> ExitCode {
    let (hosts, out) = match parse(std::env::args().skip(1)) {
        Ok(args) => args,
        Err(e) => {
            eprintln!("error: {e}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let start = Instant::now();
    let data = synthetic::fleet(hosts).into_data();
    let built = start.elapsed();

    let t = Instant::now();
    let view = match fleet_gen::validate::validate(&data, &out) {
        Ok(view) => view,
        Err(problems) => {
            eprintln!("error: {problems}");
            return ExitCode::from(1);
        }
    };
    let validated = t.elapsed();

    let t = Instant::now();
    let tree = match fleet_gen::render::render(&view) {
        Ok(tree) => tree,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(1);
        }
    };
    let rendered = t.elapsed();

    let t = Instant::now();
    let plan = match write::plan(&tree, &out) {
        Ok(plan) => plan,
        Err(errors) => {
            for e in errors {
                eprintln!("error: {e}");
            }
            return ExitCode::from(1);
        }
    };
    if let Err(e) = write::apply(&plan, &out) {
        eprintln!("error: {e}");
        return ExitCode::from(1);
    }
    let written = t.elapsed();
    let total = start.elapsed();

    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let bytes: usize = tree.files.values().map(|f| f.text.len()).sum();
    eprintln!(
        "{hosts} hosts -> {}: {} files ({:.1} MiB), {} written",
        out.display(),
        tree.files.len(),
        bytes as f64 / (1024.0 * 1024.0),
        plan.changes.len()
    );
    eprintln!(
        "build {:.1} ms, validate {:.1} ms, render {:.1} ms, write {:.1} ms, total {:.1} ms",
        ms(built),
        ms(validated),
        ms(rendered),
        ms(written),
        ms(total)
    );
    match peak_memory_kib() {
        Some(kib) => eprintln!("peak memory (VmHWM) {:.1} MiB", kib as f64 / 1024.0),
        None => eprintln!("peak memory: unknown (no /proc/self/status)"),
    }
    ExitCode::SUCCESS
}

fn parse(mut args: impl Iterator<Item = String>) -> Result<(usize, PathBuf), String> {
    let (mut hosts, mut out) = (None, None);
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{arg} needs a value"));
        match arg.as_str() {
            "--hosts" => hosts = Some(value()?.parse::<usize>().map_err(|e| format!("--hosts: {e}"))?),
            "--out" => out = Some(PathBuf::from(value()?)),
            other => return Err(format!("unexpected argument `{other}`")),
        }
    }
    Ok((hosts.ok_or("--hosts is required")?, out.ok_or("--out is required")?))
}

/// The process's peak resident set size in KiB, from `VmHWM` in /proc/self/status (Linux).
fn peak_memory_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}
