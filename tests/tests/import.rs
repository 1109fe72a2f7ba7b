//! `import`: hand-written flake repositories shaped like the seeds (`tests/fixtures/import/`)
//! import without error into fleet crates that build, whose `generate` succeeds, and whose hosts
//! evaluate (real module system) to what the original hosts evaluate to: host names, state
//! versions, users and groups, `hostSpec` values, secret declarations, packages, homes.
#![allow(clippy::unwrap_used)]

use fleet_tests::{
    build_and_generate_all, eval_hosts_with, host_essentials, import_fixture, import_fixture_dir, module_system,
    IMPORT_FIXTURES, IMPORT_PATHS,
};

/// The report, with the machine's path of the fixtures left out.
fn report_text(name: &str, report: &str) -> String {
    report.replace(&import_fixture_dir(name).display().to_string(), &format!("tests/fixtures/import/{name}"))
}

#[test]
fn import_main_rs_and_report_snapshots() {
    for name in IMPORT_FIXTURES {
        let (_dir, imported) = import_fixture(name).unwrap_or_else(|e| panic!("{e}"));
        let main = imported.files.iter().find(|(p, _)| p.as_os_str() == "src/main.rs").unwrap();
        let report = report_text(name, &imported.report.text);
        insta::assert_snapshot!(format!("{name}_main_rs"), report_text(name, &main.1));
        insta::assert_snapshot!(format!("{name}_report"), report);
    }
}

/// Every fixture: the crate builds, `generate` writes a repository, and every host evaluates as
/// the hand-written host does.
#[test]
fn imported_hosts_evaluate_like_the_originals() {
    let nix = module_system();
    let imports: Vec<_> =
        IMPORT_FIXTURES.iter().map(|name| import_fixture(name).unwrap_or_else(|e| panic!("{e}"))).collect();
    let dirs: Vec<_> = imports.iter().zip(IMPORT_FIXTURES).map(|((dir, _), name)| dir.path().join(name)).collect();
    let generated = build_and_generate_all(&dirs).unwrap_or_else(|e| panic!("{e}"));
    let Some(nix) = &nix else { return };
    for (name, generated) in IMPORT_FIXTURES.iter().zip(&generated) {
        let original = eval_hosts_with(nix, &import_fixture_dir(name), &IMPORT_PATHS).unwrap_or_else(|e| panic!("{e}"));
        let imported = eval_hosts_with(nix, generated, &IMPORT_PATHS).unwrap_or_else(|e| panic!("{e}"));
        let original = original.as_object().unwrap();
        let imported = imported.as_object().unwrap();
        let names: Vec<&String> = original.keys().collect();
        assert_eq!(names, imported.keys().collect::<Vec<_>>(), "{name}: the same hosts");
        for (host, want) in original {
            let want = host_essentials(want);
            let got = host_essentials(&imported[host]);
            assert_eq!(
                serde_json::to_string_pretty(&got).unwrap(),
                serde_json::to_string_pretty(&want).unwrap(),
                "{name}: host `{host}` differs from the original"
            );
            assert_eq!(imported[host]["assertions"], serde_json::json!([]), "{name}/{host}");
        }
    }
}

/// The generated `src/main.rs` is already formatted: `rustfmt --check` (with the crate's
/// rustfmt.toml) changes nothing.
#[test]
fn imported_main_rs_is_rustfmt_clean() {
    let Some(rustfmt) = fleet_tests::rustfmt() else { return };
    for name in IMPORT_FIXTURES {
        let (dir, _) = import_fixture(name).unwrap_or_else(|e| panic!("{e}"));
        let krate = dir.path().join(name);
        let out = std::process::Command::new(&rustfmt)
            .args(["--edition", "2021", "--check", "src/main.rs"])
            .current_dir(&krate)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{name}: rustfmt would change src/main.rs:\n{}",
            String::from_utf8_lossy(&out.stdout)
        );
    }
}

