//! Each class of invalid fleet: its message, exit code 1, and nothing written. Also pruning.
#![allow(clippy::unwrap_used)]

use fleet_dsl::prelude::*;
use fleet_dsl::{FleetData, NoSpec};
use std::fs;
use std::path::Path;
use std::process::ExitCode;

use fleet_tests::generate_into as run;

fn host(name: &str) -> Host<Nixos, NoSpec> {
    Host::nixos(name, System::X86_64Linux)
}

/// Asserts the fleet is rejected with exit 1, every message present, and the directory untouched.
fn assert_rejected(fleet: Fleet<impl HostSpec>, messages: &[&str]) {
    assert_data_rejected(&fleet.into_data(), messages);
}

/// [`assert_rejected`] for fleet data (built by hand, or changed where the builders cannot):
/// rejected into a missing directory, which stays missing, and over the output of a valid
/// fleet, which stays byte-identical (the writer's state directory included); every message
/// printed with its control characters escaped.
fn assert_data_rejected(fleet: &FleetData, messages: &[&str]) -> String {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let (code, err) = run(fleet, &out, &[]);
    assert_eq!(code, ExitCode::from(1), "{err}");
    for m in messages {
        assert!(err.contains(m), "expected {m:?} in:\n{err}");
    }
    assert!(err.contains("nothing was written"), "{err}");
    assert!(!out.exists(), "an invalid fleet wrote {}", out.display());
    assert!(!err.chars().any(|c| c.is_control() && c != '\n'), "a raw control character reached the terminal: {err:?}");

    let existing = tmp.path().join("existing");
    let good = Fleet::<NoSpec>::new("f").host(host("a")).into_data();
    assert_eq!(run(&good, &existing, &[]).0, ExitCode::SUCCESS);
    let before = snapshot(&existing);
    for extra in [&[][..], &["--check"][..]] {
        let (code, again) = run(fleet, &existing, extra);
        assert_eq!(code, ExitCode::from(1), "{again}");
        assert_eq!(snapshot(&existing), before, "an invalid fleet changed the existing output ({extra:?})");
    }
    err
}

/// Every entry below `dir`, the writer's state included, with its bytes and modification time.
fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>, std::time::SystemTime)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        for entry in fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            let meta = fs::symlink_metadata(&path).unwrap();
            let bytes = if meta.is_dir() {
                stack.push(path.clone());
                Vec::new()
            } else {
                fs::read(&path).unwrap()
            };
            out.push((path.display().to_string(), bytes, meta.modified().unwrap()));
        }
    }
    out.sort();
    out
}

#[test]
fn duplicate_host() {
    let fleet = Fleet::new("f").host(host("web")).host(host("db")).host(host("web"));
    assert_rejected(fleet, &["host `web` is defined 2 times: host names must be unique"]);
}

#[test]
fn invalid_hostnames() {
    let fleet = Fleet::new("f").host(host("my_host")).host(host("-edge")).host(host(&"x".repeat(64)));
    assert_rejected(
        fleet,
        &[
            "host `my_host` has an invalid name: it contains characters other than letters, digits and `-`",
            "host `-edge` has an invalid name: it starts or ends with `-`",
            "is longer than 63 characters",
            "RFC 1123",
        ],
    );
}

#[test]
fn unknown_hand_written_module() {
    let p = Profile::nixos("desktop").module("desktop/nope");
    let fleet = Fleet::new("f").host(host("a").profile(&p));
    assert_rejected(
        fleet,
        &[
            "profile `desktop` imports module `desktop/nope`, which the output repository lacks",
            "modules/desktop/nope.nix",
            "scaffold",
        ],
    );
}

#[test]
fn hand_written_module_present_in_output_is_accepted() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    fs::create_dir_all(out.join("modules/desktop/nope")).unwrap();
    fs::write(out.join("modules/desktop/nope/default.nix"), "{...}: {}\n").unwrap();
    let p = Profile::nixos("desktop").module("desktop/nope");
    let (code, err) = run(&Fleet::new("f").host(host("a").profile(&p)).into_data(), &out, &[]);
    assert_eq!(code, ExitCode::SUCCESS, "{err}");
    let profile = fs::read_to_string(out.join("profiles/desktop.nix")).unwrap();
    assert!(profile.contains("imports = [../modules/desktop/nope];"), "{profile}");
    assert_eq!(fs::read_to_string(out.join("modules/desktop/nope/default.nix")).unwrap(), "{...}: {}\n");
}

