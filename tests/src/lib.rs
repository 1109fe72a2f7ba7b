//! Cross-crate tests of fleet, and the helpers and fixture fleets they share.
//!
//! The fixtures ([`hostile_fleet`], [`minimal_nixos_fleet`], [`darwin_unstable_fleet`]) all
//! validate; the helpers find and run the real `nix-instantiate` ([`nix_instantiate`],
//! [`nix_eval_json`], [`nix_parse`]), evaluate generated modules against a stub `lib`
//! ([`HARNESS`]), and evaluate whole hosts with the real nixpkgs module system
//! ([`eval_hosts`], the Nix files of `tests/nix/`, with the upstream sources of
//! [`nix_sources`]).

mod cli;
pub use cli::{assert_refused, generate_fresh, generate_into, run_cli};
mod escape;
mod import;
pub use import::{
    build_and_generate, host_essentials, import_fixture, import_fixture_dir, import_target_dir, round_trip,
    round_trip_dir, rustfmt, IMPORT_FIXTURES, IMPORT_PATHS,
};
mod flake;
pub use escape::escape_hatches;
pub mod lint;
mod seed_003;
pub use seed_003::{seed_003_fleet, Feature as Seed003Feature, TravelSecrets, UserSecrets, SEED_003_ESCAPE_HATCHES};
mod meaning;
mod seed_002;
pub use flake::{flake_fleet, FLAKE_BASE_MODULE};
mod seed_004;
mod typed_extras;
pub use meaning::{meaning_fleet, MEANING_PACKAGES, MEANING_SCRIPT};
pub use seed_002::{
    seed_002_fleet, Gitea, Ollama, Retroarch, Sunshine, Syncthing, Vllm, Wallabag, SEED_002_ESCAPE_HATCHES,
};
pub use seed_004::{
    seed_004_fleet, Base, BasePatch, Desktop, DesktopPatch, Mac, MacPatch, Role, Seed004Spec, Server, ServerKeys,
    ServerPatch, Session, Shared, SEED_004_ESCAPE_HATCHES, SEED_004_FLAKE, SEED_004_INVENTORY,
};
pub use typed_extras::{typed_extras_fleet, Common, Gnome, GnomePatch, Wifi};

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

/// `text` as a user description can hold it: /etc/passwd's GECOS field has no newline and no
/// colon (the fleet rejects them), so those become spaces; every other hostile byte stays.
pub fn passwd_safe(text: &str) -> String {
    text.replace(['\n', '\r', ':'], " ")
}

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

