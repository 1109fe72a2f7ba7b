//! The example fleet's binary end to end: the whole generated tree, byte-stability, `--check`,
//! user-owned files, exit codes.
#![allow(clippy::unwrap_used)]

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, SystemTime};

fn fleet(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_example-fleet")).args(args).current_dir(cwd).output().unwrap()
}

fn generate(out: &Path, extra: &[&str]) -> Output {
    let mut args = vec!["generate", "--out", out.to_str().unwrap()];
    args.extend_from_slice(extra);
    fleet(&args, out.parent().unwrap())
}

fn files(dir: &Path) -> Vec<PathBuf> {
    fleet_tests::files_under(dir)
}

fn rel(dir: &Path, path: &Path) -> String {
    path.strip_prefix(dir).unwrap().to_string_lossy().replace('\\', "/")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A fresh output directory inside a temporary directory (so its parent is writable).
fn out_dir() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    (tmp, out)
}

#[test]
fn whole_generated_tree() {
    let (_tmp, out) = out_dir();
    let o = generate(&out, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let all = files(&out);
    let mut text = String::from("files:\n");
    for f in &all {
        text.push_str(&format!("  {}\n", rel(&out, f)));
    }
    for f in &all {
        text.push_str(&format!("\n=== {}\n{}", rel(&out, f), fs::read_to_string(f).unwrap()));
    }
    insta::assert_snapshot!("example_fleet_tree", text);
}

#[test]
fn second_run_writes_nothing() {
    let (_tmp, out) = out_dir();
    assert!(generate(&out, &[]).status.success());
    // Age every file, so a rewrite of the same bytes would show as a new mtime.
    let old = SystemTime::now() - Duration::from_secs(3600);
    for f in files(&out) {
        fs::File::options().write(true).open(&f).unwrap().set_modified(old).unwrap();
    }
    let before: Vec<_> = files(&out).iter().map(|f| (f.clone(), fs::read(f).unwrap())).collect();
    let o = generate(&out, &[]);
    assert!(o.status.success());
    assert!(stderr(&o).contains("up to date"), "{}", stderr(&o));
    let after: Vec<_> = files(&out).iter().map(|f| (f.clone(), fs::read(f).unwrap())).collect();
    assert_eq!(before, after);
    for f in files(&out) {
        assert_eq!(fs::metadata(&f).unwrap().modified().unwrap(), old, "{} was rewritten", f.display());
    }
}

#[test]
fn check_passes_fresh_and_fails_after_a_hand_edit() {
    let (_tmp, out) = out_dir();
    let o = generate(&out, &["--check"]);
    assert_eq!(o.status.code(), Some(1), "a missing output is stale");
    assert!(!out.exists(), "--check wrote something");

    assert!(generate(&out, &[]).status.success());
    let o = generate(&out, &["--check"]);
    assert!(o.status.success(), "{}", stderr(&o));

    let host = out.join("hosts/server/default.nix");
    let edited = fs::read_to_string(&host).unwrap().replace("\"server\"", "\"renamed\"");
    fs::write(&host, &edited).unwrap();
    let o = generate(&out, &["--check"]);
    assert_eq!(o.status.code(), Some(1));
    let diff = String::from_utf8_lossy(&o.stdout);
    assert!(diff.contains("--- a/hosts/server/default.nix"), "{diff}");
    assert!(diff.contains("-  networking.hostName = \"renamed\";"), "{diff}");
    assert!(diff.contains("+  networking.hostName = \"server\";"), "{diff}");
    assert!(stderr(&o).contains("stale"), "{}", stderr(&o));
    assert_eq!(fs::read_to_string(&host).unwrap(), edited, "--check must not write");

    assert!(generate(&out, &[]).status.success());
    assert!(generate(&out, &["--check"]).status.success());
}

#[test]
fn user_owned_files_survive_regeneration() {
    let (_tmp, out) = out_dir();
    assert!(generate(&out, &[]).status.success());
    let owned = [
        ("hosts/desktop/hardware-configuration.nix", "{ fileSystems.\"/\".device = \"/dev/nvme0n1p2\"; }\n"),
        ("modules/desktop/gnome.nix", "{ ... }: { }\n"),
        ("flake.lock", "{ \"version\": 7 }\n"),
    ];
    for (path, text) in owned {
        fs::write(out.join(path), text).unwrap();
    }
    assert!(generate(&out, &[]).status.success());
    assert!(generate(&out, &["--check"]).status.success(), "user-owned files are not compared");
    for (path, text) in owned {
        assert_eq!(fs::read_to_string(out.join(path)).unwrap(), text, "{path} was touched");
    }
}

#[test]
fn refuses_to_overwrite_a_file_without_the_header() {
    let (_tmp, out) = out_dir();
    fs::create_dir_all(out.join("parts")).unwrap();
    fs::write(out.join("parts/hosts.nix"), "# mine\n{}\n").unwrap();
    let o = generate(&out, &[]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("parts/hosts.nix exists and was not written by fleet-gen"), "{}", stderr(&o));
    assert_eq!(files(&out).len(), 1, "nothing else may be written");
    assert_eq!(fs::read_to_string(out.join("parts/hosts.nix")).unwrap(), "# mine\n{}\n");
}

#[test]
fn default_output_directory_is_generated() {
    let tmp = tempfile::tempdir().unwrap();
    let o = fleet(&["generate"], tmp.path());
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(tmp.path().join("generated/flake.nix").is_file());
}

#[test]
fn usage_errors_exit_2() {
    let tmp = tempfile::tempdir().unwrap();
    for args in [&["generate", "--bogus"][..], &["frobnicate"], &[]] {
        let o = fleet(args, tmp.path());
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
    }
    assert_eq!(fs::read_dir(tmp.path()).unwrap().count(), 0);
}

#[test]
fn seed_success_metrics_hold() {
    let (_tmp, out) = out_dir();
    assert!(generate(&out, &[]).status.success());
    let mut user_declarations = Vec::new();
    for f in files(&out) {
        let path = rel(&out, &f);
        let text = fs::read_to_string(&f).unwrap();
        assert!(!text.contains("mkForce"), "{path} uses mkForce");
        if path.starts_with("hosts/") && path.ends_with("/default.nix") {
            assert!(text.lines().count() < 100, "{path} has {} lines", text.lines().count());
        }
        if text.contains("users.users.") {
            user_declarations.push(path);
        }
    }
    assert_eq!(
        user_declarations,
        ["modules/users-darwin.nix", "modules/users.nix"],
        "users declared once per platform"
    );
}
