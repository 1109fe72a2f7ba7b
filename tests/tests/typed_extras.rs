//! The typed extras, evaluated and refused.
//!
//! Meaning, with real Nix and upstream sources (`../shared/nix-sources`): the disk layouts of the
//! `typed_extras` fixture evaluated with disko's own types (every size, name and option is
//! type-checked; the NixOS configuration disko derives has the subvolumes, swap, LUKS with TPM
//! unlock); and the laptop and the Mac evaluated with nixpkgs' `lib.evalModules`: a host's
//! patch overrides two options of a profile's typed set and keeps the others, the groups two
//! profiles give `jay` concatenate with the user's own, and secrets used as values are their
//! sops-nix paths.
//!
//! Refusals (exit 1, a message naming owner and fix, nothing written): a secret's path on a host
//! that does not read it, in a home, a sops key sops-nix cannot look up, groups for a user the
//! host lacks or a malformed group, and malformed disk layouts.
#![allow(clippy::unwrap_used)]

use fleet_dsl::prelude::*;
use fleet_dsl::{NoSpec, Scope, SecretDecl, SecretSet};
use fleet_tests::*;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The upstream Nix sources beside the workspace, or `None` (with a loud `SKIPPED`) when this is
/// a clone without them; under `CI=true` their absence fails the test.
fn nix_sources() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/nix-sources");
    if dir.join("disko/lib/default.nix").is_file() && dir.join("nixpkgs-lib/lib/default.nix").is_file() {
        return Some(dir.canonicalize().unwrap());
    }
    assert!(!under_ci(), "the upstream Nix sources are required under CI=true: {}", dir.display());
    let _ = writeln!(
        std::io::stderr().lock(),
        "SKIPPED: {} is missing, so the disko and module-system evaluations did not run",
        dir.display()
    );
    None
}

/// The `typed_extras` fixture written to a temporary directory.
fn written() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let tree = render(&typed_extras_fleet(), dir.path());
    write_tree(&tree, dir.path()).unwrap();
    dir
}

fn eval(nix: &Path, dir: &Path, expr: &str) -> serde_json::Value {
    let out = nix_eval_json(nix, dir, expr).unwrap_or_else(|e| panic!("{e}"));
    serde_json::from_str(&out).unwrap()
}

/// Evaluates `hosts/<host>/disko.nix` with disko's types: the length of the format script
/// (forcing every option's type check) and the NixOS configuration disko derives, merged.
fn disko_expr(sources: &Path, host: &str) -> String {
    let s = sources.display();
    format!(
        r#"let
          lib = import {s}/nixpkgs-lib/lib;
          diskoLib = import {s}/disko/lib {{inherit lib;}};
          layout = (import ./hosts/{host}/disko.nix).disko.devices;
          ev = lib.evalModules {{
            modules = [{{
              options.disko.devices = lib.mkOption {{type = diskoLib.toplevel;}};
              config.disko.devices = layout;
            }}];
          }};
          merged = lib.evalModules {{
            modules = [{{
              freeformType = lib.types.lazyAttrsOf lib.types.anything;
              options.swapDevices = lib.mkOption {{type = lib.types.listOf lib.types.anything; default = [];}};
            }}] ++ lib.flatten ev.config.disko.devices._config;
          }};
        in {{
          script = builtins.stringLength ev.config.disko.devices._create > 0;
          inherit (merged.config) fileSystems swapDevices;
          luks = merged.config.boot.initrd.luks.devices or {{}};
        }}"#
    )
}