#[test]
fn module_paths_outside_modules_or_taken() {
    let p = Profile::nixos("p").module("../etc/evil").module("users").module("a.nix");
    let fleet = Fleet::new("f").host(host("a").profile(&p));
    assert_rejected(
        fleet,
        &[
            "imports module `../etc/evil`: use `/`-separated segments",
            "imports module `users`: the generator writes that path itself",
            "write the path without `.nix`",
        ],
    );
}

#[test]
fn colliding_option_paths() {
    let p = Profile::nixos("p").default("services.x", true).default("services.x.enable", true);
    let fleet = Fleet::new("f").host(host("a").profile(&p).set("networking.hostName", "other"));
    assert_rejected(
        fleet,
        &[
            "profile `p` sets `services.x` and `services.x.enable`, which collide",
            "host `a` sets `networking.hostName` and `networking.hostName`, which collide",
        ],
    );
}

#[test]
fn malformed_option_path() {
    let fleet = Fleet::new("f").host(host("a").set("boot..loader", 1).set(r#"a."b"#, 1));
    assert_rejected(fleet, &["host `a`: option path `boot..loader` has an empty segment", "has an unterminated quote"]);
}

#[test]
fn two_profiles_one_name() {
    let one = Profile::nixos("base").default("a", 1);
    let two = Profile::nixos("base").default("a", 2);
    let fleet = Fleet::new("f").host(host("a").profile(&one)).host(host("b").profile(&two));
    assert_rejected(fleet, &["two different profiles are named `base`"]);
}

#[test]
fn one_user_two_definitions() {
    let p1 = Profile::nixos("p1").user(&User::new("alice").groups(["wheel"]));
    let p2 = Profile::nixos("p2").user(&User::new("alice"));
    let fleet = Fleet::new("f").host(host("a").profile(&p1).profile(&p2));
    assert_rejected(fleet, &["user `alice` is defined twice with different settings", "define the user once"]);
}

#[test]
fn invalid_user_name() {
    let p = Profile::nixos("p").user(&User::new("Alice Smith"));
    assert_rejected(
        Fleet::new("f").host(host("a").profile(&p)),
        &["user `Alice Smith` (profile `p`) has an invalid login name"],
    );
}

#[derive(fleet_dsl::HostSpec)]
struct Spec {
    /// Main user.
    primary_user: String,
    #[spec(default = false)]
    headless: bool,
}

#[test]
fn host_without_required_spec() {
    let ok = Host::nixos("a", System::X86_64Linux).spec(Spec { primary_user: "me".into(), headless: false });
    let missing = Host::nixos("b", System::X86_64Linux);
    let fleet = Fleet::new("f").host(ok).host(missing);
    assert_rejected(fleet, &["host `b` sets no host spec, but `Spec` has fields without a default (primaryUser)"]);
}

#[test]
fn system_of_the_other_platform() {
    let fleet = Fleet::new("f").host(Host::<Nixos, NoSpec>::nixos("a", System::Aarch64Darwin));
    assert_rejected(fleet, &["host `a` is a NixOS host but its system is `aarch64-darwin`"]);
}

#[test]
fn nul_in_a_string() {
    let fleet = Fleet::new("f").host(host("a").set("x", "a\0b"));
    assert_rejected(fleet, &["host `a`: a value contains a NUL character"]);
}

#[test]
fn empty_fleet_and_bad_names() {
    assert_rejected(
        Fleet::<NoSpec>::new("my fleet"),
        &["fleet name `my fleet` is not valid", "fleet `my fleet` has no hosts"],
    );
}

#[test]
fn every_problem_is_reported_at_once() {
    let p = Profile::nixos("bad name").module("nope");
    let fleet = Fleet::new("f").host(host("a_b").profile(&p)).host(host("a_b"));
    assert_rejected(
        fleet,
        &["(4 problems)", "defined 2 times", "invalid name", "profile `bad name` has an invalid name", "module `nope`"],
    );
}

#[test]
fn invalid_fleet_leaves_existing_output_untouched() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let good = Fleet::<NoSpec>::new("f").host(host("a")).into_data();
    assert_eq!(run(&good, &out, &[]).0, ExitCode::SUCCESS);
    let before = fs::read_to_string(out.join("hosts/a/default.nix")).unwrap();
    let bad = Fleet::<NoSpec>::new("f").host(host("a")).host(host("a")).into_data();
    assert_eq!(run(&bad, &out, &[]).0, ExitCode::from(1));
    assert_eq!(fs::read_to_string(out.join("hosts/a/default.nix")).unwrap(), before);
}

#[test]
fn removed_host_is_pruned_but_user_files_stay() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let two = Fleet::<NoSpec>::new("f").host(host("a")).host(host("b")).into_data();
    assert_eq!(run(&two, &out, &[]).0, ExitCode::SUCCESS);
    fs::write(out.join("notes.md"), "mine\n").unwrap();
    let one = Fleet::<NoSpec>::new("f").host(host("a")).into_data();

    let (code, _) = run(&one, &out, &["--check"]);
    assert_eq!(code, ExitCode::from(1), "a host to prune makes the output stale");
    assert_eq!(run(&one, &out, &[]).0, ExitCode::SUCCESS);
    assert!(!out.join("hosts/b/default.nix").exists(), "generated file of a removed host was kept");
    assert!(out.join("hosts/b/hardware-configuration.nix").is_file(), "user-owned file was deleted");
    assert_eq!(fs::read_to_string(out.join("notes.md")).unwrap(), "mine\n");
    let manifest = fs::read_to_string(out.join(".fleet-gen-manifest")).unwrap();
    assert!(!manifest.contains("hosts/b/"), "{manifest}");
    assert_eq!(run(&one, &out, &["--check"]).0, ExitCode::SUCCESS);
}

