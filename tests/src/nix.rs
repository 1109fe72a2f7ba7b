//! Real Nix: finding `nix-instantiate` and the upstream sources, parsing and evaluating, the
//! stub-`lib` harness (`tests/nix/stub-harness.nix`) and the real module-system harness
//! (`tests/nix/eval-hosts.nix`).

use crate::*;
use fleet_gen::tree::Tree;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Whether the tests run under CI (`CI=true`), where the real-Nix checks are mandatory.
pub fn under_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true")
}

/// The `nix-instantiate` on `PATH`, for the real-Nix checks.
///
/// When it is missing: under `CI=true` this panics (CI must run the checks); otherwise it
/// prints a loud `SKIPPED` line and returns `None`, and the calling test returns early.
pub fn nix_instantiate() -> Option<PathBuf> {
    let found = std::env::var_os("PATH")
        .and_then(|path| std::env::split_paths(&path).map(|dir| dir.join("nix-instantiate")).find(|p| p.is_file()));
    if found.is_none() {
        if under_ci() {
            panic!("nix-instantiate is required under CI=true; .ci/run installs nix-bin");
        }
        // Written to the real stderr, not with `eprintln!`, which the test harness captures and
        // hides for a passing test: a skipped check must be seen.
        let _ = writeln!(
            std::io::stderr().lock(),
            "SKIPPED: nix-instantiate is not on PATH, so the real-Nix checks did not run; \
             install nix-bin (apt-get install nix-bin) to run them"
        );
    }
    found
}

/// `nix-instantiate --parse FILE`: `Err` with Nix's message when the file does not parse.
pub fn nix_parse(nix: &Path, file: &Path) -> Result<(), String> {
    let out = Command::new(nix).arg("--parse").arg(file).output().map_err(|e| format!("cannot run {nix:?}: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

/// `nix-instantiate --parse FILE…` in one run: `Err` with Nix's message (naming the file) when
/// one does not parse.
pub fn nix_parse_all(nix: &Path, files: &[PathBuf]) -> Result<(), String> {
    let out = Command::new(nix).arg("--parse").args(files).output().map_err(|e| format!("cannot run {nix:?}: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

/// A Nix expression evaluating the sanitized modules at `paths` with the stub harness, as a
/// list in their order: [`eval_file_expr`] for many files in one evaluation.
pub fn eval_files_expr(paths: &[&str]) -> String {
    let items: Vec<String> = paths.iter().map(|p| format!("(h.sanitize (h.load ./{p}))")).collect();
    format!("let h = import ./{HARNESS_FILE}; in [ {} ]", items.join(" "))
}

/// `nix-instantiate --eval --strict --json -E EXPR`, run in `dir` (so `./x` in `expr` is
/// `dir/x`): the JSON text, or `Err` with Nix's message.
pub fn nix_eval_json(nix: &Path, dir: &Path, expr: &str) -> Result<String, String> {
    let out = Command::new(nix)
        .args(["--eval", "--strict", "--json", "--readonly-mode", "-E", expr])
        .current_dir(dir)
        .output()
        .map_err(|e| format!("cannot run {nix:?}: {e}"))?;
    if out.status.success() {
        String::from_utf8(out.stdout).map_err(|e| format!("output is not UTF-8: {e}"))
    } else {
        Err(format!("nix-instantiate failed on `{expr}`:\n{}", String::from_utf8_lossy(&out.stderr)))
    }
}

/// File name of [`HARNESS`] in a written tree (no generated file has it).
pub const HARNESS_FILE: &str = "fleet-test-harness.nix";

/// A Nix file that loads generated modules without nixpkgs: `load FILE` imports a file and,
/// when it is a function (a module), calls it with a stub `lib` (`mkDefault`, `mkOption`,
/// `mkMerge` are the identity, `mkIf` drops its condition, `lib.types.*` are plain
/// descriptions), stub `config` (`networking.hostName` is `"stub-host"`; `sops.secrets.<name>.path`
/// is `/run/secrets/<name>` for the names [`HARNESS_SECRETS_FILE`] lists, when it exists; every
/// option the tree's `modules/options/*.nix` declare, at its default or a placeholder of its
/// type, for the hand-written modules that read them), `pkgs`
/// flake `inputs` (sops-nix's modules are strings, a nixpkgs imports to a string) and the
/// flake's `self` (its `nixosConfigurations` from `parts/hosts.nix`); `sanitize` makes a value JSON-safe
/// (functions become `"<lambda>"`, paths `"<path:...>"`, never copied to the store).
/// The text is `tests/nix/stub-harness.nix`.
pub const HARNESS: &str = include_str!("../nix/stub-harness.nix");

/// A Nix expression (for [`nix_eval_json`] in a written tree) evaluating the sanitized module
/// at `path` (relative to the tree; generated paths are plain path literals).
pub fn eval_file_expr(path: &str) -> String {
    format!("let h = import ./{HARNESS_FILE}; in h.sanitize (h.load ./{path})")
}

/// File name (beside [`HARNESS_FILE`]) of the Nix list of secret names the stub `config` of
/// [`HARNESS`] provides as `config.sops.secrets.<name>`.
pub const HARNESS_SECRETS_FILE: &str = "fleet-test-secrets.nix";

/// File name (beside [`HARNESS_FILE`]) of the stub nixpkgs that `import inputs.nixpkgs {...}`
/// loads in [`HARNESS`].
pub const HARNESS_NIXPKGS_FILE: &str = "fleet-test-nixpkgs.nix";

/// File name (beside [`HARNESS_FILE`]) of the package names the stub `pkgs` of [`HARNESS`]
/// knows: `tests/nix/package-names.nix`, shared with the real module-system harness.
pub const HARNESS_PACKAGES_FILE: &str = "fleet-test-package-names.nix";

/// The names of the secrets that Nix `texts` read as `config.sops.secrets.<name>.path`, each
/// once, sorted (a quoted name is unescaped).
pub fn referenced_secret_names<'a>(texts: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let re = regex::Regex::new(r#"config\.sops\.secrets\.(?:"((?:[^"\\]|\\.)*)"|([A-Za-z_][A-Za-z0-9_'-]*))\.path"#)
        .unwrap_or_else(|e| panic!("bad regex: {e}"));
    let mut names: Vec<String> = Vec::new();
    for text in texts {
        for c in re.captures_iter(text) {
            let name = match (c.get(1), c.get(2)) {
                (Some(quoted), _) => quoted.as_str().replace("\\\"", "\"").replace("\\\\", "\\"),
                (None, Some(plain)) => plain.as_str().to_owned(),
                (None, None) => continue,
            };
            if !names.contains(&name) {
                names.push(name);
            }
        }
    }
    names.sort();
    names
}

/// Writes [`HARNESS`] into `dir`, with its stub nixpkgs ([`HARNESS_NIXPKGS_FILE`]) and a
/// [`HARNESS_SECRETS_FILE`] listing every secret the
/// `.nix` files of `tree` read through `config.sops.secrets.<name>.path`.
pub fn write_harness(tree: &Tree, dir: &Path) -> std::io::Result<()> {
    std::fs::write(dir.join(HARNESS_FILE), HARNESS)?;
    std::fs::write(dir.join(HARNESS_PACKAGES_FILE), include_str!("../nix/package-names.nix"))?;
    std::fs::write(dir.join(HARNESS_NIXPKGS_FILE), "# A stub nixpkgs.\n{...}: \"<nixpkgs>\"\n")?;
    let names = referenced_secret_names(nix_files(tree).into_iter().map(|(_, text)| text));
    let list: Vec<String> = names.iter().map(|n| fleet_gen::nix::escape::string(n)).collect();
    std::fs::write(dir.join(HARNESS_SECRETS_FILE), format!("[{}]\n", list.join(" ")))
}

/// The directory of the Nix harness that evaluates generated hosts with the real module
/// system (`tests/nix/`, entry point `eval-hosts.nix`).
pub fn harness_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("nix")
}

/// Where the upstream Nix sources (nixpkgs' `lib`, sops-nix, home-manager, ...) are expected:
/// `shared/nix-sources` beside the workspace (`<workspace>/../shared/nix-sources`).
pub fn nix_sources_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/nix-sources")
}