/// Importing what is not a flake, or a flake whose hosts the importer cannot find, is an error
/// naming the file and what to do, and writes nothing.
#[test]
fn import_errors_name_the_file_and_the_fix() {
    let dir = tempfile::tempdir().unwrap();
    let err = fleet_gen::import::import(dir.path(), &fleet_tests::import_fixture_dir("..")).unwrap_err().to_string();
    assert!(err.contains("has no flake.nix") && err.contains("give `import` the directory"), "{err}");
    std::fs::write(dir.path().join("flake.nix"), "{ outputs = { self, ... }: { packages = {}; }; }").unwrap();
    let err = fleet_gen::import::import(dir.path(), dir.path()).unwrap_err().to_string();
    assert!(err.starts_with("flake.nix: no `nixosConfigurations.<host>`"), "{err}");
    std::fs::write(dir.path().join("flake.nix"), "{ outputs = { self, ... }: {").unwrap();
    let err = fleet_gen::import::import(dir.path(), dir.path()).unwrap_err().to_string();
    assert!(err.starts_with("flake.nix:1: not valid Nix"), "{err}");
    std::fs::write(
        dir.path().join("flake.nix"),
        "{ inputs.nixpkgs.url = \"github:NixOS/nixpkgs/nixos-25.05\";\n  outputs = { nixpkgs, ... }: {\n    nixosConfigurations.a = nixpkgs.lib.nixosSystem { modules = [ ./missing.nix ]; };\n  };\n}\n",
    )
    .unwrap();
    let err = fleet_gen::import::import(dir.path(), dir.path()).unwrap_err().to_string();
    assert!(err.contains("missing.nix, which does not exist"), "{err}");
    // Functions that never return and values that refer to themselves are given up, not followed.
    std::fs::write(
        dir.path().join("flake.nix"),
        "{ inputs.nixpkgs.url = \"github:NixOS/nixpkgs/nixos-25.05\";\n  outputs = { self, nixpkgs }: let f = x: f x; a = a; in {\n  nixosConfigurations = { one = f 1; two = a; three = nixpkgs.lib.nixosSystem { modules = [ (rec { b = b; }) ]; }; };\n}; }",
    )
    .unwrap();
    let imported = fleet_gen::import::import(dir.path(), dir.path()).unwrap();
    let report = imported.report.text;
    assert!(report.contains("hosts (1):\n  three ("), "{report}");
    assert!(report.contains("host `one`") && report.contains("host `two`"), "{report}");
    // An output directory with files in it is refused before anything is written.
    let (_tmp, imported) = import_fixture("homelab").unwrap();
    let err = fleet_gen::import::write(&imported, dir.path()).unwrap_err().to_string();
    assert!(err.contains("exists and is not empty"), "{err}");
    assert!(!dir.path().join("Cargo.toml").exists());
}

/// `import` on the command line: the report on stdout, exit code 0; a second run into the same
/// directory is refused with exit code 1.
#[test]
fn import_command_prints_the_report() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("fleet");
    let src = import_fixture_dir("dotfiles");
    let args = ["fleet", "import", src.to_str().unwrap(), "--out", out.to_str().unwrap()];
    let (code, stdout, stderr) = fleet_tests::run_cli(&fleet_tests::minimal_nixos_fleet(), &args);
    assert_eq!(code, std::process::ExitCode::SUCCESS, "{stderr}");
    assert!(stdout.contains("hosts (4):") && stdout.contains("not mapped, kept as written or left out ("), "{stdout}");
    assert!(out.join("src/main.rs").is_file() && out.join("IMPORT.md").is_file());
    let (code, _, stderr) = fleet_tests::run_cli(&fleet_tests::minimal_nixos_fleet(), &args);
    assert_eq!(code, std::process::ExitCode::from(1), "{stderr}");
    assert!(stderr.contains("is not empty"), "{stderr}");
}

/// Round trip: the repository this project generates for every fixture fleet, imported, gives
/// a fleet whose `generate` reproduces every file byte for byte (and no other file).
#[test]
fn generated_repositories_round_trip_byte_for_byte() {
    let fixtures = fleet_tests::fixtures();
    let fleets: Vec<_> = fixtures.iter().map(|(_, fleet)| fleet).collect();
    let results = fleet_tests::round_trip_all(&fleets).unwrap_or_else(|e| panic!("{e}"));
    for ((name, _), differ) in fixtures.iter().zip(results) {
        assert!(differ.is_empty(), "{name}: {} file(s) differ:\n{}", differ.len(), differ.join("\n"));
    }
}

/// A host built without `system = …` takes its system from its hardware configuration's
/// `nixpkgs.hostPlatform` (as nixos-generate-config writes it, under `lib.mkDefault`).
#[test]
fn the_system_comes_from_the_hardware_configuration() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("hosts/pi")).unwrap();
    std::fs::write(
        dir.path().join("flake.nix"),
        "{\n  inputs.nixpkgs.url = \"github:NixOS/nixpkgs/nixos-25.05\";\n  outputs = {nixpkgs, ...}: {\n    nixosConfigurations.pi = nixpkgs.lib.nixosSystem {modules = [./hosts/pi];};\n  };\n}\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("hosts/pi/default.nix"),
        "{\n  imports = [./hardware-configuration.nix];\n  networking.hostName = \"pi\";\n}\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("hosts/pi/hardware-configuration.nix"),
        "{lib, ...}: {\n  nixpkgs.hostPlatform = lib.mkDefault \"aarch64-linux\";\n}\n",
    )
    .unwrap();
    let imported = fleet_gen::import::import(dir.path(), dir.path()).unwrap();
    assert!(imported.report.text.contains("  pi (NixOS, aarch64-linux, stable)"), "{}", imported.report.text);
    let main = &imported.files.iter().find(|(p, _)| p.as_os_str() == "src/main.rs").unwrap().1;
    assert!(main.contains("Host::nixos(\"pi\", System::Aarch64Linux)"), "{main}");
    let hardware =
        imported.files.iter().find(|(p, _)| p.as_os_str() == "generated/hosts/pi/hardware-configuration.nix");
    assert!(hardware.is_some_and(|(_, text)| text.contains("aarch64-linux")));
}
