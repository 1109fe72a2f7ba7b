//! Cross-crate tests of fleet, and the helpers and fixture fleets they share.
//!
//! The fixtures ([`hostile_fleet`], [`minimal_nixos_fleet`], [`darwin_unstable_fleet`]) all
//! validate; the helpers find and run the real `nix-instantiate` ([`nix_instantiate`],
//! [`nix_eval_json`], [`nix_parse`]) and evaluate generated modules against a stub `lib`
//! ([`HARNESS`]).

use fleet_dsl::prelude::*;
use fleet_dsl::{FleetData, NoSpec};
use fleet_gen::tree::Tree;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Strings that break naive escaping: each is placed, unchanged, in every position of the
/// [`hostile_fleet`] where user text reaches a `.nix` file.
pub const HOSTILE: [&str; 17] = [
    "double \" quote",
    "back\\slash",
    "${x} interpolation",
    "$${ dollar-dollar-brace",
    "two '' single quotes",
    "indented ''${ escape",
    "new\nline",
    "carriage\rreturn",
    "crlf\r\nline",
    "tab\tstop",
    "unicode ünï ✓ 🚀",
    "hash # mark",
    "comment */ end",
    "open /* comment",
    "dollar at end $",
    "cr then code\r} injected = true; {",
    "trailing backslash \\",
];

/// Attribute names that must be quoted (or are identifiers only just), used as keys next to
/// [`HOSTILE`] ones.
pub const ODD_NAMES: [&str; 8] = ["", "in", "or", "1password", "a.b", "-dash", "x-y'", "true"];

/// The renamed host-spec option of [`HostileSpec::weird`] (must equal its `rename` literal).
pub const WEIRD_OPTION: &str = "we\"ird ${x} ''${ \\ key";

/// The Nix name of [`Mood::Weird`] (must equal its `rename` literal).
pub const WEIRD_VARIANT: &str = "mo\"od ${x} \\ ''${ ✓";

/// A profile description that, if a carriage return ended its `#` comment, would turn the
/// profile's attribute set into `{ injected = true; } // {...}`: still valid Nix, silently
/// changed. The [`hostile_fleet`] profile `injection` has it, and only a user (so no `lib`).
pub const INJECTION: &str = "harmless-looking\r{ injected = true; } //";

/// A default value holding every kind of hostile text (see [`HostileSpec::fallback`]).
pub const HOSTILE_DEFAULT: &str = "default \" \\ ${x} $${ '' ''${ \n \r \t ünï ✓ 🚀 # */ end\\";

/// A mood, to put a hostile name into `lib.types.enum`.
#[derive(NixEnum, Clone, Copy, Debug, PartialEq)]
pub enum Mood {
    /// Strange.
    #[nix(rename = "mo\"od ${x} \\ ''${ ✓")]
    Weird,
    /// Ordinary.
    Plain,
}

/// Host spec of the hostile fleet: "quoted", back\slash, ${x}, $${, '' and ''${, # and */.
///
/// A second paragraph after a blank line.
#[derive(HostSpec, Clone, Debug)]
pub struct HostileSpec {
    #[doc = "Note with \"quotes\", back\\slash, ${x}, $${y}, '' and ''${z}, tab\there, ünï ✓ 🚀, # and */ end\\"]
    #[spec(default)]
    pub note: String,
    /// Notes: every hostile string.
    #[spec(default)]
    pub notes: Vec<String>,
    /// An option whose name needs quoting.
    #[spec(rename = "we\"ird ${x} ''${ \\ key")]
    pub weird: String,
    /// A string default holding every hostile kind of text.
    #[spec(default = HOSTILE_DEFAULT)]
    pub fallback: String,
    /// A mood, one variant of which has a hostile name.
    #[spec(default = Mood::Plain)]
    pub mood: Mood,
    /// Hostile keys to hostile values.
    #[spec(default)]
    pub table: BTreeMap<String, String>,
}