/// One ssh key line per hostile string that fits on a line, the string as the key's comment.
pub fn hostile_ssh_keys() -> Vec<String> {
    HOSTILE
        .iter()
        .filter(|s| !s.contains(['\n', '\r']))
        .map(|s| format!("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFleetTestsHostile {s}"))
        .collect()
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
///   string in the comment of an ssh key ([`hostile_ssh_keys`]; group names and keys are
///   validated, so hostile strings elsewhere in them are rejected, see tests/tests/bad_input.rs);
/// - doc comments (option descriptions and file comments) of [`HostileSpec`], [`Typed`],
///   [`CommentOptions`], and the hostile enum value and option name.
pub fn hostile_fleet() -> FleetData {
    let everything =
        User::new("everything").description(passwd_safe(&hostile_joined())).groups(["wheel"]).shell(Shell::Zsh);
    let everything = hostile_ssh_keys().into_iter().fold(everything, |u, key| u.ssh_key(key));
    let mut values = Profile::nixos("values")
        .description("Values: every hostile string, under lib.mkDefault.")
        .user(&everything)
        .module(Module::new("hostile/scaffold").scaffold("_: {}\n"))
        .options(Typed { text: hostile_joined(), texts: hostile_list(), table: hostile_map(), fallback: "x".into() })
        .options(CommentOptions { enable: true })
        .default("fleetTest.defaults.list", HOSTILE)
        .default("fleetTest.defaults.attrs", hostile_map());
    for (i, _) in HOSTILE.iter().enumerate() {
        let user = User::new(hostile_user(i)).description(passwd_safe(HOSTILE[i]));
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

/// Admins of the [`secrets_fleet`]: (name, age key).
pub const SECRETS_ADMINS: [(&str, &str); 2] = [
    ("alice", "age1dk6h2nx83hkghl5dph0j68s6tplnp7n65swu4crt6574fcztv4msukywz0"),
    ("bob", "age1h56g207uarn598q0l259gwujnpq7halp0uzsuhyun4f0e66ey36qh4df2e"),
];

/// Hosts of the [`secrets_fleet`] that have an age key: (name, age key). Host [`UNKEYED_HOST`]
/// has none.
pub const SECRETS_HOSTS: [(&str, &str); 4] = [
    ("alpha", "age1gmkp5g8ffy9gc567394w6ez3kve6gmrljnfd87rutxzu8pse256qu9teuc"),
    ("beta", "age1k4hn4ztxrrrlxj6js6fvevl6pkx7jlc6agnmkrz8vm0gfn94fs8sjn4xj4"),
    ("gamma", "age1nz3s0836dwxgstsxdfwhzjkdm28rr45y808vqtev2sf0cd0uc23syllax2"),
    ("mac", "age18q3xkrl8h0vptpmgpz2c36cuapen44ev3wycvpchtp7tr8d0qfpsyhwgnj"),
];

/// The NixOS host of the [`secrets_fleet`] without an age key and without secrets.
pub const UNKEYED_HOST: &str = "plain";

/// The hosts of the [`secrets_fleet`] that use the `media` profile, so read `secrets/media.yaml`.
pub const MEDIA_HOSTS: [&str; 2] = ["beta", "gamma"];

/// Secrets of every host of the [`secrets_fleet`] (through the `Any` profile `base`):
/// `secrets/common.yaml`.
#[derive(Secrets)]
#[secrets(scope = common)]
pub struct FleetShared {
    /// Hashed login password of `ops` (`mkpasswd -m yescrypt`).
    #[secret(needed_for_users)]
    pub user_password: Secret,
    /// Token for private flake inputs.
    #[secret(mode = "0440", group = "wheel")]
    pub nix_access_tokens: Secret,
}

/// Secrets of host `alpha` only: `secrets/alpha.yaml`. Its one secret sets every option.
#[derive(Secrets)]
#[secrets(scope = host)]
pub struct AlphaOnly {
    /// The database's root password: every sops-nix option set (owner and group stay `root`,
    /// which sops-nix requires of a `neededForUsers` secret).
    #[secret(
        key = "db/root-password",
        owner = "root",
        group = "root",
        mode = "0440",
        path = "/var/lib/db/root-password",
        format = yaml,
        needed_for_users,
        restart_units = ["postgresql.service", "pgbouncer.service"],
        reload_units = ["nginx.service"]
    )]
    pub db_root_password: Secret,
}

/// A host's own API token (`secrets/<host>.yaml`), on `beta`, `gamma` and `mac`, so every
/// keyed host of the [`secrets_fleet`] has a file of its own.
#[derive(Secrets)]
#[secrets(scope = host)]
pub struct OwnToken {
    /// The host's token for the monitoring API.
    #[secret(mode = "0400")]
    pub api_token: Secret,
}

/// Secrets of the media servers (the hosts of the `media` profile): `secrets/media.yaml`.
#[derive(Secrets)]
#[secrets(scope = group("media"))]
pub struct MediaSecrets {
    /// API key of the media server.
    #[secret(owner = "jellyfin", mode = "0400", restart_units = ["jellyfin.service"])]
    pub jellyfin_api_key: Secret,
    /// Credentials of the network share, under another key in the file.
    #[secret(rename = "smb-credentials", key = "smb")]
    pub share: Secret,
}

/// A fleet with secrets in every scope: NixOS hosts `alpha` (`base` and its own
/// [`AlphaOnly`]), `beta` and `gamma` (profile `media`, which builds on `base` and reads
/// [`MediaSecrets`]), the Mac `mac` (`base`), and [`UNKEYED_HOST`] without key, profile or
/// secret; admins [`SECRETS_ADMINS`]; the `Any` profile `base` reads [`FleetShared`] and has
/// the user `ops`, whose password is [`FleetShared::user_password`].
pub fn secrets_fleet() -> FleetData {
    let ops = User::new("ops")
        .description("Operator")
        .groups(["wheel"])
        .password_secret(FleetShared::user_password())
        .ssh_key("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFleetTestsOpsKey ops@fleet");
    let base = Profile::any("base")
        .description("Every host with secrets: the operator and the fleet-wide secrets.")
        .user(&ops)
        .secrets::<FleetShared>()
        .default("time.timeZone", "UTC");
    let media = Profile::nixos("media")
        .description("Media servers: they share secrets/media.yaml.")
        .import(&base)
        .secrets::<MediaSecrets>()
        .default("services.jellyfin.enable", true);
    let [alice, bob] = SECRETS_ADMINS;
    let [alpha, beta, gamma, mac] = SECRETS_HOSTS;
    Fleet::<NoSpec>::new("secrets")
        .admin(alice.0, age_key!("age1dk6h2nx83hkghl5dph0j68s6tplnp7n65swu4crt6574fcztv4msukywz0"))
        .admin(bob.0, age_key!("age1h56g207uarn598q0l259gwujnpq7halp0uzsuhyun4f0e66ey36qh4df2e"))
        .host(
            Host::nixos(alpha.0, System::X86_64Linux)
                .profile(&base)
                .secrets::<AlphaOnly>()
                .age_key(age_key!("age1gmkp5g8ffy9gc567394w6ez3kve6gmrljnfd87rutxzu8pse256qu9teuc")),
        )
        .host(
            Host::nixos(beta.0, System::X86_64Linux)
                .profile(&media)
                .secrets::<OwnToken>()
                .age_key(age_key!("age1k4hn4ztxrrrlxj6js6fvevl6pkx7jlc6agnmkrz8vm0gfn94fs8sjn4xj4")),
        )
        .host(
            Host::nixos(gamma.0, System::Aarch64Linux)
                .profile(&media)
                .secrets::<OwnToken>()
                .age_key(age_key!("age1nz3s0836dwxgstsxdfwhzjkdm28rr45y808vqtev2sf0cd0uc23syllax2")),
        )
        .host(
            Host::darwin(mac.0, System::Aarch64Darwin)
                .profile(&base)
                .secrets::<OwnToken>()
                .age_key(age_key!("age18q3xkrl8h0vptpmgpz2c36cuapen44ev3wycvpchtp7tr8d0qfpsyhwgnj")),
        )
        .host(Host::nixos(UNKEYED_HOST, System::X86_64Linux).set("services.openssh.enable", true))
        .into_data()
}

/// Every fixture fleet with its name.
pub fn fixtures() -> Vec<(&'static str, FleetData)> {
    vec![
        ("hostile", hostile_fleet()),
        ("minimal", minimal_nixos_fleet()),
        ("darwin", darwin_unstable_fleet()),
        ("secrets", secrets_fleet()),
        ("meaning", meaning_fleet()),
        ("flake", flake_fleet()),
        ("typed_extras", typed_extras_fleet()),
        ("seed_002", seed_002_fleet()),
        ("seed_003", seed_003_fleet()),
        ("seed_004", seed_004_fleet()),
    ]
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
/// descriptions), stub `config` (`networking.hostName` is `"stub-host"`; `sops.secrets.<name>.path`
/// is `/run/secrets/<name>` for the names [`HARNESS_SECRETS_FILE`] lists, when it exists; every
/// option the tree's `modules/options/*.nix` declare, at its default or a placeholder of its
/// type, for the hand-written modules that read them), `pkgs`
/// flake `inputs` (sops-nix's modules are strings, a nixpkgs imports to a string) and the
/// flake's `self` (its `nixosConfigurations` from `parts/hosts.nix`); `sanitize` makes a value JSON-safe
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
    genAttrs = names: f:
      builtins.listToAttrs (map (name: {
          inherit name;
          value = f name;
        })
        names);
    "getExe'" = pkg: exe: "${pkg}/bin/${exe}";
  };
  # A flake's nixpkgs: `import`able (see `write_harness`), and `nixosSystem` records what it
  # was given where colmena's hive reads it back.
  system = {
    outPath = ./fleet-test-nixpkgs.nix;
    lib = {
      nixosSystem = x:
        x
        // {
          pkgs = "<pkgs>";
          _module = {
            specialArgs = x.specialArgs or {};
            args.modules = x.modules or [];
          };
        };
      darwinSystem = x: x;
    };
    legacyPackages = builtins.listToAttrs (map (name: {
      inherit name;
      value = "<pkgs for ${name}>";
    }) ["x86_64-linux" "aarch64-linux" "x86_64-darwin" "aarch64-darwin"]);
  };
  # Secrets the generated modules read as `config.sops.secrets.<name>.path`, listed by the
  # optional file beside this one (see `write_harness`).
  secretNames =
    if builtins.pathExists ./fleet-test-secrets.nix
    then import ./fleet-test-secrets.nix
    else [];
  # `a` with `b` merged in, attribute sets recursively.
  merge = a: b:
    a
    // builtins.mapAttrs (name: v:
      if builtins.isAttrs v && builtins.isAttrs (a.${name} or null)
      then merge a.${name} v
      else v)
    b;
  # The options the tree's typed option sets declare (`modules/options/*.nix`, loaded with the
  # stub lib), each at its default or, without one, a placeholder of its type: hand-written
  # modules read them as `config.<path>`.
  isType = t: builtins.isString t || (builtins.isAttrs t && builtins.any (c: t ? ${c}) ["nullOr" "listOf" "attrsOf" "enum" "submodule"]);
  isDecl = v: builtins.isAttrs v && v ? type && isType v.type;
  placeholder = t:
    if t == "bool"
    then false
    else if builtins.elem t ["str" "path"]
    then "<stub>"
    else if builtins.isString t
    then 0
    else if t ? nullOr
    then null
    else if t ? listOf
    then []
    else if t ? enum
    then builtins.head t.enum
    else {};
  valuesOf = decls:
    builtins.mapAttrs (_: v:
      if isDecl v
      then v.default or (placeholder v.type)
      else valuesOf v)
    decls;
  optionFiles =
    if builtins.pathExists ./modules/options
    then builtins.attrNames (builtins.readDir ./modules/options)
    else [];
  declared = builtins.foldl' (acc: file: merge acc (valuesOf (load (./modules/options + "/${file}")).options)) {} optionFiles;
  args = {
    inherit lib;
    config = merge declared {
      fleet.users = [];
      hostSpec = {};
      networking.hostName = "stub-host";
      sops.secrets = builtins.listToAttrs (map (name: {
          inherit name;
          value = {path = "/run/secrets/" + name;};
        })
        secretNames);
    };
    osConfig = args.config;
    pkgs =
      builtins.listToAttrs (map (name: {
        inherit name;
        value = "<pkgs.${name}>";
      }) ["zsh" "fish" "bashInteractive" "alejandra" "git" "curl" "htop" "jq" "ripgrep" "hello" "fd" "vim" "mpv" "gcc" "gnumake" "kodi" "powertop" "kubectl" "zed-editor" "wget" "bat" "eza" "fzf" "helix" "yazi" "libreoffice" "android-studio" "blender" "obsidian" "lm_sensors" "retroarch-full" "nh"])
      // {
        python3Packages.requests = "<pkgs.python3Packages.requests>";
        python3Packages.vllm = "<pkgs.python3Packages.vllm>";
        nvtopPackages.amd = "<pkgs.nvtopPackages.amd>";
        unstable.zed-editor = "<pkgs.unstable.zed-editor>";
      };
    inputs = {
      nixpkgs = system;
      nixpkgs-unstable = system;
      nixpkgs-darwin = system;
      nix-darwin = system;
      nix-darwin-unstable = system;
      sops-nix = {
        nixosModules.sops = "<sops-nix.nixosModules.sops>";
        darwinModules.sops = "<sops-nix.darwinModules.sops>";
      };
      colmena.lib.makeHive = hive: "<colmena hive>";
      nixos-hardware.nixosModules = {
        framework-16-7040-amd = "<nixos-hardware.nixosModules.framework-16-7040-amd>";
        framework-13-7040-amd = "<nixos-hardware.nixosModules.framework-13-7040-amd>";
        common-cpu-intel = "<nixos-hardware.nixosModules.common-cpu-intel>";
        common-cpu-amd = "<nixos-hardware.nixosModules.common-cpu-amd>";
        raspberry-pi-4 = "<nixos-hardware.nixosModules.raspberry-pi-4>";
      };
      impermanence.nixosModules.impermanence = "<impermanence.nixosModules.impermanence>";
      microvm.nixosModules.host = "<microvm.nixosModules.host>";
      mac-app-util.darwinModules.default = "<mac-app-util.darwinModules.default>";
      nix-secrets = "/nix/store/stub-nix-secrets";
      disko.nixosModules.disko = "<disko.nixosModules.disko>";
      home-manager = {
        nixosModules.home-manager = "<home-manager.nixosModules.home-manager>";
        darwinModules.home-manager = "<home-manager.darwinModules.home-manager>";
        lib.homeManagerConfiguration = x: x;
      };
      home-manager-unstable = {
        nixosModules.home-manager = "<home-manager-unstable.nixosModules.home-manager>";
        darwinModules.home-manager = "<home-manager-unstable.darwinModules.home-manager>";
        lib.homeManagerConfiguration = x: x;
      };
    };
    # The flake itself: its nixosConfigurations from the generated parts/hosts.nix.
    self = {
      nixosConfigurations =
        if builtins.pathExists ./parts/hosts.nix
        then (load ./parts/hosts.nix).flake.nixosConfigurations or {}
        else {};
      colmena = {};
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

/// File name (beside [`HARNESS_FILE`]) of the Nix list of secret names the stub `config` of
/// [`HARNESS`] provides as `config.sops.secrets.<name>`.
pub const HARNESS_SECRETS_FILE: &str = "fleet-test-secrets.nix";

/// File name (beside [`HARNESS_FILE`]) of the stub nixpkgs that `import inputs.nixpkgs {...}`
/// loads in [`HARNESS`].
pub const HARNESS_NIXPKGS_FILE: &str = "fleet-test-nixpkgs.nix";

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
    std::fs::write(dir.join(HARNESS_NIXPKGS_FILE), "# A stub nixpkgs.\n{...}: \"<nixpkgs>\"\n")?;
    let names = referenced_secret_names(nix_files(tree).into_iter().map(|(_, text)| text));
    let list: Vec<String> = names.iter().map(|n| fleet_gen::nix::escape::string(n)).collect();
    std::fs::write(dir.join(HARNESS_SECRETS_FILE), format!("[{}]\n", list.join(" ")))
}

