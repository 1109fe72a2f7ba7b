//! Helpers of the `import` tests: the hand-written fixture repositories under
//! `tests/fixtures/import/`, importing one into a temporary crate, building that crate and
//! running its `generate`, and the part of an evaluated host an import must keep.

use serde_json::{json, Map, Value};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The hand-written repositories the import tests read, by name (`tests/fixtures/import/<name>`).
pub const IMPORT_FIXTURES: [&str; 3] = ["homelab", "rolespec", "dotfiles"];

/// The directory of an import fixture.
pub fn import_fixture_dir(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/import").join(name)
}

/// The workspace root (where the imported crates find `fleet-dsl` and `fleet-gen`).
pub fn workspace_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Imports the fixture `name` into a new temporary directory: the directory (the crate) and
/// what the import returned.
pub fn import_fixture(name: &str) -> Result<(tempfile::TempDir, fleet_gen::import::Imported), String> {
    let imported =
        fleet_gen::import::import(&import_fixture_dir(name), &workspace_dir()).map_err(|e| format!("{name}: {e}"))?;
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let out = dir.path().join(name);
    fleet_gen::import::write(&imported, &out).map_err(|e| format!("{name}: {e}"))?;
    Ok((dir, imported))
}

/// Where imported crates are built: `<target>/import-fleets`, shared by every test run (warm
/// after the first), apart from the directory cargo is building the tests in.
pub fn import_target_dir() -> PathBuf {
    let target =
        std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| workspace_dir().join("target"));
    target.join("import-fleets")
}

/// Builds the crate in `crate_dir` (offline, with the lock file the import wrote) and runs its
/// `generate --out <crate_dir>/generated`: the generated repository's directory.
pub fn build_and_generate(crate_dir: &Path) -> Result<PathBuf, String> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let target = import_target_dir();
    let build = Command::new(&cargo)
        .args(["build", "--offline", "--quiet", "--manifest-path"])
        .arg(crate_dir.join("Cargo.toml"))
        .env("CARGO_TARGET_DIR", &target)
        .output()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !build.status.success() {
        return Err(format!(
            "building the imported crate {} failed:\n{}",
            crate_dir.display(),
            String::from_utf8_lossy(&build.stderr)
        ));
    }
    let name = package_name(crate_dir)?;
    let out = crate_dir.join("generated");
    let run = Command::new(target.join("debug").join(&name))
        .arg("generate")
        .arg("--out")
        .arg(&out)
        .current_dir(crate_dir)
        .output()
        .map_err(|e| format!("cannot run {name}: {e}"))?;
    if !run.status.success() {
        return Err(format!("`{name} generate` failed:\n{}", String::from_utf8_lossy(&run.stderr)));
    }
    Ok(out)
}

fn package_name(crate_dir: &Path) -> Result<String, String> {
    let text = std::fs::read_to_string(crate_dir.join("Cargo.toml")).map_err(|e| e.to_string())?;
    text.lines()
        .find_map(|l| l.strip_prefix("name = ").map(|n| n.trim_matches('"').to_owned()))
        .ok_or_else(|| "Cargo.toml has no package name".into())
}

/// Option paths the comparison asks the harness for besides what it reports anyway.
pub const IMPORT_PATHS: [&str; 1] = ["users.groups"];

fn sorted_strings(v: &Value) -> Value {
    let mut items: Vec<String> = v
        .as_array()
        .map(|a| a.iter().map(|i| i.as_str().map_or_else(|| i.to_string(), str::to_owned)).collect())
        .unwrap_or_default();
    items.sort();
    items.dedup();
    json!(items)
}