#[test]
fn a_file_whose_header_was_removed_is_adopted_not_pruned() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let two = Fleet::<NoSpec>::new("f").host(host("a")).host(host("b")).into_data();
    assert_eq!(run(&two, &out, &[]).0, ExitCode::SUCCESS);
    let file = out.join("hosts/b/default.nix");
    let mine: String = fs::read_to_string(&file).unwrap().lines().skip(1).map(|l| format!("{l}\n")).collect();
    fs::write(&file, &mine).unwrap();
    let one = Fleet::<NoSpec>::new("f").host(host("a")).into_data();
    let (code, err) = run(&one, &out, &[]);
    assert_eq!(code, ExitCode::SUCCESS, "{err}");
    assert!(err.contains("hosts/b/default.nix lost its generated header"), "{err}");
    assert_eq!(fs::read_to_string(&file).unwrap(), mine);
}

const KEY_A: &str = "age1dp5n6q4tf7ajxvdcesuez5ezuj8xrurdf5dnre73nyfjq2zhhj9qm3cxy5";
const KEY_B: &str = "age1tmkqm3qe42pn00mjtupxlk5u0rquk8ry9m40l8twzyf0xaura9pqaanndc";
const ADMIN: &str = "age190vqdjtlpcq27xslcveglfmr4ynfwg7gmw86cnun4acakxrdd6gq9e9dqx";

#[derive(fleet_dsl::Secrets)]
#[secrets(scope = common)]
#[allow(dead_code)] // fields name secrets; their values never exist
struct Shared {
    #[secret(needed_for_users)]
    password: fleet_dsl::Secret,
    token: fleet_dsl::Secret,
}

#[derive(fleet_dsl::Secrets)]
#[secrets(scope = host)]
#[allow(dead_code)] // fields name secrets; their values never exist
struct Own {
    token: fleet_dsl::Secret,
}

#[derive(fleet_dsl::Secrets)]
#[secrets(scope = group("web"))]
#[allow(dead_code)] // fields name secrets; their values never exist
struct Web {
    cert: fleet_dsl::Secret,
}

#[derive(fleet_dsl::Secrets)]
#[secrets(scope = common)]
#[allow(dead_code)] // fields name secrets; their values never exist
struct Plain {
    login: fleet_dsl::Secret,
}

fn keyed(name: &str, key: &str) -> Host<Nixos, NoSpec> {
    host(name).age_key(key)
}

#[test]
fn malformed_age_keys() {
    let fleet = Fleet::new("f")
        .admin("alice", "age1notakey")
        .admin("bob smith", ADMIN)
        .admin("alice", ADMIN)
        .host(keyed("a", &KEY_A.replace('q', "p")).secrets::<Own>());
    assert_rejected(
        fleet,
        &[
            "admin `alice` has an invalid age key `age1notakey`",
            "host `a` has an invalid age key",
            "ssh-to-age < /etc/ssh/ssh_host_ed25519_key.pub",
            "admin `bob smith` has an invalid name",
            "admin `alice` is added twice",
        ],
    );
}