// ---------------------------------------------------------------------------------------------
// .sops.yaml

/// Why `key` is not an age X25519 recipient, or `Ok` when it is one: the fleet's one rule
/// ([`fleet_dsl::rules::age::check_age_key`]), with the key in the message.
pub fn check_age_recipient(key: &str) -> Result<(), String> {
    fleet_dsl::rules::age::check_age_key(key).map_err(|reason| format!("`{key}` is not an age public key: {reason}"))
}

/// One creation rule of a `.sops.yaml`, aliases resolved.
#[derive(Clone, Debug)]
pub struct SopsRule {
    /// `path_regex`, as written.
    pub path_regex: String,
    /// The compiled `path_regex`.
    pub regex: regex::Regex,
    /// Every age recipient of every key group, in order.
    pub recipients: Vec<String>,
}

/// A parsed `.sops.yaml`: its `keys` and `creation_rules`, aliases resolved.
#[derive(Clone, Debug)]
pub struct SopsConfig {
    /// The `keys` list.
    pub keys: Vec<String>,
    /// The creation rules, in order (sops uses the first whose `path_regex` matches).
    pub rules: Vec<SopsRule>,
}

impl SopsConfig {
    /// The rule sops uses for `path` (relative to the repository root): the first that matches.
    pub fn rule_for(&self, path: &str) -> Option<&SopsRule> {
        self.rules.iter().find(|r| r.regex.is_match(path))
    }

