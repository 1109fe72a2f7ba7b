//! Scale benchmark: validate, render, write and a no-op regeneration of synthetic fleets of 100,
//! 1,000 and 10,000 hosts, and the peak memory of a 10,000-host run in a fresh process.
//!
//! ```sh
//! cargo bench -p fleet-gen                      # the whole table
//! cargo bench -p fleet-gen -- --sizes 1000 --reps 5
//! ```
//!
//! Wall-clock times over a few repetitions, min and median, in milliseconds. "end to end" is
//! building the fleet, validating, rendering and writing into an empty directory; "no-op" is
//! the same run again over its own output, which must write nothing.

use fleet_gen::{render, synthetic, validate, write};
use std::path::Path;
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};

/// Stages timed per repetition, in table order.
const STAGES: [&str; 8] = [
    "build fleet",
    "validate",
    "render",
    "write (fresh dir)",
    "end to end",
    "no-op regen (full)",
    "generate (CLI)",
    "no-op generate (CLI)",
];

fn main() -> ExitCode {
    let mut sizes = vec![100, 1_000, 10_000];
    let mut reps: Option<usize> = None;
    let mut peak = true;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            // Child mode: one end-to-end run, then the peak memory on stdout.
            "--peak-child" => {
                let hosts = args.next().and_then(|n| n.parse().ok()).unwrap_or(10_000);
                return peak_child(hosts);
            }
            "--sizes" => {
                let list = args.next().unwrap_or_default();
                sizes = list.split(',').filter_map(|n| n.trim().parse().ok()).collect();
            }
            "--reps" => reps = args.next().and_then(|n| n.parse().ok()),
            "--no-peak" => peak = false,
            // `cargo bench` passes `--bench`; filters and other harness flags are ignored.
            _ => {}
        }
    }

    println!("fleet-gen scale benchmark ({} cores available)", available_cores());
    println!("times in ms over repetitions, min / median\n");
    print!("{:<20}", "stage");
    for n in &sizes {
        print!("{:>22}", format!("{n} hosts"));
    }
    println!();
    let mut medians: Vec<(usize, Vec<f64>)> = Vec::new();
    let mut rows: Vec<Vec<String>> = vec![Vec::new(); STAGES.len()];
    let mut files = Vec::new();
    for &n in &sizes {
        let reps = reps.unwrap_or(match n {
            0..=500 => 15,
            501..=5_000 => 7,
            _ => 3,
        });
        let (samples, count) = measure(n, reps);
        files.push(count);
        let mut meds = Vec::new();
        for (row, mut s) in rows.iter_mut().zip(samples) {
            s.sort_by(f64::total_cmp);
            let (min, med) = (s[0], s[s.len() / 2]);
            row.push(format!("{min:.1} / {med:.1}"));
            meds.push(med);
        }
        medians.push((n, meds));
    }
    for (stage, row) in STAGES.iter().zip(&rows) {
        print!("{stage:<20}");
        for cell in row {
            print!("{cell:>22}");
        }
        println!();
    }
    print!("{:<20}", "files");
    for f in &files {
        print!("{f:>22}");
    }
    println!();

    let at = |n: usize| medians.iter().find(|(m, _)| *m == n).map(|(_, meds)| meds);
    if let (Some(small), Some(large)) = (at(1_000), at(10_000)) {
        println!("\nratio of medians, 10,000 / 1,000 hosts (linear = 10):");
        for (i, stage) in STAGES.iter().enumerate() {
            println!("  {stage:<20}{:>8.1}", large[i] / small[i]);
        }
    }

    println!("\ninventory parsing (ms, min of 3), the fleet exported as one inventory document:");
    for &n in &sizes {
        let (json, yaml, bytes) = inventory_parse(n);
        println!("  {n:>6} hosts, {:>6.1} MiB: JSON {json:.1}, YAML {yaml:.1}", bytes as f64 / 1048576.0);
    }

    for (n, meds) in &medians {
        let (full, noop) = (meds[6], meds[7]);
        println!("\nno-op / full `generate` at {n} hosts: {:.3} ({noop:.1} ms / {full:.1} ms)", noop / full);
    }

    if peak {
        let hosts = sizes.iter().copied().max().unwrap_or(10_000).max(10_000);
        match peak_in_fresh_process(hosts) {
            Ok(kib) => println!("\npeak memory, {hosts} hosts end to end in a fresh process: {:.1} MiB", kib / 1024.0),
            Err(e) => println!("\npeak memory: not measured ({e})"),
        }
    }
    ExitCode::SUCCESS
}