#[test]
fn host_reading_secrets_without_a_key() {
    let fleet = Fleet::new("f").admin("alice", ADMIN).host(host("a").secrets::<Own>()).host(keyed("b", KEY_B));
    assert_rejected(
        fleet,
        &[
            "error[F033]: host `a` reads secrets (secrets/a.yaml) but has no age key\n",
            "= help: on the host run `ssh-to-age < /etc/ssh/ssh_host_ed25519_key.pub`",
        ],
    );
}

#[test]
fn secrets_without_admins() {
    let fleet = Fleet::new("f").host(keyed("a", KEY_A).secrets::<Own>());
    assert_rejected(fleet, &["the fleet has secrets but no admin to create the encrypted files"]);
}

#[test]
fn one_secret_name_from_two_sets() {
    let p = Profile::nixos("p").secrets::<Shared>();
    let fleet = Fleet::new("f").admin("alice", ADMIN).host(keyed("a", KEY_A).profile(&p).secrets::<Own>());
    assert_rejected(fleet, &["host `a` gets two different secrets named `token` (from `Shared` and `Own`)"]);
}

#[test]
fn group_named_like_a_host() {
    let fleet = Fleet::new("f").admin("alice", ADMIN).host(keyed("web", KEY_A).secrets::<Web>());
    assert_rejected(fleet, &["secret group `web` (of `Web`) has the name of a host"]);
}

#[test]
fn password_secret_must_be_needed_for_users_and_readable() {
    let p = Profile::nixos("p").user(&User::new("alice").password_secret(Plain::login())).secrets::<Plain>();
    let q = Profile::nixos("q").user(&User::new("bob").password_secret(Shared::password()));
    let fleet =
        Fleet::new("f").admin("alice", ADMIN).host(keyed("a", KEY_A).profile(&p)).host(keyed("b", KEY_B).profile(&q));
    assert_rejected(
        fleet,
        &[
            "user `alice` takes its password from secret `login`, which is not `#[secret(needed_for_users)]`",
            "host `b` has user `bob`, whose password secret `password` (of `Shared`) the host does not read\n",
            "= help: attach `Shared` to a profile of the host",
        ],
    );
}

#[test]
fn secret_options_built_by_hand_are_checked_too() {
    struct Hand;
    impl fleet_dsl::Secrets for Hand {
        type Platform = fleet_dsl::Any;
        fn secret_set() -> fleet_dsl::SecretSet {
            let mut d = fleet_dsl::SecretDecl::new("x");
            d.mode = Some("0999".into());
            d.owner = Some("Bob Smith".into());
            d.path = Some("/nix/store/leak".into());
            fleet_dsl::SecretSet { rust_name: "Hand".into(), scope: fleet_dsl::Scope::Host, secrets: vec![d] }
        }
    }
    let fleet = Fleet::new("f").admin("alice", ADMIN).host(keyed("a", KEY_A).secrets::<Hand>());
    assert_rejected(
        fleet,
        &[
            "secret `x` of `Hand` has mode `0999`, which is not octal",
            "secret `x` of `Hand` has owner `Bob Smith`, which is not a valid user or group name",
            "secret `x` of `Hand` has path `/nix/store/leak` in the Nix store",
        ],
    );
}

#[test]
fn invalid_deployment_settings() {
    let fleet = Fleet::<NoSpec>::new("f")
        .host(host("a").deploy(Deploy::ssh("root@a.lan").user("Root User").port(0)))
        .host(host("b").deploy(Deploy::ssh("b.lan").tag("").tag("x y").tag("dmz").tag("dmz").tag("a")))
        .host(host("c").deploy(Deploy::default()));
    assert_rejected(
        fleet,
        &[
            "host `a`: deployment target `root@a.lan` is not a host name, a domain name or an IP address",
            "host `a`: deployment user `Root User` is not a valid login name",
            "host `a`: deployment port 0 is not a port",
            "host `b` has an empty tag",
            "host `b` has tag `x y`: use letters, digits",
            "host `b` has tag `dmz` twice",
            "host `b` has tag `a`, which is also a host name",
            "host `c`: has no deployment target and does not allow local deployment",
        ],
    );
}

