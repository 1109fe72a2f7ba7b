//! `import`: turns an existing hand-written flake into a fleet crate.
//!
//! The flake is read statically (rnix; no evaluation, no network): [`flake`] follows
//! `nixosConfigurations` / `darwinConfigurations` to their `nixosSystem` / `darwinSystem` calls
//! (directly, through local builder functions, or in flake-parts parts) with a small lazy
//! evaluator ([`eval`]); [`modules`] reads each module's imports and definitions; [`model`]
//! turns modules several hosts import into profiles, `users.users` into users,
//! `options.hostSpec` into a typed spec ([`spec`]), `sops.secrets` and `.sops.yaml` ([`sops`])
//! into secret sets and keys, colmena's `deployment` into `Deploy`; [`emit`] writes the Rust.
//! What it cannot map is kept as a hand-written module the host or profile still imports, and
//! listed in the [`Report`] with its `file:line`.

pub mod emit;
pub mod error;
pub mod eval;
pub mod flake;
pub mod literal;
pub mod model;
pub mod modules;
pub mod sops;
pub mod spec;

pub use error::ImportError;

use model::{Method, Model};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// The files of an imported fleet crate (paths relative to the crate), and the report.
#[derive(Debug)]
pub struct Imported {
    /// Files to write, in order.
    pub files: Vec<(PathBuf, String)>,
    /// What was imported and what was not.
    pub report: Report,
}

/// What an import mapped, what it kept, and what it could not map.
#[derive(Debug, Default, Clone)]
pub struct Report {
    /// The text, for the terminal and `IMPORT.md`.
    pub text: String,
}

impl std::fmt::Display for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

/// Reads the flake repository at `src` and returns the fleet crate's files. The crate depends on
/// this workspace's `fleet-dsl` and `fleet-gen` at `workspace` (path dependencies).
pub fn import(src: &Path, workspace: &Path) -> Result<Imported, ImportError> {
    // The evaluator recurses through the user's expressions: a thread with a deep stack, so a
    // deeply nested flake is given up on by the evaluator's own limits, never by a crash.
    let (src, workspace) = (src.to_owned(), workspace.to_owned());
    let worker = std::thread::Builder::new()
        .name("fleet-import".into())
        .stack_size(256 << 20)
        .spawn(move || import_here(&src, &workspace))
        .map_err(|source| ImportError::Read { path: PathBuf::from("."), source })?;
    worker.join().unwrap_or(Err(ImportError::Crashed))
}