/// Samples per stage (ms) over `reps` repetitions, and the number of files of the tree.
fn measure(hosts: usize, reps: usize) -> (Vec<Vec<f64>>, usize) {
    let mut samples = vec![Vec::new(); STAGES.len()];
    let mut files = 0;
    for _ in 0..reps.max(1) {
        let dir = tempfile::tempdir().expect("temporary directory");
        let out = dir.path();

        let start = Instant::now();
        let data = synthetic::fleet(hosts).into_data();
        let built = start.elapsed();
        let t = Instant::now();
        let view = validate::validate(&data, out).expect("the synthetic fleet is valid");
        let validated = t.elapsed();
        let t = Instant::now();
        let tree = render::render(&view).expect("templates render");
        let rendered = t.elapsed();
        let t = Instant::now();
        let plan = write::plan(&tree, out).expect("an empty directory refuses nothing");
        write::apply(&plan, out).expect("write");
        let written = t.elapsed();
        let end_to_end = start.elapsed();
        files = tree.files.len();
        drop((view, tree, plan));

        let t = Instant::now();
        let changes = regenerate(&data, out);
        let noop = t.elapsed();
        assert_eq!(changes, 0, "a no-op regeneration must write nothing");

        // What a user runs: `generate` into an empty directory, then again (the cached no-op).
        let dir = tempfile::tempdir().expect("temporary directory");
        let t = Instant::now();
        let first = cli_generate(&data, dir.path());
        let cli_full = t.elapsed();
        assert!(first.contains("created"), "{first}");
        let t = Instant::now();
        let again = cli_generate(&data, dir.path());
        let cli_noop = t.elapsed();
        assert!(again.contains("is up to date; nothing written"), "{again}");

        for (s, d) in
            samples.iter_mut().zip([built, validated, rendered, written, end_to_end, noop, cli_full, cli_noop])
        {
            s.push(ms(d));
        }
    }
    (samples, files)
}

/// Times the strict inventory parsers on the synthetic fleet exported as one document (JSON,
/// which is also YAML in flow style): min of 3 runs each, and the size in bytes.
fn inventory_parse(hosts: usize) -> (f64, f64, usize) {
    use fleet_gen::inventory::{parse, Format};
    let data = synthetic::fleet(hosts).into_data();
    let text = serde_json::to_string_pretty(&fleet_gen::document::export(&data)).expect("the document serializes");
    let time = |format: Format| {
        (0..3)
            .map(|_| {
                let t = Instant::now();
                parse(format, text.as_bytes()).expect("the export parses");
                ms(t.elapsed())
            })
            .fold(f64::INFINITY, f64::min)
    };
    (time(Format::Json), time(Format::Yaml), text.len())
}

/// `generate --out DIR` through the command line, in this process; its stderr.
fn cli_generate(data: &fleet_dsl::FleetData, out: &Path) -> String {
    let args = ["fleet", "generate", "--out", out.to_str().expect("a UTF-8 temporary path")];
    let (mut stdout, mut stderr) = (Vec::new(), Vec::new());
    let code = fleet_gen::cli::run(data, args, &mut stdout, &mut stderr);
    let text = String::from_utf8_lossy(&stderr).into_owned();
    assert_eq!(code, ExitCode::SUCCESS, "{text}");
    text
}

/// What `generate` did on an unchanged fleet before the no-op cache: validate, render, compare, write what changed.
fn regenerate(data: &fleet_dsl::FleetData, out: &Path) -> usize {
    let tree = fleet_gen::generate(data, out).expect("the synthetic fleet is valid");
    let plan = write::plan(&tree, out).expect("its own output refuses nothing");
    write::apply(&plan, out).expect("write");
    plan.changes.len()
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn available_cores() -> usize {
    std::thread::available_parallelism().map_or(1, usize::from)
}

/// Runs this binary again in `--peak-child` mode, so the figure is that run's alone.
fn peak_in_fresh_process(hosts: usize) -> Result<f64, String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let out = Command::new(exe)
        .args(["--peak-child", &hosts.to_string()])
        .output()
        .map_err(|e| format!("cannot run the child: {e}"))?;
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).into_owned());
    }
    String::from_utf8_lossy(&out.stdout).trim().parse::<f64>().map_err(|e| format!("child printed no figure: {e}"))
}

fn peak_child(hosts: usize) -> ExitCode {
    let dir = tempfile::tempdir().expect("temporary directory");
    let data = synthetic::fleet(hosts).into_data();
    let tree = fleet_gen::generate(&data, dir.path()).expect("the synthetic fleet is valid");
    let plan = write::plan(&tree, dir.path()).expect("an empty directory refuses nothing");
    write::apply(&plan, dir.path()).expect("write");
    match peak_memory_kib() {
        Some(kib) => {
            println!("{kib}");
            ExitCode::SUCCESS
        }
        None => {
            eprintln!("no VmHWM in /proc/self/status");
            ExitCode::FAILURE
        }
    }
}

/// Peak resident set size in KiB (`VmHWM` of /proc/self/status, Linux).
fn peak_memory_kib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}