#[test]
fn invalid_build_machines() {
    let bad = BuildMachine::new("big lan", []).max_jobs(0).ssh_user("Bad User").ssh_key_path("relative/key");
    let fleet = Fleet::<NoSpec>::new("f").host(host("a").build_machine(bad)).host(host("b"));
    assert_rejected(
        fleet,
        &[
            "build machine address `big lan` is not a host name",
            "is a build machine for no system",
            "max jobs 0",
            "build machine ssh user `Bad User`",
            "build machine ssh key `relative/key` must be an absolute path",
        ],
    );
}

#[test]
fn builder_key_secret_must_be_readable_by_its_users() {
    let builder = BuildMachine::new("a.lan", [System::X86_64Linux]).ssh_key_secret(Own::token());
    let fleet = Fleet::new("f")
        .admin("alice", ADMIN)
        .host(keyed("a", KEY_A).build_machine(builder).secrets::<Own>())
        .host(keyed("b", KEY_B));
    assert_rejected(
        fleet,
        &["host `b` uses build machine `a`, whose ssh key secret `token` (of `Own`) it does not read"],
    );
}

#[test]
fn invalid_disk_layouts() {
    let fleet = Fleet::<NoSpec>::new("f")
        .host(host("a").disko(Disko::gpt_ext4("sda").esp_size("half")))
        .host(host("b").disko(Disko::zfs("/dev/sdb", "xyz")))
        .host(host("c").disko(Disko::luks_btrfs("/dev/sdc").subvolumes([
            Subvolume::new("/root", "/"),
            Subvolume::new("/home", "/home"),
            Subvolume::new("/home", "/data"),
            Subvolume::new("/boot", "/boot"),
        ])));
    assert_rejected(
        fleet,
        &[
            "host `a`: disk device `sda` is not a device path",
            "host `a`: EFI partition size `half` is not a size",
            "host `b`: ZFS host id `xyz` is not 8 hex digits",
            "host `c`: btrfs subvolume `/home` is listed twice",
            "host `c`: mount point `/boot` is the EFI partition's",
        ],
    );
}

#[test]
fn invalid_auto_upgrades() {
    let fleet = Fleet::<NoSpec>::new("f")
        .host(host("a").auto_upgrade(AutoUpgrade::new("github:me/fleet#a").at("25:00").allow_reboot("1am", "05:00")))
        .host(host("b").auto_upgrade(AutoUpgrade::new("github:me/fleet; rm -rf /").at("Sunday 04:00")))
        .host(
            Host::<Darwin, NoSpec>::darwin("mac", System::Aarch64Darwin)
                .auto_upgrade(AutoUpgrade::new("github:me/fleet").allow_reboot("01:00", "02:00")),
        );
    assert_rejected(
        fleet,
        &[
            "host `a`: auto-upgrade flake `github:me/fleet#a` is not a flake reference",
            "host `a`: auto-upgrade schedule `25:00` is not `HH:MM`",
            "host `a`: reboot window time `1am` is not `HH:MM`",
            "host `b`: auto-upgrade flake `github:me/fleet; rm -rf /`",
            "host `b`: auto-upgrade schedule `Sunday 04:00`",
            "host `mac`: nix-darwin cannot reboot after an upgrade",
        ],
    );
}

#[test]
fn invalid_homes_and_user_fields() {
    let home = Home::new().state_version("latest").module("missing").set("programs..git", true);
    let user = User::new("alice")
        .groups(["wheel", "Bad Group"])
        .ssh_key("not a key")
        .ssh_key("ssh-ed25519 AAAA x\nssh-rsa B")
        .home(home);
    let p = Profile::nixos("p").user(&user);
    assert_rejected(
        Fleet::<NoSpec>::new("f").host(host("a").profile(&p)),
        &[
            "user `alice` has group `Bad Group`, which is not a group name",
            "user `alice` has ssh key `not a key…`, which is not one OpenSSH public key line",
            r"user `alice` has ssh key `ssh-ed25519 AAAA x\nssh-r…`",
            "user `alice` has home state version `latest`",
            "the home of user `alice` imports module `missing`, which the output repository lacks",
            "home/modules/missing.nix",
            "the home of user `alice`: option path `programs..git` has an empty segment",
        ],
    );
}

