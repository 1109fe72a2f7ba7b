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

/// Builds the imported crates in `crate_dirs` and runs each one's `generate --out
/// <crate>/generated`: the generated repositories' directories, in order.
///
/// Each crate's manifest is checked as it is (`cargo metadata --offline`: its path dependencies
/// and lock file resolve); its `src/main.rs` is compiled as a module of one harness binary that
/// depends on `fleet-dsl` and `fleet-gen` as this workspace's tests do, in this workspace's
/// target directory: one build and one link for every crate, reusing what `cargo test` built.
pub fn build_and_generate_all(crate_dirs: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    for dir in crate_dirs {
        let metadata = Command::new(&cargo)
            .args(["metadata", "--offline", "--format-version", "1", "--manifest-path"])
            .arg(dir.join("Cargo.toml"))
            .output()
            .map_err(|e| format!("cannot run cargo: {e}"))?;
        if !metadata.status.success() {
            return Err(format!(
                "the imported crate's manifest {} does not resolve:\n{}",
                dir.join("Cargo.toml").display(),
                String::from_utf8_lossy(&metadata.stderr)
            ));
        }
    }
    let harness = tempfile::tempdir().map_err(|e| e.to_string())?;
    let workspace = workspace_dir().canonicalize().map_err(|e| e.to_string())?;
    // A name per set of crates (by their directory names, stable from run to run): tests
    // building harnesses at the same time must not replace each other's binary in the shared
    // target directory, and a later run rebuilds the same one.
    let name = {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        crate_dirs.iter().map(|d| d.file_name()).collect::<Vec<_>>().hash(&mut h);
        format!("fleet-import-harness-{:016x}", h.finish())
    };
    let manifest = format!(
        "[package]\nname = \"{name}\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n\
         [dependencies]\nfleet-dsl = {{ path = {:?} }}\nfleet-gen = {{ path = {:?}, features = [\"synthetic\"] }}\n\n\
         {}\n[workspace]\n",
        workspace.join("fleet-dsl").display().to_string(),
        workspace.join("fleet-gen").display().to_string(),
        workspace_profiles(&workspace)?,
    );
    let mut main = String::from("//! Every imported fleet, chosen by the first argument.\n\n");
    let mut arms = String::new();
    for (i, dir) in crate_dirs.iter().enumerate() {
        let file = dir.join("src/main.rs").canonicalize().map_err(|e| format!("{}: {e}", dir.display()))?;
        main.push_str(&format!(
            "#[allow(dead_code, unused_imports)]\n#[path = {:?}]\nmod fleet{i};\n",
            file.display().to_string()
        ));
        arms.push_str(&format!(
            "        \"{i}\" => fleet_gen::cli::run(&fleet{i}::fleet().into_data(), args, &mut out, &mut err),\n"
        ));
    }
    main.push_str(&format!(
        "\nfn main() -> std::process::ExitCode {{\n    let mut args: Vec<std::ffi::OsString> = std::env::args_os().skip(1).collect();\n    \
         let which = args.remove(0).into_string().unwrap_or_default();\n    \
         let (mut out, mut err) = (std::io::stdout(), std::io::stderr());\n    \
         match which.as_str() {{\n{arms}        _ => std::process::ExitCode::from(2),\n    }}\n}}\n"
    ));
    std::fs::create_dir_all(harness.path().join("src")).map_err(|e| e.to_string())?;
    std::fs::write(harness.path().join("Cargo.toml"), manifest).map_err(|e| e.to_string())?;
    std::fs::write(harness.path().join("src/main.rs"), main).map_err(|e| e.to_string())?;
    std::fs::copy(workspace.join("Cargo.lock"), harness.path().join("Cargo.lock")).map_err(|e| e.to_string())?;
    let target = std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| workspace.join("target"));
    let build = Command::new(&cargo)
        .args(["build", "--offline", "--quiet", "--manifest-path"])
        .arg(harness.path().join("Cargo.toml"))
        .env("CARGO_TARGET_DIR", &target)
        .output()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !build.status.success() {
        return Err(format!("building the imported crates failed:\n{}", String::from_utf8_lossy(&build.stderr)));
    }
    let binary = target.join("debug").join(&name);
    let mut generated = Vec::new();
    for (i, dir) in crate_dirs.iter().enumerate() {
        let out = dir.join("generated");
        let run = Command::new(&binary)
            .arg(i.to_string())
            .args(["fleet", "generate", "--out"])
            .arg(&out)
            .current_dir(dir)
            .output()
            .map_err(|e| format!("cannot run the harness: {e}"))?;
        if !run.status.success() {
            return Err(format!("`generate` of {} failed:\n{}", dir.display(), String::from_utf8_lossy(&run.stderr)));
        }
        generated.push(out);
    }
    Ok(generated)
}