    /// Every rule whose `path_regex` matches `path`.
    pub fn rules_matching<'a>(&'a self, path: &'a str) -> impl Iterator<Item = &'a SopsRule> + 'a {
        self.rules.iter().filter(move |r| r.regex.is_match(path))
    }
}

/// Parses a `.sops.yaml` with a YAML parser that resolves anchors and aliases, checking its
/// shape: each anchor defined once, every alias defined, `keys` a list of valid age
/// recipients, each creation rule a compiling `path_regex` with `key_groups` of `age` lists
/// only, every recipient one of `keys`.
pub fn parse_sops_config(sops_yaml: &str) -> Result<SopsConfig, String> {
    use yaml_rust2::{Yaml, YamlLoader};
    let mut problems = Vec::new();

    // Anchors: YAML allows redefining one (the later wins), which would silently change who
    // decrypts a file, so each must be defined once.
    let anchor = regex::Regex::new(r"(?:^|[\s\[{,])&([^\s\[\]{},]+)").map_err(|e| e.to_string())?;
    let mut anchors: Vec<&str> = Vec::new();
    for line in sops_yaml.lines().filter(|l| !l.trim_start().starts_with('#')) {
        for c in anchor.captures_iter(line) {
            let name = c.get(1).map_or("", |m| m.as_str());
            if anchors.contains(&name) {
                problems.push(format!("anchor `&{name}` is defined more than once"));
            }
            anchors.push(name);
        }
    }

    let docs = match YamlLoader::load_from_str(sops_yaml) {
        Ok(docs) => docs,
        Err(e) => {
            problems.push(format!(".sops.yaml is not YAML: {e}"));
            return Err(problems.join("\n"));
        }
    };
    let [doc] = docs.as_slice() else {
        return Err(format!(".sops.yaml holds {} YAML documents, not 1", docs.len()));
    };
    let field = |y: &'_ Yaml, name: &str| -> Option<Yaml> { y.as_hash()?.get(&Yaml::String(name.to_owned())).cloned() };
    let strings = |y: Option<Yaml>, what: &str, problems: &mut Vec<String>| -> Vec<String> {
        match y.as_ref().and_then(Yaml::as_vec) {
            Some(items) => items
                .iter()
                .filter_map(|i| match i.as_str() {
                    Some(s) => Some(s.to_owned()),
                    None => {
                        problems.push(format!("{what}: {i:?} is not a string (an undefined alias?)"));
                        None
                    }
                })
                .collect(),
            None => {
                problems.push(format!("{what} is not a list: {y:?}"));
                Vec::new()
            }
        }
    };

    if let Some(hash) = doc.as_hash() {
        for k in hash.keys() {
            if !matches!(k.as_str(), Some("keys" | "creation_rules")) {
                problems.push(format!("unexpected top-level key {k:?}"));
            }
        }
    } else {
        return Err(format!(".sops.yaml is not a mapping: {doc:?}"));
    }
    let keys = strings(field(doc, "keys"), "keys", &mut problems);
    for (i, k) in keys.iter().enumerate() {
        if let Err(e) = check_age_recipient(k) {
            problems.push(format!("keys[{i}]: {e}"));
        }
        if keys[..i].contains(k) {
            problems.push(format!("keys[{i}]: `{k}` is listed twice"));
        }
    }

    let mut rules = Vec::new();
    let raw_rules = field(doc, "creation_rules");
    let raw_rules = raw_rules.as_ref().and_then(Yaml::as_vec).cloned().unwrap_or_else(|| {
        problems.push("creation_rules is not a list".to_owned());
        Vec::new()
    });
    if raw_rules.is_empty() {
        problems.push("creation_rules is empty".to_owned());
    }
    for (i, r) in raw_rules.iter().enumerate() {
        let Some(path_regex) = field(r, "path_regex").and_then(|y| y.as_str().map(str::to_owned)) else {
            problems.push(format!("creation_rules[{i}] has no string path_regex: {r:?}"));
            continue;
        };
        let regex = match regex::Regex::new(&path_regex) {
            Ok(re) => re,
            Err(e) => {
                problems.push(format!("creation_rules[{i}]: path_regex `{path_regex}` does not compile: {e}"));
                continue;
            }
        };
        if let Some(hash) = r.as_hash() {
            for k in hash.keys() {
                if !matches!(k.as_str(), Some("path_regex" | "key_groups")) {
                    problems.push(format!("creation_rules[{i}]: unexpected key {k:?}"));
                }
            }
        }
        let mut recipients = Vec::new();
        let groups = field(r, "key_groups");
        let groups = groups.as_ref().and_then(Yaml::as_vec).cloned().unwrap_or_default();
        if groups.is_empty() {
            problems.push(format!("creation_rules[{i}] (`{path_regex}`) has no key_groups"));
        }
        for (g, group) in groups.iter().enumerate() {
            let what = format!("creation_rules[{i}].key_groups[{g}]");
            match group.as_hash() {
                Some(hash) => {
                    for k in hash.keys() {
                        if k.as_str() != Some("age") {
                            problems.push(format!("{what}: unexpected key type {k:?}"));
                        }
                    }
                }
                None => problems.push(format!("{what} is not a mapping: {group:?}")),
            }
            for key in strings(field(group, "age"), &format!("{what}.age"), &mut problems) {
                if !keys.contains(&key) {
                    problems.push(format!("{what}: recipient `{key}` is not one of `keys`"));
                }
                if recipients.contains(&key) {
                    problems.push(format!("{what}: recipient `{key}` is listed twice"));
                }
                recipients.push(key);
            }
        }
        rules.push(SopsRule { path_regex, regex, recipients });
    }
    if problems.is_empty() {
        Ok(SopsConfig { keys, rules })
    } else {
        Err(problems.join("\n"))
    }
}