fn import_here(src: &Path, workspace: &Path) -> Result<Imported, ImportError> {
    let root = src.canonicalize().map_err(|source| ImportError::Read { path: src.to_owned(), source })?;
    let ev = eval::Eval::default();
    let flake = flake::read(&ev, &root)?;
    let sops_file = [root.join(".sops.yaml"), root.join("secrets/.sops.yaml")].into_iter().find(|p| p.is_file());
    let sops = match &sops_file {
        Some(p) => {
            let text = std::fs::read_to_string(p).map_err(|source| ImportError::Read { path: p.clone(), source })?;
            Some(sops::parse(&model::rel_of(&root, p), &text)?)
        }
        None => None,
    };
    let model = model::build(&ev, &root, flake, sops)?;
    let shown = src.display().to_string();
    let mut files: Vec<(PathBuf, String)> = Vec::new();
    files.push(("Cargo.toml".into(), cargo_toml(&model.name, workspace)));
    files.push(("src/main.rs".into(), emit::main_rs(&model, &shown)));
    files.push(("rustfmt.toml".into(), "max_width = 120\nuse_small_heuristics = \"Max\"\n".into()));
    // The workspace's lock file: the crate builds with the versions this generator was tested with.
    if let Ok(lock) = std::fs::read_to_string(workspace.join("Cargo.lock")) {
        files.push(("Cargo.lock".into(), lock));
    }
    let mut seen: Vec<PathBuf> = Vec::new();
    let mut push = |files: &mut Vec<(PathBuf, String)>, path: PathBuf, text: String| {
        if !seen.contains(&path) {
            seen.push(path.clone());
            files.push((path, text));
        }
    };
    for p in &model.profiles {
        for k in &p.modules {
            push(&mut files, PathBuf::from(format!("modules/{}.nix", k.path)), k.text.clone());
        }
    }
    for h in &model.hosts {
        for k in &h.modules {
            push(&mut files, PathBuf::from(format!("modules/{}.nix", k.path)), k.text.clone());
        }
        for (_, mods) in &h.homes {
            for k in mods {
                push(&mut files, PathBuf::from(format!("home/modules/{}.nix", k.path)), k.text.clone());
            }
        }
        if let Some((_, text)) = &h.hardware {
            push(
                &mut files,
                PathBuf::from(format!("generated/hosts/{}/hardware-configuration.nix", h.name)),
                text.clone(),
            );
        }
    }
    for u in &model.users {
        for k in u.home.iter().flatten() {
            push(&mut files, PathBuf::from(format!("home/modules/{}.nix", k.path)), k.text.clone());
        }
    }
    for rel in &model.secret_files {
        let from = root.join(rel);
        if let Ok(text) = std::fs::read_to_string(&from) {
            push(&mut files, PathBuf::from(format!("generated/{rel}")), text);
        }
    }
    let report = report(&model, &shown, &files);
    files.push(("IMPORT.md".into(), format!("# Import report\n\n```\n{}```\n", report.text)));
    Ok(Imported { files, report })
}

/// Writes the crate into `out`, which must not exist or be empty.
pub fn write(imported: &Imported, out: &Path) -> Result<(), ImportError> {
    if out.exists() {
        let empty = std::fs::read_dir(out).map(|mut d| d.next().is_none()).unwrap_or(false);
        if !empty {
            return Err(ImportError::OutNotEmpty { path: out.to_owned() });
        }
    }
    for (rel, text) in &imported.files {
        let path = out.join(rel);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|source| ImportError::Write { path: dir.to_owned(), source })?;
        }
        std::fs::write(&path, text).map_err(|source| ImportError::Write { path: path.clone(), source })?;
    }
    Ok(())
}

fn cargo_toml(name: &str, workspace: &Path) -> String {
    let dsl = workspace.join("fleet-dsl");
    let gen = workspace.join("fleet-gen");
    format!(
        "[package]\nname = {name:?}\ndescription = \"A fleet imported by `fleet import`; edit src/main.rs and run `cargo run -- generate`.\"\nversion = \"0.1.0\"\nedition = \"2021\"\npublish = false\n\n[profile.dev]\ndebug = \"line-tables-only\"\n\n[dependencies]\nfleet-dsl = {{ path = {:?} }}\nfleet-gen = {{ path = {:?} }}\n\n# Its own workspace, wherever it is written.\n[workspace]\n",
        dsl.display().to_string(),
        gen.display().to_string()
    )
}