#[test]
fn age_key_file_must_be_absolute_and_outside_the_store() {
    let fleet = Fleet::new("f")
        .admin("alice", ADMIN)
        .host(keyed("a", KEY_A).age_key_file("keys.txt").secrets::<Own>())
        .host(keyed("b", KEY_B).age_key_file("/nix/store/key.txt"));
    assert_rejected(
        fleet,
        &[
            "host `a`: age key file `keys.txt` must be an absolute path outside the Nix store",
            "host `b`: age key file `/nix/store/key.txt` must be an absolute path outside the Nix store",
        ],
    );
}

// ---------------------------------------------------------------------------------------------
// Text at the boundary: NUL and control characters in every user string that reaches a file.

#[test]
fn nul_in_an_option_path() {
    let fleet = Fleet::<NoSpec>::new("f").host(host("a").set("services.a\0b.enable", true));
    assert_rejected(fleet, &["host `a`: option path `services.a\\0b.enable` contains a NUL character"]);
}

#[test]
fn nul_in_a_user_description() {
    let p = Profile::nixos("p").user(&User::new("alice").description("Alice\0Smith"));
    assert_rejected(
        Fleet::<NoSpec>::new("f").host(host("a").profile(&p)),
        &["user `alice`: description `Alice\\0Smith` contains a NUL character, which no generated file can hold"],
    );
}

#[test]
fn nul_in_a_profile_description() {
    let p = Profile::nixos("p").description("desk\0top");
    assert_rejected(
        Fleet::<NoSpec>::new("f").host(host("a").profile(&p)),
        &["profile `p`: description `desk\\0top` contains a NUL"],
    );
}

#[test]
fn nul_in_an_ssh_key() {
    let p = Profile::nixos("p").user(&User::new("alice").ssh_key("ssh-ed25519 AAAAC3Nz\0 me@host"));
    assert_rejected(
        Fleet::<NoSpec>::new("f").host(host("a").profile(&p)),
        &["user `alice`: ssh key `ssh-ed25519 AAAAC3Nz\\0 me@host` contains a NUL"],
    );
}

/// A fleet whose host spec declaration can be changed where the derive would not allow it.
fn spec_fleet() -> FleetData {
    Fleet::new("f")
        .host(Host::nixos("a", System::X86_64Linux).spec(Spec { primary_user: "me".into(), headless: false }))
        .into_data()
}

#[test]
fn nul_in_a_derive_default() {
    let mut fleet = spec_fleet();
    fleet.spec.options[1].default = Some(fleet_dsl::NixValue::Str("on\0off".into()));
    assert_data_rejected(&fleet, &["option type `Spec`: default of option `headless` `on\\0off` contains a NUL"]);
}

#[test]
fn nul_in_a_doc_comment() {
    let mut fleet = spec_fleet();
    fleet.spec.options[0].description = Some("Main\0user.".into());
    assert_data_rejected(
        &fleet,
        &["option type `Spec`: doc comment of option `primaryUser` `Main\\0user.` contains a NUL"],
    );
}

#[test]
fn control_character_in_an_enum_value() {
    let mut fleet = spec_fleet();
    fleet.spec.options[1].ty = fleet_dsl::OptionType::Enum(vec!["ok".into(), "bad\nvalue".into()]);
    assert_data_rejected(
        &fleet,
        &["option type `Spec`: enum value of option `headless` `bad\\nvalue` contains the control character `\\n`, which a one-line field cannot hold"],
    );
    let mut fleet = spec_fleet();
    fleet.spec.options[1].ty = fleet_dsl::OptionType::Enum(vec!["ok".into(), "nul\0value".into()]);
    assert_data_rejected(
        &fleet,
        &["option type `Spec`: enum value of option `headless` `nul\\0value` contains a NUL character"],
    );
}

#[test]
fn control_character_in_an_option_name() {
    let mut fleet = spec_fleet();
    fleet.spec.options[0].name = "primary\u{1b}User".into();
    assert_data_rejected(
        &fleet,
        &["option type `Spec`: option name `primary\\u{1b}User` contains the control character"],
    );
}

/// A fleet whose host reads one hand-made secret.
fn secret_fleet(decl: fleet_dsl::SecretDecl) -> FleetData {
    let mut fleet = Fleet::new("f").admin("alice", ADMIN).host(keyed("a", KEY_A).secrets::<Own>()).into_data();
    fleet.hosts[0].secrets[0].secrets = vec![decl];
    fleet
}

#[test]
fn nul_in_a_secret_name() {
    let fleet = secret_fleet(fleet_dsl::SecretDecl::new("db\0password"));
    assert_data_rejected(&fleet, &["secret `db\\0password` of `Own`: name `db\\0password` contains a NUL"]);
}

