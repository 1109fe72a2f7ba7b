//! The synthetic fleet of `fleet_gen::synthetic`: it validates at every size, uses every part of
//! the generator, and its 1,000-host repository parses with `nix-instantiate --parse`.

use fleet_gen::{synthetic, write};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

#[test]
fn synthetic_fleets_validate_at_every_size() {
    let dir = tempfile::tempdir().unwrap();
    for n in [1, 2, 7, 10, 33, 100, 1000] {
        let data = synthetic::fleet(n).into_data();
        assert_eq!(data.hosts.len(), n);
        if let Err(problems) = fleet_gen::validate::validate(&data, dir.path()) {
            panic!("the synthetic fleet of {n} hosts is invalid:\n{problems}");
        }
    }
}

#[test]
fn synthetic_fleet_is_deterministic_and_uses_every_part() {
    let dir = tempfile::tempdir().unwrap();
    let render = || fleet_gen::generate(&synthetic::fleet(60).into_data(), dir.path()).unwrap();
    let tree = render();
    assert_eq!(tree, render());
    for path in [
        "flake.nix",
        "parts/hosts.nix",
        "parts/colmena.nix",
        ".sops.yaml",
        "modules/host-spec.nix",
        "modules/users.nix",
        "modules/users-darwin.nix",
        "modules/secrets.nix",
        "modules/secrets-darwin.nix",
        "modules/options/modules-services-monitoring.nix",
        "modules/services/monitoring.nix",
        "modules/hardware/rpi.nix",
        "profiles/site-eu.nix",
        "profiles/mac.nix",
        "hosts/host-00000/default.nix",
        "hosts/host-00009/default.nix",
    ] {
        assert!(tree.files.contains_key(path), "{path} is missing");
    }
    let sops = &tree.files[".sops.yaml"].text;
    for file in ["common", "build-clients", "monitoring", "host-00005"] {
        assert!(sops.contains(&format!("secrets/{file}\\.yaml")), "{file}");
    }
    let laptop = &tree.files["hosts/host-00005/default.nix"].text;
    assert!(laptop.contains("buildMachines = [") && laptop.contains("wifi-password"), "{laptop}");
}

#[test]
fn age_keys_are_valid_recipients() {
    for seed in [0, 1, 42, u64::MAX] {
        let key = synthetic::age_key(seed);
        assert_eq!(fleet_dsl::rules::age::check_age_key(&key), Ok(()), "{key}");
    }
}

#[test]
fn thousand_hosts_written_to_disk_parse_with_nix_instantiate() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path();
    let data = synthetic::fleet(1000).into_data();
    let tree = fleet_gen::generate(&data, out).unwrap();
    let plan = write::plan(&tree, out).unwrap();
    write::apply(&plan, out).unwrap();
    assert_eq!(plan.changes.len(), tree.files.len());

    let again = fleet_gen::generate(&data, out).unwrap();
    assert!(write::plan(&again, out).unwrap().changes.is_empty(), "a second run would write");

    let Some(nix) = nix_instantiate() else { return };
    let mut files = Vec::new();
    nix_files(out, &mut files);
    files.sort();
    assert!(files.len() > 1000, "only {} .nix files", files.len());
    // Many files per process (nix-instantiate parses each argument), one at a time on failure.
    for chunk in files.chunks(250) {
        if parses(&nix, chunk).is_ok() {
            continue;
        }
        for file in chunk {
            if let Err(e) = parses(&nix, std::slice::from_ref(file)) {
                panic!("{} does not parse:\n{e}", file.display());
            }
        }
    }
}

fn parses(nix: &Path, files: &[PathBuf]) -> Result<(), String> {
    let out = Command::new(nix).arg("--parse").args(files).output().map_err(|e| format!("cannot run {nix:?}: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

fn nix_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read the output directory") {
        let path = entry.expect("read a directory entry").path();
        if path.is_dir() {
            nix_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "nix") {
            out.push(path);
        }
    }
}

/// `nix-instantiate` on PATH, or `None` with a loud SKIPPED line; under `CI=true` a missing one
/// fails the test (the same gate as `fleet_tests::nix_instantiate`, which fleet-gen cannot use).
fn nix_instantiate() -> Option<PathBuf> {
    let found = std::env::var_os("PATH")
        .and_then(|path| std::env::split_paths(&path).map(|dir| dir.join("nix-instantiate")).find(|p| p.is_file()));
    if found.is_none() {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("nix-instantiate is required under CI=true; .ci/run installs nix-bin");
        }
        // The real stderr, not `eprintln!`, which the harness hides for a passing test.
        let _ = writeln!(
            std::io::stderr().lock(),
            "SKIPPED: nix-instantiate is not on PATH, so the 1,000-host synthetic repository was not parsed; \
             install nix-bin (apt-get install nix-bin) to run it"
        );
    }
    found
}