/// Checks a fleet's `.sops.yaml` ([`parse_sops_config`]) and who it lets decrypt what, by
/// matching every rule's `path_regex` against the candidate paths (never by anchor names):
///
/// - `hosts` (name, age key) are the hosts with a key, `admins` the admins' age keys, and
///   `shared` the shared files (`secrets/common.yaml`, group files) with their member hosts,
///   `own` the hosts that read secrets of their own (`secrets/<host>.yaml`); no rule may
///   match the file of a keyed host outside `own`, which nobody reads;
/// - every host and admin key is in `keys`, and `keys` holds nothing else;
/// - the rule sops uses (the first match) for `secrets/<host>.yaml` has exactly the admins
///   and that host as recipients, and for each shared file exactly the admins and its members;
/// - isolation: for every candidate file, no rule matching it (first or not) lists the key of
///   a host that is not one of its members (for `secrets/<B>.yaml` the only member is `B`);
/// - every rule matches exactly one candidate path, and near misses (`secrets/<h>.yaml.bak`,
///   `secrets/<h>Xyaml`, `x/secrets/<h>.yaml`, `secrets/<h>.yml`) match none.
pub fn check_sops_config(
    sops_yaml: &str,
    hosts: &[(&str, &str)],
    admins: &[&str],
    shared: &[(&str, &[&str])],
    own: &[&str],
) -> Result<(), String> {
    let config = parse_sops_config(sops_yaml)?;
    let mut problems = Vec::new();
    let key_of = |host: &str| hosts.iter().find(|(h, _)| *h == host).map(|(_, k)| *k);
    let name_of = |key: &str| -> String {
        hosts
            .iter()
            .find(|(_, k)| *k == key)
            .map(|(h, _)| format!("host `{h}`"))
            .or_else(|| admins.iter().position(|a| *a == key).map(|i| format!("admin #{i}")))
            .unwrap_or_else(|| format!("unknown key `{key}`"))
    };

    let mut expected_keys: Vec<&str> = admins.to_vec();
    expected_keys.extend(hosts.iter().map(|(_, k)| *k));
    for k in &expected_keys {
        if !config.keys.iter().any(|c| c == k) {
            problems.push(format!("keys lacks {}", name_of(k)));
        }
    }
    for k in &config.keys {
        if !expected_keys.contains(&k.as_str()) {
            problems.push(format!("keys holds `{k}`, which is neither an admin's nor a host's"));
        }
    }

    // (path, member hosts) of every file some host may read.
    let mut candidates: Vec<(String, Vec<&str>)> =
        hosts.iter().filter(|(h, _)| own.contains(h)).map(|(h, _)| (format!("secrets/{h}.yaml"), vec![*h])).collect();
    for (h, _) in hosts.iter().filter(|(h, _)| !own.contains(h)) {
        let path = format!("secrets/{h}.yaml");
        if config.rule_for(&path).is_some() {
            problems.push(format!("a rule matches {path}, but `{h}` reads no secrets of its own"));
        }
    }
    candidates.extend(shared.iter().map(|(path, members)| ((*path).to_owned(), members.to_vec())));
    for (path, members) in &candidates {
        for m in members {
            if key_of(m).is_none() {
                problems.push(format!("{path}: member `{m}` is not a host with a key"));
            }
        }
        let mut expected: Vec<&str> = admins.to_vec();
        expected.extend(members.iter().filter_map(|m| key_of(m)));
        match config.rule_for(path) {
            None => problems.push(format!("no creation rule matches {path}")),
            Some(rule) => {
                let mut actual: Vec<&str> = rule.recipients.iter().map(String::as_str).collect();
                actual.sort_unstable();
                let mut want = expected.clone();
                want.sort_unstable();
                if actual != want {
                    let names = |keys: &[&str]| keys.iter().map(|k| name_of(k)).collect::<Vec<_>>().join(", ");
                    problems.push(format!(
                        "{path} (rule `{}`): recipients are [{}], expected [{}]",
                        rule.path_regex,
                        names(&actual),
                        names(&want)
                    ));
                }
            }
        }
        // Isolation, over every matching rule (not only the first).
        for rule in config.rules_matching(path) {
            for (other, key) in hosts {
                if !members.contains(other) && rule.recipients.iter().any(|r| r == key) {
                    problems.push(format!(
                        "isolation: host `{other}` can decrypt {path} through rule `{}`",
                        rule.path_regex
                    ));
                }
            }
        }
    }

    for rule in &config.rules {
        let matched: Vec<&str> =
            candidates.iter().map(|(p, _)| p.as_str()).filter(|p| rule.regex.is_match(p)).collect();
        if matched.len() != 1 {
            problems.push(format!("rule `{}` matches {matched:?}, expected exactly one file", rule.path_regex));
        }
    }
    for (path, _) in &candidates {
        let stem = path.trim_end_matches(".yaml");
        for near in [format!("{path}.bak"), format!("{stem}Xyaml"), format!("x/{path}"), format!("{stem}.yml")] {
            if let Some(rule) = config.rule_for(&near) {
                problems.push(format!("rule `{}` matches the near miss `{near}`", rule.path_regex));
            }
        }
    }

    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("\n"))
    }
}