/// The workspace's `[profile.*]` tables, as TOML: a harness built with the same profiles
/// reuses the workspace's compiled crates instead of building them again.
fn workspace_profiles(workspace: &Path) -> Result<String, String> {
    let text = std::fs::read_to_string(workspace.join("Cargo.toml")).map_err(|e| e.to_string())?;
    let manifest: toml::Table = text.parse().map_err(|e| format!("the workspace Cargo.toml: {e}"))?;
    let mut profiles = toml::Table::new();
    if let Some(p) = manifest.get("profile") {
        profiles.insert("profile".into(), p.clone());
    }
    toml::to_string(&profiles).map_err(|e| e.to_string())
}

/// [`build_and_generate_all`] for one crate.
pub fn build_and_generate(crate_dir: &Path) -> Result<PathBuf, String> {
    let mut all = build_and_generate_all(&[crate_dir.to_owned()])?;
    all.pop().ok_or_else(|| "nothing generated".to_owned())
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

/// Round trip of fleets this project generates: each repository is rendered and written, then
/// checked by [`round_trip_dirs`]. Returns, per fleet, the paths whose bytes differ (or exist
/// on one side only), each with a unified diff; empty when the round trip is exact.
pub fn round_trip_all(fleets: &[&fleet_dsl::FleetData]) -> Result<Vec<Vec<String>>, String> {
    let originals = fleets
        .iter()
        .map(|fleet| {
            let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
            let tree = crate::render(fleet, dir.path());
            crate::write_tree(&tree, dir.path()).map_err(|e| e.to_string())?;
            Ok(dir)
        })
        .collect::<Result<Vec<_>, String>>()?;
    let dirs: Vec<PathBuf> = originals.iter().map(|d| d.path().to_owned()).collect();
    round_trip_dirs(&dirs)
}

/// Round trip of one repository this project generated, in `original` (see [`round_trip_dirs`]).
pub fn round_trip_dir(original: &Path) -> Result<Vec<String>, String> {
    round_trip_dirs(&[original.to_owned()])?.pop().ok_or_else(|| "no result".to_owned())
}

/// Round trip of repositories this project generated: each imported into a crate, the crates
/// built and their `generate` run into fresh directories, every file compared (the writer's own
/// `.fleet-gen/` state aside). Returns, per repository, what differs, empty when nothing does.
pub fn round_trip_dirs(originals: &[PathBuf]) -> Result<Vec<Vec<String>>, String> {
    let krates = tempfile::tempdir().map_err(|e| e.to_string())?;
    let mut dirs = Vec::new();
    for (i, original) in originals.iter().enumerate() {
        let imported = fleet_gen::import::import(original, &workspace_dir()).map_err(|e| e.to_string())?;
        let dir = krates.path().join(format!("fleet{i}"));
        fleet_gen::import::write(&imported, &dir).map_err(|e| e.to_string())?;
        dirs.push(dir);
    }
    let generated = build_and_generate_all(&dirs)?;
    let files = |root: &Path| -> Vec<String> {
        walk(root)
            .iter()
            .map(|p| p.strip_prefix(root).unwrap_or(p).display().to_string())
            .filter(|rel| !rel.starts_with(".fleet-gen/"))
            .collect()
    };
    let mut all = Vec::new();
    for (original, generated) in originals.iter().zip(&generated) {
        let (want, got) = (files(original), files(generated));
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
            got.iter()
                .filter(|rel| !want.contains(rel))
                .map(|rel| format!("{rel}: generated by the imported fleet only")),
        );
        all.push(differ);
    }
    if std::env::var_os("FLEET_KEEP_ROUND_TRIP").is_some() {
        let _ = krates.keep();
    }
    Ok(all)
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