#[test]
fn disk_layouts_evaluate_with_disko_types() {
    let (Some(nix), Some(sources)) = (nix_instantiate(), nix_sources()) else { return };
    let dir = written();
    let laptop = eval(&nix, dir.path(), &disko_expr(&sources, "laptop"));
    assert_eq!(laptop["script"], true);
    let fs = &laptop["fileSystems"];
    let subvol = |mount: &str| fs[mount]["options"].as_array().unwrap().last().unwrap().clone();
    for (mount, name) in
        [("/", "@"), ("/home", "@home"), ("/nix", "@nix"), ("/persist", "@persist"), ("/.swapvol", "@swap")]
    {
        assert_eq!(subvol(mount), format!("subvol={name}"), "{mount}: {fs}");
        assert_eq!(fs[mount]["device"], "/dev/mapper/crypted", "{mount}");
    }
    assert_eq!(
        fs["/nix"]["options"],
        serde_json::json!(["compress=zstd:1", "noatime", "space_cache=v2", "subvol=@nix"])
    );
    assert_eq!(fs["/boot"]["device"], "/dev/disk/by-partlabel/disk-main-ESP");
    assert_eq!(fs["/data"]["device"], "/dev/disk/by-partlabel/disk-data-root");
    assert_eq!(subvol("/srv/media"), "subvol=/media");
    assert_eq!(laptop["swapDevices"][0]["device"], "/.swapvol/swapfile", "{laptop}");
    let luks = &laptop["luks"]["crypted"];
    assert_eq!(luks["device"], "/dev/disk/by-partlabel/disk-main-luks", "{laptop}");
    assert_eq!(luks["crypttabExtraOpts"], serde_json::json!(["tpm2-device=auto"]));
    assert_eq!(luks["allowDiscards"], true);

    let desktop = eval(&nix, dir.path(), &disko_expr(&sources, "desktop"));
    assert_eq!(desktop["fileSystems"]["/"]["fsType"], "ext4");
    let swap = &desktop["swapDevices"][0];
    assert_eq!(swap["device"], "/dev/disk/by-partlabel/disk-main-swap", "{desktop}");
    assert_eq!(swap["randomEncryption"]["enable"], true, "{desktop}");

    // What disko cannot say, the layout's module says beside it.
    let module = eval(&nix, dir.path(), "let m = import ./hosts/laptop/disko.nix; in {inherit (m) boot fileSystems;}");
    assert_eq!(module["boot"]["initrd"]["systemd"]["enable"], true);
    assert_eq!(module["fileSystems"]["/persist"]["neededForBoot"], true);
    let text = std::fs::read_to_string(dir.path().join("hosts/laptop/disko.nix")).unwrap();
    assert!(
        text.contains("sudo systemd-cryptenroll --tpm2-device=auto /dev/disk/by-partlabel/disk-main-luks"),
        "{text}"
    );
}

/// A host of the written fixture through nixpkgs' module system, with the options the checked
/// values need declared as NixOS and sops-nix declare them (`users.users.<name>.extraGroups`
/// a list, `sops.secrets.<name>.path` defaulting to `/run/secrets/<name>`) and everything
/// else free-form.
fn host_expr(sources: &Path, host: &str, users_module: &str) -> String {
    let s = sources.display();
    format!(
        r#"let
          lib = import {s}/nixpkgs-lib/lib;
          free = lib.types.lazyAttrsOf lib.types.anything;
          stubs = {{
            freeformType = free;
            options.users.users = lib.mkOption {{
              type = lib.types.attrsOf (lib.types.submodule {{
                freeformType = free;
                options.extraGroups = lib.mkOption {{type = lib.types.listOf lib.types.str; default = [];}};
              }});
              default = {{}};
            }};
            options.sops.secrets = lib.mkOption {{
              type = lib.types.attrsOf (lib.types.submodule ({{name, ...}}: {{
                freeformType = free;
                options.path = lib.mkOption {{type = lib.types.str; default = "/run/secrets/${{name}}";}};
              }}));
              default = {{}};
            }};
            config._module.args.pkgs.zsh = "<zsh>";
          }};
          # `inputs` is a special argument, as flake-parts' nixosSystem gives it: imports read it.
          ev = lib.evalModules {{
            specialArgs.inputs.disko.nixosModules.disko = {{}};
            modules = [./hosts/{host}/default.nix ./modules/{users_module} stubs];
          }};
        in ev.config"#
    )
}