#[test]
fn terminal_escape_in_a_secret_description() {
    let mut d = fleet_dsl::SecretDecl::new("token");
    d.description = Some("the \u{1b}]0;pwned\u{7} token".into());
    let err = assert_data_rejected(&secret_fleet(d), &["secret `token` of `Own`: description `the \\u{1b}]0;pwned\\u{7} token` contains the control character `\\u{1b}`"]);
    assert!(!err.contains('\u{1b}'));
}

#[test]
fn control_character_in_a_restart_unit() {
    let mut d = fleet_dsl::SecretDecl::new("token");
    d.restart_units = vec!["nginx.service\r".into()];
    assert_data_rejected(
        &secret_fleet(d),
        &["secret `token` of `Own`: unit `nginx.service\\r` contains the control character `\\r`"],
    );
}

#[test]
fn control_character_in_a_flake_input() {
    let mut fleet = Fleet::<NoSpec>::new("f").host(host("a")).into_data();
    fleet.inputs.nixpkgs = "github:NixOS/nixpkgs/nixos-25.11\n# evil".into();
    assert_data_rejected(&fleet, &["the fleet: flake input `nixpkgs` URL `github:NixOS/nixpkgs/nixos-25.11\\n# evil` contains the control character `\\n`"]);
}

#[test]
fn control_character_in_a_disk_layout() {
    let fleet =
        Fleet::<NoSpec>::new("f").host(host("a").disko(Disko::luks_btrfs("/dev/sda").subvolume("/srv\n", "/srv")));
    assert_rejected(fleet, &["host `a`: btrfs subvolume `/srv\\n` contains the control character `\\n`"]);
}

#[test]
fn control_character_in_a_build_machine_feature() {
    let builder = BuildMachine::new("a.lan", [System::X86_64Linux]).features(["kvm\u{7}"]);
    let fleet = Fleet::<NoSpec>::new("f").host(host("a").build_machine(builder)).host(host("b"));
    assert_rejected(fleet, &["host `a`: build machine feature `kvm\\u{7}` contains the control character"]);
}

// ---------------------------------------------------------------------------------------------
// Names: `common`, case, escape sequences, long values.

#[test]
fn host_named_common() {
    let fleet = Fleet::new("f").admin("alice", ADMIN).host(keyed("common", KEY_A).secrets::<Own>());
    assert_rejected(fleet, &["host `common` has an invalid name: it is `common`, the name of the secrets file every host can decrypt (secrets/common.yaml)"]);
    assert_rejected(
        Fleet::<NoSpec>::new("f").host(host("Common")),
        &["host `Common` has an invalid name: it is `common`"],
    );
}

#[test]
fn host_names_that_differ_only_in_case() {
    let fleet = Fleet::<NoSpec>::new("f").host(host("web")).host(host("db")).host(host("Web"));
    assert_rejected(
        fleet,
        &["hosts `web` and `Web` differ only in case", "case-insensitive file system such as a Mac checkout"],
    );
}

#[test]
fn group_and_host_that_differ_only_in_case() {
    let fleet = Fleet::new("f").admin("alice", ADMIN).host(keyed("Web", KEY_A).secrets::<Web>());
    assert_rejected(fleet, &["secret group `web` (of `Web`) has the name of a host"]);
}

#[test]
fn escape_sequences_in_names_are_printed_escaped() {
    let fleet = Fleet::<NoSpec>::new("f").host(host("evil\u{1b}[2J\u{1b}[31mred")).host(host("a\rb"));
    let err = assert_data_rejected(
        &fleet.into_data(),
        &["host `evil\\u{1b}[2J\\u{1b}[31mred` has an invalid name", "host `a\\rb` has an invalid name"],
    );
    assert!(!err.contains('\u{1b}') && !err.contains('\r'), "{err:?}");
}

#[test]
fn very_long_values_are_shortened_in_messages() {
    let long = "x".repeat(1_000_000);
    let fleet = Fleet::<NoSpec>::new("f").host(host(&long));
    let err = assert_data_rejected(
        &fleet.into_data(),
        &["has an invalid name: it is longer than 63 characters", "more characters)"],
    );
    assert!(err.len() < 2_000, "a 1 MB name gave a {} byte message", err.len());
}

// ---------------------------------------------------------------------------------------------
// Paths normalised before the store-path check.

