//! A fleet binary for the writer's process-level tests (killed runs, concurrent runs): the
//! synthetic fleet with `FLEET_FIXTURE_HOSTS` hosts (default 300), behind the ordinary CLI.

use std::process::ExitCode;

fn main() -> ExitCode {
    let hosts = std::env::var("FLEET_FIXTURE_HOSTS").ok().and_then(|n| n.parse().ok()).unwrap_or(300);
    fleet_gen::cli::main(fleet_gen::synthetic::fleet(hosts))
}