#[test]
fn patches_groups_and_secret_paths_mean_what_the_fleet_says() {
    let (Some(nix), Some(sources)) = (nix_instantiate(), nix_sources()) else { return };
    let dir = written();
    let config = |host: &str, users: &str, select: &str| {
        eval(&nix, dir.path(), &format!("({}).{select}", host_expr(&sources, host, users)))
    };
    // The host's patch replaces `wayland` and `scale`; the profile's other defaults stay.
    assert_eq!(
        config("laptop", "users.nix", "modules.desktop.gnome"),
        serde_json::json!({
            "enable": true,
            "wayland": false,
            "favoriteApps": ["firefox.desktop", "org.gnome.Console.desktop"],
            "scale": 125
        })
    );
    // On a host without the patch, the profile's values.
    assert_eq!(config("desktop", "users.nix", "modules.desktop.gnome.wayland"), true);
    // Groups of the user and of two profiles concatenate; one profile's only on the other host.
    let mut groups: Vec<String> =
        serde_json::from_value(config("laptop", "users.nix", "users.users.jay.extraGroups")).unwrap();
    groups.sort();
    assert_eq!(groups, ["docker", "gamemode", "libvirtd", "wheel"]);
    let mut groups: Vec<String> =
        serde_json::from_value(config("desktop", "users.nix", "users.users.jay.extraGroups")).unwrap();
    groups.sort();
    assert_eq!(groups, ["gamemode", "wheel"]);
    // Secrets as values are their runtime paths, on NixOS and nix-darwin.
    assert_eq!(config("laptop", "users.nix", "networking.wireless.secretsFile"), "/run/secrets/wifi-env");
    assert_eq!(config("laptop", "users.nix", "environment.variables.FLEET_BACKUP_ENV"), "/run/secrets/backup-env");
    assert_eq!(
        config("mac", "users-darwin.nix", "launchd.user.agents.sync.serviceConfig.EnvironmentVariables.TOKEN_FILE"),
        "/run/secrets/backup-env"
    );
}

// ---------------------------------------------------------------------------------------------
// Refusals

use fleet_tests::generate_fresh as run;

fn rejected(fleet: Fleet<NoSpec>, messages: &[&str]) {
    fleet_tests::assert_refused(&fleet.into_data(), messages);
}

fn keyed(name: &str) -> Host<Nixos, NoSpec> {
    Host::nixos(name, System::X86_64Linux)
        .age_key(age_key!("age1gmkp5g8ffy9gc567394w6ez3kve6gmrljnfd87rutxzu8pse256qu9teuc"))
}

fn fleet() -> Fleet<NoSpec> {
    Fleet::new("f").admin("alice", age_key!("age1dk6h2nx83hkghl5dph0j68s6tplnp7n65swu4crt6574fcztv4msukywz0"))
}

#[test]
fn a_secret_path_needs_a_host_that_reads_the_secret() {
    let p = Profile::nixos("backup").set("services.fleetBackup.environmentFile", Common::backup_env());
    let reads = Profile::nixos("reads").secrets::<Common>();
    rejected(
        fleet()
            .host(keyed("a").profile(&p).set("networking.wireless.secretsFile", Wifi::wifi_env()))
            .host(keyed("b").profile(&p).profile(&reads)),
        &[
            "profile `backup` uses the path of secret `backup-env` (of `Common`) at `services.fleetBackup.environmentFile`, but host `a` does not read `Common`\n",
            "= help: attach it with `.secrets::<Common>()` to profile `backup`",
            "host `a` uses the path of secret `wifi-env` (of `Wifi`) at `networking.wireless.secretsFile`, but host `a` does not read `Wifi`",
        ],
    );
    // Read through another of the host's profiles, or by the host itself: accepted.
    let ok = fleet()
        .host(keyed("b").profile(&p).profile(&reads))
        .host(keyed("c").profile(&p).secrets::<Common>().secrets::<Wifi>().set("x.y", Wifi::wifi_env()))
        .into_data();
    let (code, err, _) = run(&ok);
    assert_eq!(code, ExitCode::SUCCESS, "{err}");
}

#[test]
fn a_secret_path_is_refused_in_a_home() {
    let me = User::new("me").home(Home::new().set("home.sessionVariables.TOKEN_FILE", Common::backup_env()));
    let p = Profile::nixos("p").user(&me).secrets::<Common>();
    rejected(
        fleet().host(keyed("a").profile(&p)),
        &["the home of user `me`: the value at `home.sessionVariables.TOKEN_FILE` is the path of secret `backup-env`, but secrets are declared on the system"],
    );
}

/// Secrets whose key the derive would refuse, built by hand to reach the generator's check.
struct BadKeys;