/// The upstream Nix sources ([`nix_sources_dir`]), for the module-system checks.
///
/// When they are missing: under `CI=true` this panics (CI must run the checks); otherwise it
/// prints a loud `SKIPPED` line and returns `None`, and the calling test returns early.
pub fn nix_sources() -> Option<PathBuf> {
    nix_sources_in(&nix_sources_dir())
}

/// [`nix_sources`] for the sources expected in `dir`: `Some(dir)` when they are there, else a
/// loud `SKIPPED` line and `None`, or a panic under `CI=true`.
pub fn nix_sources_in(dir: &Path) -> Option<PathBuf> {
    if dir.join("nixpkgs-lib/lib/default.nix").is_file() {
        return Some(dir.to_owned());
    }
    if under_ci() {
        panic!("../shared/nix-sources is required under CI=true (looked for {})", dir.display());
    }
    // The real stderr, as in `nix_instantiate`: a skipped check must be seen.
    let _ = writeln!(
        std::io::stderr().lock(),
        "SKIPPED: ../shared/nix-sources not found (looked for {}), so the module-system checks did not run",
        dir.display()
    );
    None
}

/// `nix-instantiate` when both it and the upstream Nix sources are there (see
/// [`nix_instantiate`] and [`nix_sources`]: each skips loudly, or panics under `CI=true`).
pub fn module_system() -> Option<PathBuf> {
    let nix = nix_instantiate()?;
    nix_sources()?;
    Some(nix)
}