/// Every file below `dir`, sorted, leaving out the writer's local state (`.fleet-gen/`: its
/// lock, journal and no-op cache, which a `.gitignore` inside keeps out of commits).
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("readable directory") {
            let path = entry.expect("readable directory entry").path();
            if path == dir.join(".fleet-gen") {
                continue;
            }
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// The path literals of a Nix file (`./a.nix`, `../../profiles/x.nix`), as written, leaving out
/// those with an interpolation (`../secrets/${…}.yaml`).
pub fn path_literals(text: &str) -> Vec<String> {
    rnix::Root::parse(text)
        .syntax()
        .descendants()
        .filter(|n| n.kind() == rnix::SyntaxKind::NODE_PATH)
        .filter(|n| n.children().next().is_none())
        .map(|n| n.text().to_string())
        .collect()
}

/// Problems with the path literals of every `.nix` file of a tree written to `dir`: each must
/// name a file or directory (with `default.nix`) that exists, except encrypted secret files,
/// which the user creates with sops.
pub fn missing_paths(tree: &Tree, dir: &Path) -> Vec<String> {
    let mut problems = Vec::new();
    for (path, file) in nix_files(tree) {
        let base = dir.join(path);
        let base = base.parent().unwrap_or(dir);
        for literal in path_literals(file) {
            let target = base.join(&literal);
            let normal: PathBuf = target.components().fold(PathBuf::new(), |mut acc, c| {
                match c {
                    std::path::Component::ParentDir => {
                        acc.pop();
                    }
                    std::path::Component::CurDir => {}
                    other => acc.push(other),
                }
                acc
            });
            let under_secrets = normal.strip_prefix(dir).is_ok_and(|r| r.starts_with("secrets"));
            let exists = normal.is_file() || normal.join("default.nix").is_file();
            if !exists && !under_secrets {
                problems.push(format!("{path}: `{literal}` points at {}, which does not exist", normal.display()));
            }
            if !normal.starts_with(dir) {
                problems.push(format!("{path}: `{literal}` leaves the repository"));
            }
        }
    }
    problems
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