/// What an import must keep of one evaluated host (see `fleet_tests::eval_hosts_with`):
/// `networking.hostName`, `system.stateVersion`, its users (normal ones on NixOS, every one on
/// nix-darwin: description, groups, shell, ssh keys, password file), its groups, its `hostSpec`
/// values, its sops secret declarations, its system packages (names, sorted, once each), and
/// each home's state version and packages.
pub fn host_essentials(host: &Value) -> Value {
    let c = &host["config"];
    let class = host["class"].as_str().unwrap_or_default();
    let mut users = Map::new();
    if let Some(all) = c["users"]["users"].as_object() {
        for (name, u) in all {
            let normal = u["isNormalUser"].as_bool().unwrap_or(class == "darwin");
            if !normal {
                continue;
            }
            users.insert(
                name.clone(),
                json!({
                    "description": u["description"],
                    "groups": sorted_strings(&u["extraGroups"]),
                    "shell": u["shell"],
                    "sshKeys": u["sshKeys"],
                    "hashedPasswordFile": u["hashedPasswordFile"],
                }),
            );
        }
    }
    let groups: Vec<&String> =
        host["paths"]["users.groups"].as_object().map(|g| g.keys().collect()).unwrap_or_default();
    let mut homes = Map::new();
    if let Some(all) = c["home-manager"]["users"].as_object() {
        for (name, h) in all {
            homes.insert(
                name.clone(),
                json!({"stateVersion": h["home"]["stateVersion"], "packages": sorted_strings(&h["home"]["packages"])}),
            );
        }
    }
    json!({
        "hostName": c["networking"]["hostName"],
        "stateVersion": c["system"]["stateVersion"],
        "users": users,
        "groups": groups,
        "hostSpec": c["hostSpec"],
        "secrets": c["sops"]["secrets"],
        "packages": sorted_strings(&c["environment"]["systemPackages"]),
        "homes": homes,
    })
}

/// `rustfmt`, to check the imported `src/main.rs` is formatted. When it is missing: under
/// `CI=true` this panics; otherwise it prints a loud `SKIPPED` line and returns `None`.
pub fn rustfmt() -> Option<PathBuf> {
    let found = Command::new("rustfmt").arg("--version").output().is_ok_and(|o| o.status.success());
    if found {
        return Some(PathBuf::from("rustfmt"));
    }
    if crate::under_ci() {
        panic!("rustfmt is required under CI=true (rustup component add rustfmt)");
    }
    let _ = writeln!(
        std::io::stderr().lock(),
        "SKIPPED: rustfmt is not on PATH, so the imported main.rs was not format-checked"
    );
    None
}

/// Round trip of a fleet this project generates: its repository is rendered and written, then
/// checked by [`round_trip_dir`]. Returns the paths whose bytes differ (or exist on one side
/// only), each with a unified diff; empty when the round trip is exact.
pub fn round_trip(fleet: &fleet_dsl::FleetData) -> Result<Vec<String>, String> {
    let original = tempfile::tempdir().map_err(|e| e.to_string())?;
    let tree = crate::render(fleet, original.path());
    crate::write_tree(&tree, original.path()).map_err(|e| e.to_string())?;
    round_trip_dir(original.path())
}

/// Round trip of a repository this project generated, in `original`: imported into a crate,
/// the crate built and its `generate` run into a fresh directory, every file compared (the
/// writer's own `.fleet-gen/` state aside). Returns what differs, empty when nothing does.
pub fn round_trip_dir(original: &Path) -> Result<Vec<String>, String> {
    let imported = fleet_gen::import::import(original, &workspace_dir()).map_err(|e| e.to_string())?;
    let krate = tempfile::tempdir().map_err(|e| e.to_string())?;
    let dir = krate.path().join("fleet");
    fleet_gen::import::write(&imported, &dir).map_err(|e| e.to_string())?;
    let generated = build_and_generate(&dir)?;
    let files = |root: &Path| -> Vec<String> {
        walk(root)
            .iter()
            .map(|p| p.strip_prefix(root).unwrap_or(p).display().to_string())
            .filter(|rel| !rel.starts_with(".fleet-gen/"))
            .collect()
    };
    let (want, got) = (files(original), files(&generated));
    let mut differ = Vec::new();
    for rel in &want {
        let before = std::fs::read_to_string(original.join(rel)).map_err(|e| format!("{rel}: {e}"))?;
        match std::fs::read_to_string(generated.join(rel)) {
            Ok(after) if after == before => {}
            Ok(after) => differ.push(crate::unified_diff(rel, &before, &after)),
            Err(_) => differ.push(format!("{rel}: not generated by the imported fleet")),
        }
    }
    differ.extend(
        got.iter().filter(|rel| !want.contains(rel)).map(|rel| format!("{rel}: generated by the imported fleet only")),
    );
    if std::env::var_os("FLEET_KEEP_ROUND_TRIP").is_some() {
        let _ = krate.keep();
    }
    Ok(differ)
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(walk(&p));
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}
