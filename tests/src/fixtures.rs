//! The fixture fleets: hostile strings in every position, a minimal NixOS fleet, a nix-darwin
//! fleet on unstable, a fleet of secrets; and the list of every fixture fleet.

use crate::*;
use fleet_dsl::prelude::*;
use fleet_dsl::{FleetData, NoSpec};
use std::collections::BTreeMap;

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