fn report(m: &Model, source: &str, files: &[(PathBuf, String)]) -> Report {
    let mut t = String::new();
    let _ = writeln!(t, "Imported {source} as fleet `{}`.", m.name);
    let _ = writeln!(t, "hosts ({}):", m.hosts.len());
    for h in &m.hosts {
        let profiles: Vec<&str> = h.profiles.iter().map(|p| m.profiles[*p].name.as_str()).collect();
        let _ = writeln!(
            t,
            "  {} ({}, {}, {}){}",
            h.name,
            h.os.label(),
            h.system.as_str(),
            h.channel.as_str(),
            if profiles.is_empty() { String::new() } else { format!(": {}", profiles.join(", ")) }
        );
    }
    let _ = writeln!(t, "profiles ({}):", m.profiles.iter().filter(|p| !p.dissolved).count());
    for p in m.profiles.iter().filter(|p| !p.dissolved) {
        let target = match p.target {
            Some(os) => os.label(),
            None => "NixOS and nix-darwin",
        };
        let from = if p.from.is_empty() { "users declared in hosts' files".to_owned() } else { p.from.clone() };
        let _ = writeln!(t, "  {} ({target}) from {from}", p.name);
    }
    for p in m.profiles.iter().filter(|p| p.dissolved) {
        let _ =
            writeln!(t, "  ({} from {}: nothing left after mapping; its importers import its imports)", p.name, p.from);
    }
    let _ = writeln!(t, "users ({}):", m.users.len());
    for u in &m.users {
        let locs: Vec<String> = u.locs.iter().map(ToString::to_string).collect();
        let home = if u.home.is_some() { ", with home-manager" } else { "" };
        let _ = writeln!(t, "  {}{home}: declared at {}", u.name, locs.join(", "));
    }
    let spec_values: usize = m.hosts.iter().map(|h| h.spec.len()).sum();
    let secrets: usize = m.secret_sets.iter().map(|s| s.secrets.len()).sum();
    let deploys = m.hosts.iter().filter(|h| h.deploy.is_some()).count();
    let states = m.hosts.iter().filter(|h| h.state_version.is_some()).count();
    let _ = writeln!(
        t,
        "typed values: {} hostSpec option{} and {spec_values} host value{}, {secrets} secret{} in {} set{}, {} admin key{}, {} host age key{}, {deploys} deployment{}, {states} state version{}",
        m.spec.as_ref().map_or(0, |s| s.fields.len()),
        plural(m.spec.as_ref().map_or(0, |s| s.fields.len())),
        plural(spec_values),
        plural(secrets),
        m.secret_sets.len(),
        plural(m.secret_sets.len()),
        m.admins.len(),
        plural(m.admins.len()),
        m.hosts.iter().filter(|h| h.age_key.is_some()).count(),
        plural(m.hosts.iter().filter(|h| h.age_key.is_some()).count()),
        plural(deploys),
        plural(states),
    );
    let settings = m.hosts.iter().flat_map(|h| &h.settings).chain(m.profiles.iter().flat_map(|p| &p.settings));
    let (mut set, mut default, mut add) = (0, 0, 0);
    for s in settings {
        match s.method {
            Method::Set => set += 1,
            Method::Default => default += 1,
            Method::Add => add += 1,
        }
    }
    let _ = writeln!(t, "untyped values: {} (.set {set}, .default {default}, .add {add})", set + default + add);
    let kept: Vec<&(PathBuf, String)> = files
        .iter()
        .filter(|(p, _)| p.starts_with("modules") || p.starts_with("home") || p.starts_with("generated"))
        .collect();
    let _ = writeln!(t, "kept files ({}):", kept.len());
    for (p, text) in kept {
        let from = text
            .lines()
            .next()
            .and_then(|l| l.strip_prefix("# Kept by `fleet import` from "))
            .map(|s| s.trim_end_matches('.').to_owned());
        match from {
            Some(f) => {
                let _ = writeln!(t, "  {} <- {f}", p.display());
            }
            None => {
                let _ = writeln!(t, "  {} (copied as it is)", p.display());
            }
        }
    }
    let _ = writeln!(t, "not mapped, kept as written or left out ({}):", m.unmapped.len());
    for (loc, what) in &m.unmapped {
        let _ = writeln!(t, "  {loc}: {what}");
    }
    let _ = writeln!(t, "notes ({}):", m.notes.len());
    for (loc, what) in &m.notes {
        let _ = writeln!(t, "  {loc}: {what}");
    }
    Report { text: t }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// The workspace this generator was built from: where imported crates find `fleet-dsl` and
/// `fleet-gen`.
pub fn workspace_dir() -> PathBuf {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    here.parent().map(Path::to_owned).unwrap_or_else(|| here.to_owned())
}