/// Typed options of the hostile fleet: "quoted", back\slash, ${x}, # and */.
#[derive(NixOptions, Clone, Debug)]
#[options(path = "fleetTest.typed")]
pub struct Typed {
    #[doc = "Text with \"quotes\", back\\slash, ${x}, $${y}, '' and ''${z}, ünï ✓ 🚀, # and */ end\\"]
    pub text: String,
    /// Every hostile string.
    pub texts: Vec<String>,
    /// Hostile keys to hostile values.
    pub table: BTreeMap<String, String>,
    /// A hostile default.
    #[spec(default = HOSTILE_DEFAULT)]
    pub fallback: String,
}

/// Options whose only purpose is their hostile struct description, which becomes a `#`
/// comment at the top of `modules/options/fleetTest-comments.nix`.
#[doc = "Hostile comment: \" \\ ${x} $${ '' ''${ \t ünï ✓ 🚀 # */ /* end\\"]
#[doc = "cr then code\r} injected = true; {"]
#[derive(NixOptions, Clone, Debug)]
#[options(path = "fleetTest.comments")]
pub struct CommentOptions {
    /// Whether it is on.
    #[spec(default = false)]
    pub enable: bool,
}

/// Every hostile string, each followed by a newline: one string holding all of them.
pub fn hostile_joined() -> String {
    HOSTILE.iter().map(|s| format!("{s}\n")).collect()
}