impl Secrets for BadKeys {
    type Platform = Any;
    fn secret_set() -> SecretSet {
        let key = |name: &str, key: &str| SecretDecl { key: Some(key.into()), ..SecretDecl::new(name) };
        SecretSet {
            rust_name: "BadKeys".into(),
            scope: Scope::Common,
            secrets: vec![
                key("nested", "user/hashedPassword"),
                key("double", "a//b"),
                key("lead", "/a"),
                key("empty", ""),
            ],
        }
    }
}

#[test]
fn sops_keys_nest_at_slashes_without_empty_parts() {
    let p = Profile::nixos("p").secrets::<BadKeys>();
    let fleet = fleet().host(keyed("a").profile(&p));
    let (_, err, _) = run(&fleet.clone().into_data());
    assert!(!err.contains("key `user/hashedPassword`"), "{err}");
    rejected(
        fleet,
        &[
            "secret `double` of `BadKeys` has key `a//b`, which sops-nix cannot look up: a `/` separates nested YAML keys",
            "secret `lead` of `BadKeys` has key `/a`",
            "secret `empty` of `BadKeys` has key ``, which sops-nix cannot look up: it is empty",
        ],
    );
}

#[test]
fn groups_go_to_users_the_host_has() {
    let jay = User::new("jay");
    let other = User::new("other");
    let gaming = Profile::nixos("gaming")
        .user_groups(&jay, ["gamemode"])
        .user_groups(&other, ["Bad Group"])
        .groups_for_users(["games", "Not;Ok"]);
    let with_jay = Profile::nixos("people").user(&jay).user(&other);
    rejected(
        Fleet::new("f")
            .host(Host::nixos("a", System::X86_64Linux).profile(&gaming))
            .host(Host::nixos("b", System::X86_64Linux).profile(&gaming).profile(&with_jay)),
        &[
            "profile `gaming` gives groups to user `jay`, but host `a` (which has the profile) does not have that user",
            "user `other` has group `Bad Group` from profile `gaming`, which is not a group name",
            "profile `gaming` gives its users the group `Not;Ok`, which is not a group name",
        ],
    );
    let (code, err, _) = run(&Fleet::<NoSpec>::new("f")
        .host(
            Host::nixos("b", System::X86_64Linux)
                .profile(&with_jay)
                .profile(&Profile::nixos("g").user_groups(&jay, ["gamemode"])),
        )
        .into_data());
    assert_eq!(code, ExitCode::SUCCESS, "{err}");
}

#[test]
fn disk_layouts_that_would_not_boot() {
    let host = |name: &str| Host::nixos(name, System::X86_64Linux);
    rejected(
        Fleet::new("f")
            .host(host("a").disko(Disko::luks_btrfs("/dev/sda").subvolumes([
                Subvolume::new("@", "/"),
                Subvolume::new("a//b", "/x"),
                Subvolume::new("$(reboot)", "/y"),
                Subvolume::new("..", "/z"),
                Subvolume::new("@swap", "/swap").swapfile("lots").mount_options(["noatime", "a b"]),
                Subvolume::unmounted("@snap").mount_options(["noatime"]),
            ])))
            .host(
                host("b").disko(Disko::gpt_ext4("/dev/sda")).disko(Disko::gpt_ext4("/dev/sdb").swap_partition("1.5G")),
            )
            .host(
                host("c").disko(Disko::gpt_ext4("/dev/sda").no_esp().needed_for_boot("/persist")).disko(
                    Disko::btrfs("/dev/sdb").name("data").no_esp().subvolumes([Subvolume::new("@data", "/data")]),
                ),
            ),
        &[
            "host `a`: btrfs subvolume `a//b` is not a subvolume name",
            "host `a`: btrfs subvolume `$(reboot)` is not a subvolume name",
            "host `a`: btrfs subvolume `..` is not a subvolume name",
            "host `a`: btrfs subvolume `@swap` has mount option `a b`",
            "host `a`: swap file size `lots` of btrfs subvolume `@swap` is not a size",
            "host `a`: btrfs subvolume `@snap` has mount options but is not mounted",
            "host `b`: two disks are named `main`",
            "host `b`: two disks have an EFI partition at `/boot`",
            "host `b`: mount point `/` is used twice",
            "host `b`: swap partition size `1.5G` of disk `main` is not a size",
            "host `c`: no disk has an EFI system partition",
            "host `c`: disk `main` marks `/persist` needed for boot, but mounts nothing there",
        ],
    );
}