#[test]
fn age_key_files_in_the_store_in_disguise() {
    let mut fleet = Fleet::new("f").admin("alice", ADMIN);
    for (i, path) in ["//nix/store/k", "/nix/./store/k", "/nix//store/k", "/./nix/store/k"].iter().enumerate() {
        let name = format!("h{i}");
        fleet = fleet.host(keyed(&name, KEY_A).age_key_file(*path).secrets::<Own>());
    }
    assert_rejected(
        fleet,
        &[
            "host `h0`: age key file `//nix/store/k` must be an absolute path outside the Nix store",
            "host `h1`: age key file `/nix/./store/k`",
            "host `h2`: age key file `/nix//store/k`",
            "host `h3`: age key file `/./nix/store/k`",
        ],
    );
}

#[test]
fn secret_and_builder_key_paths_in_the_store_in_disguise() {
    let mut d = fleet_dsl::SecretDecl::new("token");
    d.path = Some("/nix/../nix/store/leak".into());
    assert_data_rejected(
        &secret_fleet(d),
        &["secret `token` of `Own` has path `/nix/../nix/store/leak` in the Nix store"],
    );
    let builder = BuildMachine::new("a.lan", [System::X86_64Linux]).ssh_key_path("//nix/store/key");
    let fleet = Fleet::<NoSpec>::new("f").host(host("a").build_machine(builder)).host(host("b"));
    assert_rejected(fleet, &["build machine ssh key `//nix/store/key` must be an absolute path outside the Nix store"]);
}

// ---------------------------------------------------------------------------------------------
// Inventory files: strict, bounded parsers.

/// The messages of a fleet with one inventory file holding `text`.
fn inventory_rejected(file: &str, text: &[u8], messages: &[&str]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(file);
    fs::write(&path, text).unwrap();
    let fleet = Fleet::<NoSpec>::new("f").host(host("a")).inventory(&path);
    assert_data_rejected(&fleet.into_data(), messages)
}

#[test]
fn json_inventory_with_a_duplicate_key() {
    let text = br#"{"hosts": [{"name": "b", "platform": "nixos", "name": "c", "system": "x86_64-linux"}]}"#;
    inventory_rejected(
        "hosts.json",
        text,
        &["hosts.json: is not valid JSON: the key `name` is given twice in one object"],
    );
}

#[test]
fn yaml_inventory_with_an_alias_bomb() {
    let mut bomb = String::from("a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for i in 1..10 {
        bomb.push_str(&format!("a{i}: &a{i} [{}]\n", vec![format!("*a{}", i - 1); 10].join(", ")));
    }
    bomb.push_str("hosts: []\n");
    inventory_rejected("hosts.yaml", bomb.as_bytes(), &["hosts.yaml: expands its aliases to more than 100000 values"]);
}

#[test]
fn yaml_inventory_nested_thousands_of_levels() {
    let deep = format!("hosts: {}{}\n", "[".repeat(5_000), "]".repeat(5_000));
    // Flow style: the scanner's own bound (255 levels) answers first.
    inventory_rejected("hosts.yaml", deep.as_bytes(), &["hosts.yaml: is not valid YAML: recursion limit exceeded"]);
    let block: String =
        std::iter::once("hosts:\n".to_owned()).chain((1..3_000).map(|i| format!("{}- \n", " ".repeat(i)))).collect();
    inventory_rejected("hosts.yml", block.as_bytes(), &["hosts.yml: nests deeper than 64 levels"]);
}

#[test]
fn yaml_inventory_with_a_duplicate_key() {
    inventory_rejected(
        "hosts.yaml",
        b"hosts: []\nhosts: []\n",
        &["hosts.yaml: gives the key `hosts` twice in one mapping (line 2"],
    );
}

#[test]
fn inventory_that_is_not_text() {
    inventory_rejected("hosts.toml", b"\xff\xfe[[hosts]]", &["hosts.toml: is not UTF-8 text"]);
}

#[test]
fn inventory_with_a_huge_value_gives_a_short_message() {
    let huge = "y".repeat(10_000_000);
    let text = format!(r#"{{"hosts": [{{"name": "b", "platform": "nixos", "system": "{huge}"}}]}}"#);
    let err =
        inventory_rejected("hosts.json", text.as_bytes(), &["hosts.json at `/hosts/0/system`", "more characters)"]);
    assert!(err.len() < 4_000, "a 10 MB value gave a {} byte message", err.len());
}