/// Splits a dotted option path into its segments: `a."b.c".d` is `["a", "b.c", "d"]` (a quoted
/// segment as [`quote_segment`] writes it, `\"` and `\\` unescaped).
pub fn option_path(dotted: &str) -> Vec<String> {
    let mut segments = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    let mut chars = dotted.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => quoted = !quoted,
            '\\' if quoted => current.extend(chars.next()),
            '.' if !quoted => segments.push(std::mem::take(&mut current)),
            c => current.push(c),
        }
    }
    segments.push(current);
    segments
}

/// Evaluates every host of a generated repository written to `dir` with the real nixpkgs
/// module system ([`eval_hosts_with`] without extra paths).
pub fn eval_hosts(nix: &Path, dir: &Path) -> Result<serde_json::Value, String> {
    eval_hosts_with(nix, dir, &[])
}

/// Evaluates every host of a generated repository written to `dir` with the real nixpkgs
/// module system: one `nix-instantiate --eval --strict --json` of `tests/nix/eval-hosts.nix`,
/// which imports the repository's `parts/hosts.nix` with flake inputs whose `nixosSystem` /
/// `darwinSystem` call `lib.evalModules` with NixOS options declared as nixpkgs declares them
/// (the rest freeform), the real declarations of all of nix-darwin's modules, the real sops-nix
/// modules, home-manager's real option declarations, the real disko module for disk layouts,
/// and a fake `pkgs` (see `tests/nix/README.md`).
///
/// Returns `{ <host>: { "class": "nixos"|"darwin", "config": {...}, "paths": {...},
/// "assertions": [failed messages], "warnings": [...] } }`. `config` holds
/// `networking.hostName`, `system.stateVersion`, `nixpkgs.hostPlatform` (the system string),
/// `time.timeZone`, `environment.systemPackages` (package names), `environment.shells`,
/// `users.users.<name>` (name, description, home, shell (package name or path), sshKeys,
/// packages; on NixOS also isNormalUser, isSystemUser, extraGroups, group, hashedPasswordFile,
/// uid), `sops.secrets.<name>` (name, key, path, format, mode, owner, group, neededForUsers,
/// restartUnits, reloadUnits (NixOS), uid/gid, sopsFile relative to the repository),
/// `sops.defaultSopsFile`, `sops.age.{keyFile,sshKeyPaths}`,
/// `home-manager.{useGlobalPkgs,useUserPackages}`, `home-manager.users.<name>` (every option the
/// home's modules define, plus `home.{stateVersion,username,homeDirectory,packages}`), and
/// whatever is defined of `hostSpec`, `fleet`
/// and `modules`; on NixOS also `networking.firewall.{enable,allowedTCPPorts,allowedUDPPorts}`,
/// `boot.{kernelModules,kernelParams,initrd.{availableKernelModules,kernelModules}}`,
/// `fonts.packages`, and for a host with a disk layout `disko.devices` as the real disko
/// module evaluates it (with its defaults); on nix-darwin `system.primaryUser`. `paths` maps each of `paths` (dotted,
/// split by [`option_path`]) that the host defines to its value (derivations become their
/// names, paths strings relative to the repository). `Err` holds the module system's message.
pub fn eval_hosts_with(nix: &Path, dir: &Path, paths: &[&str]) -> Result<serde_json::Value, String> {
    eval_hosts_with_packages(nix, dir, paths, &[])
}

/// [`eval_hosts_with`], with more package names in the fake `pkgs` (`tests/nix/pkgs.nix`
/// lists the usual ones): for modules that name a package it lacks (`pkgs.<name>`).
pub fn eval_hosts_with_packages(
    nix: &Path,
    dir: &Path,
    paths: &[&str],
    packages: &[&str],
) -> Result<serde_json::Value, String> {
    let sources = nix_sources_dir();
    if !sources.is_dir() {
        return Err(format!("the upstream Nix sources are missing: {}", sources.display()));
    }
    let sources = sources.canonicalize().map_err(|e| format!("{}: {e}", sources.display()))?;
    let dir = dir.canonicalize().map_err(|e| format!("{}: {e}", dir.display()))?;
    let requested: Vec<serde_json::Value> =
        paths.iter().map(|p| serde_json::json!({"name": p, "path": option_path(p)})).collect();
    let out = Command::new(nix)
        .args(["--eval", "--strict", "--json", "--readonly-mode"])
        .arg(harness_dir().join("eval-hosts.nix"))
        .arg("--argstr")
        .arg("nixSources")
        .arg(&sources)
        .arg("--argstr")
        .arg("repo")
        .arg(&dir)
        .args(["--argstr", "pathsJson", &serde_json::Value::Array(requested).to_string()])
        .args(["--argstr", "packagesJson", &serde_json::json!(packages).to_string()])
        .current_dir(&dir)
        .env("FLEET_TEST_NIX_SOURCES", &sources)
        .output()
        .map_err(|e| format!("cannot run {nix:?}: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "evaluating the hosts of {} failed:\n{}",
            dir.display(),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let text = String::from_utf8(out.stdout).map_err(|e| format!("output is not UTF-8: {e}"))?;
    serde_json::from_str(&text).map_err(|e| format!("{e}: {text}"))
}