/// `s` as one quoted segment of a dotted option path (`"..."`, with `"` and `\` escaped).
pub fn quote_segment(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        if matches!(c, '"' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

/// The names used as attribute names in the hostile fleet: [`HOSTILE`] and [`ODD_NAMES`].
pub fn hostile_names() -> Vec<&'static str> {
    HOSTILE.iter().chain(ODD_NAMES.iter()).copied().collect()
}

/// Name of the [`hostile_fleet`] user whose description is `HOSTILE[i]`.
pub fn hostile_user(i: usize) -> String {
    format!("hostile{i}")
}

/// Name of the [`hostile_fleet`] profile whose description is `HOSTILE[i]`.
pub fn comment_profile(i: usize) -> String {
    format!("comment-{i}")
}

/// The one option the [`comment_profile`] `i` sets (to `i`): `fleetTest.comment<i>`.
pub fn comment_option(i: usize) -> String {
    format!("comment{i}")
}

fn hostile_map() -> BTreeMap<String, String> {
    HOSTILE.iter().map(|s| ((*s).to_owned(), (*s).to_owned())).collect()
}

fn hostile_list() -> Vec<String> {
    HOSTILE.iter().map(|s| (*s).to_owned()).collect()
}

/// Hostile text in every position where user text reaches a `.nix` file:
///
/// - host `hostile`: every spec field set (`hostSpec = {...}`); `fleetTest.named.<name> =
///   <name>` for every [`hostile_names`] name; `fleetTest.list` (all of [`HOSTILE`]);
///   `fleetTest.attrs` (each hostile string mapped to itself);
/// - host `hostile-two`: only the renamed spec option set (`hostSpec."<name>" = ...`);
/// - profile `values`: the same values as the host under `fleetTest.defaults`, the typed
///   [`Typed`] options, the users;
/// - profiles [`comment_profile`]`(i)`: description `HOSTILE[i]` (a `#` comment), one value;
///   profile `injection`: description [`INJECTION`], one user;
/// - users [`hostile_user`]`(i)`: description `HOSTILE[i]`; user `everything`: every hostile
///   string as an extra group and as an ssh key;
/// - doc comments (option descriptions and file comments) of [`HostileSpec`], [`Typed`],
///   [`CommentOptions`], and the hostile enum value and option name.
pub fn hostile_fleet() -> FleetData {
    let everything = User::new("everything").description(hostile_joined()).groups(HOSTILE).shell(Shell::Zsh);
    let everything = HOSTILE.iter().fold(everything, |u, key| u.ssh_key(*key));
    let mut values = Profile::nixos("values")
        .description("Values: every hostile string, under lib.mkDefault.")
        .user(&everything)
        .module(Module::new("hostile/scaffold").scaffold("{...}: {}\n"))
        .options(Typed { text: hostile_joined(), texts: hostile_list(), table: hostile_map(), fallback: "x".into() })
        .options(CommentOptions { enable: true })
        .default("fleetTest.defaults.list", HOSTILE)
        .default("fleetTest.defaults.attrs", hostile_map());
    for (i, _) in HOSTILE.iter().enumerate() {
        let user = User::new(hostile_user(i)).description(HOSTILE[i]);
        values = values.user(&user);
    }
    for name in hostile_names() {
        values = values.default(&format!("fleetTest.defaults.named.{}", quote_segment(name)), name);
    }

    let mut host = Host::nixos("hostile", System::X86_64Linux)
        .profile(&values)
        .spec(HostileSpec {
            note: hostile_joined(),
            notes: hostile_list(),
            weird: hostile_joined(),
            fallback: hostile_joined(),
            mood: Mood::Weird,
            table: hostile_map(),
        })
        .set("fleetTest.list", HOSTILE)
        .set("fleetTest.attrs", hostile_map());
    for name in hostile_names() {
        host = host.set(&format!("fleetTest.named.{}", quote_segment(name)), name);
    }
    for (i, text) in HOSTILE.iter().enumerate() {
        let profile = Profile::nixos(comment_profile(i))
            .description(*text)
            .default(&format!("fleetTest.{}", comment_option(i)), u32::try_from(i).unwrap_or(u32::MAX));
        host = host.profile(&profile);
    }

    let injection = Profile::nixos("injection").description(INJECTION).user(&everything);
    host = host.profile(&injection);

    Fleet::<HostileSpec>::new("hostile")
        .host(host)
        .host(Host::nixos("hostile-two", System::Aarch64Linux).spec(HostileSpec {
            note: String::new(),
            notes: Vec::new(),
            weird: hostile_joined(),
            fallback: HOSTILE_DEFAULT.to_owned(),
            mood: Mood::Plain,
            table: BTreeMap::new(),
        }))
        .into_data()
}

/// A NixOS-only fleet without host spec, users or Macs: host `bare` has no profile and sets
/// nothing (its module is a plain attribute set), host `web` has a profile without description.
pub fn minimal_nixos_fleet() -> FleetData {
    let base = Profile::nixos("base").default("services.openssh.enable", true);
    Fleet::<NoSpec>::new("minimal")
        .host(Host::nixos("bare", System::X86_64Linux))
        .host(
            Host::nixos("web", System::Aarch64Linux)
                .profile(&base)
                .set("networking.firewall.allowedTCPPorts", vec![80, 443]),
        )
        .into_data()
}

/// Host spec of the [`darwin_unstable_fleet`].
#[derive(HostSpec, Clone, Debug)]
pub struct MacSpec {
    /// Who owns the Mac.
    pub owner: String,
    /// Whether it is a laptop.
    #[spec(default = false)]
    pub laptop: bool,
}

/// A nix-darwin-only fleet on the unstable channel: a Mac with a user (so `users-darwin.nix`
/// and `system.primaryUser`) and one without any profile.
pub fn darwin_unstable_fleet() -> FleetData {
    let me = User::new("me").description("Me \"myself\"").shell(Shell::Fish).ssh_key("ssh-ed25519 AAAA me@mac");
    let mac = Profile::darwin("mac")
        .description("Macs: Touch ID for sudo.")
        .user(&me)
        .default("security.pam.services.sudo_local.touchIdAuth", true);
    Fleet::<MacSpec>::new("macs")
        .host(
            Host::darwin("air", System::Aarch64Darwin)
                .channel(Channel::Unstable)
                .profile(&mac)
                .spec(MacSpec { owner: "me".into(), laptop: true })
                .set("system.defaults.dock.autohide", true),
        )
        .host(
            Host::darwin("mini", System::X86_64Darwin)
                .channel(Channel::Unstable)
                .spec(MacSpec { owner: "nobody".into(), laptop: false })
                .state_version(5),
        )
        .into_data()
}

/// Every fixture fleet with its name.
pub fn fixtures() -> Vec<(&'static str, FleetData)> {
    vec![("hostile", hostile_fleet()), ("minimal", minimal_nixos_fleet()), ("darwin", darwin_unstable_fleet())]
}

/// Renders `fleet` in memory (`out_dir` is only read; pass an empty directory), panicking
/// with the problems when it does not validate.
pub fn render(fleet: &FleetData, out_dir: &Path) -> Tree {
    match fleet_gen::generate(fleet, out_dir) {
        Ok(tree) => tree,
        Err(problems) => panic!("fixture fleet `{}` does not validate:\n{problems}", fleet.name),
    }
}

/// The `.nix` files of a tree: (relative path, text).
pub fn nix_files(tree: &Tree) -> Vec<(&str, &str)> {
    tree.files.iter().filter(|(p, _)| p.ends_with(".nix")).map(|(p, f)| (p.as_str(), f.text.as_str())).collect()
}

/// Writes every file of `tree` below `dir`.
pub fn write_tree(tree: &Tree, dir: &Path) -> std::io::Result<()> {
    for (path, file) in &tree.files {
        let target = dir.join(path);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(target, &file.text)?;
    }
    Ok(())
}

/// A unified diff of `before` (what fleet-gen wrote) against `after` (what alejandra made).
pub fn unified_diff(path: &str, before: &str, after: &str) -> String {
    similar::TextDiff::from_lines(before, after)
        .unified_diff()
        .context_radius(3)
        .header(&format!("{path} (fleet-gen)"), &format!("{path} (alejandra)"))
        .to_string()
}

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
/// descriptions), stub `config`, `pkgs` and flake `inputs`; `sanitize` makes a value JSON-safe
/// (functions become `"<lambda>"`, paths `"<path:...>"`, never copied to the store).
pub const HARNESS: &str = r#"let
  types = {
    bool = "bool";
    str = "str";
    int = "int";
    port = "port";
    path = "path";
    ints = {
      s8 = "s8";
      s16 = "s16";
      s32 = "s32";
      u8 = "u8";
      u16 = "u16";
      u32 = "u32";
      unsigned = "unsigned";
    };
    nullOr = t: {nullOr = t;};
    listOf = t: {listOf = t;};
    attrsOf = t: {attrsOf = t;};
    enum = values: {enum = values;};
    submodule = m: {submodule = m;};
  };
  lib = {
    inherit types;
    mkDefault = x: x;
    mkOption = x: x;
    mkIf = condition: x: x;
    mkMerge = x: x;
    elem = builtins.elem;
  };
  system = {
    lib = {
      nixosSystem = x: x;
      darwinSystem = x: x;
    };
  };
  args = {
    inherit lib;
    config = {
      fleet.users = [];
      hostSpec = {};
    };
    pkgs = {
      zsh = "<pkgs.zsh>";
      fish = "<pkgs.fish>";
      bashInteractive = "<pkgs.bashInteractive>";
      alejandra = "<pkgs.alejandra>";
    };
    inputs = {
      nixpkgs = system;
      nixpkgs-unstable = system;
      nixpkgs-darwin = system;
      nix-darwin = system;
      nix-darwin-unstable = system;
    };
  };
  sanitize = v: let
    t = builtins.typeOf v;
  in
    if t == "set"
    then builtins.mapAttrs (_: sanitize) v
    else if t == "list"
    then map sanitize v
    else if t == "lambda"
    then "<lambda>"
    else if t == "path"
    then "<path:" + toString v + ">"
    else v;
  load = file: let
    f = import file;
  in
    if builtins.isFunction f
    then f args
    else f;
in {
  inherit lib load sanitize;
}
"#;

/// A Nix expression (for [`nix_eval_json`] in a written tree) evaluating the sanitized module
/// at `path` (relative to the tree; generated paths are plain path literals).
pub fn eval_file_expr(path: &str) -> String {
    format!("let h = import ./{HARNESS_FILE}; in h.sanitize (h.load ./{path})")
}
