//! Hosts evaluated by the real nixpkgs module system (`lib.evalModules` from
//! `../shared/nix-sources`, through the harness in `tests/nix/`): every option resolves with
//! real priorities and real type merging, against NixOS / nix-darwin options declared as
//! upstream declares them and the definitions upstream itself makes. The checks skip loudly
//! without `nix-instantiate` or the sources, and are mandatory under `CI=true`.
#![allow(clippy::unwrap_used)]

use fleet_dsl::prelude::*;
use fleet_dsl::{FleetData, NoSpec};
use fleet_tests::{eval_hosts, eval_hosts_with, fixtures, module_system, option_path, render, write_tree};
use serde_json::{json, Value};
use std::path::Path;

/// A fleet rendered and written to a temporary directory.
struct Written {
    dir: tempfile::TempDir,
}

fn written(fleet: &FleetData) -> Written {
    let out = tempfile::tempdir().unwrap();
    let tree = render(fleet, out.path());
    let dir = tempfile::tempdir().unwrap();
    write_tree(&tree, dir.path()).unwrap();
    Written { dir }
}

/// The names in a JSON list of strings.
fn names(v: &Value) -> Vec<&str> {
    v.as_array().unwrap_or_else(|| panic!("not a list: {v}")).iter().map(|n| n.as_str().unwrap()).collect()
}

#[test]
fn every_fixture_host_evaluates() {
    let Some(nix) = module_system() else { return };
    for (name, fleet) in fixtures() {
        let w = written(&fleet);
        let result = eval_hosts(&nix, w.dir.path());
        let hosts = result.unwrap_or_else(|e| panic!("{name}: {e}"));
        let evaluated: Vec<&str> = hosts.as_object().unwrap().keys().map(String::as_str).collect();
        for h in &fleet.hosts {
            assert!(evaluated.contains(&h.name.as_str()), "{name}: host {} was not evaluated", h.name);
            let host = &hosts[h.name.as_str()];
            assert_eq!(host["config"]["networking"]["hostName"], h.name.as_str(), "{name}");
            assert_eq!(host["assertions"], json!([]), "{name}: host {} fails assertions", h.name);
        }
    }
}

/// The typed options of the test module.
#[derive(fleet_dsl::NixOptions)]
#[options(path = "modules.web")]
pub struct Web {
    /// Serve.
    #[spec(default = false)]
    pub enable: bool,
    /// Port.
    #[spec(port, default = 80)]
    pub port: u16,
}

fn web_fleet(host_port: Option<u16>) -> FleetData {
    let profile = Profile::nixos("web").options(Web { enable: true, port: 8080 });
    let mut host = Host::<Nixos, NoSpec>::nixos("a", System::X86_64Linux).profile(&profile);
    if let Some(port) = host_port {
        host = host.options(Web { enable: true, port });
    }
    Fleet::new("web").host(host).host(Host::nixos("b", System::X86_64Linux).profile(&profile)).into_data()
}

#[test]
fn host_values_override_profile_defaults() {
    let Some(nix) = module_system() else { return };
    let w = written(&web_fleet(Some(443)));
    let hosts = eval_hosts(&nix, w.dir.path()).unwrap();
    assert_eq!(hosts["a"]["config"]["modules"]["web"], json!({"enable": true, "port": 443}));
    assert_eq!(hosts["b"]["config"]["modules"]["web"], json!({"enable": true, "port": 8080}));
}

/// A fleet whose host `a` sets the [`Web`] options itself (so it imports their declarations)
/// and uses the profile `extra`, which sets nothing: tests overwrite `profiles/extra.nix` by
/// hand, whatever the renderer's layout.
fn hand_written_profile_fleet() -> FleetData {
    let extra = Profile::nixos("extra").description("Replaced by hand in the tests.");
    Fleet::<NoSpec>::new("hand")
        .host(Host::nixos("a", System::Aarch64Linux).profile(&extra).options(Web { enable: true, port: 443 }))
        .into_data()
}

/// Writes [`hand_written_profile_fleet`] with `profiles/extra.nix` replaced by `profile`, and
/// evaluates it.
fn with_profile(profile: &str, paths: &[&str]) -> Result<Value, String> {
    let nix = module_system().unwrap();
    let w = written(&hand_written_profile_fleet());
    let file = w.dir.path().join("profiles/extra.nix");
    assert!(file.is_file(), "the renderer wrote no {}", file.display());
    std::fs::write(&file, profile).unwrap();
    eval_hosts_with(&nix, w.dir.path(), paths)
}

/// The evaluator is not toothless: a wrongly typed value and two plain definitions that
/// disagree each fail with the module system's own message.
#[test]
fn the_module_system_rejects_wrong_types_and_conflicts() {
    if module_system().is_none() {
        return;
    }
    let err = with_profile("{lib, ...}: {modules.web.port = lib.mkForce \"8080\";}\n", &[]).unwrap_err();
    assert!(
        err.contains("A definition for option `modules.web.port' is not of type `16 bit unsigned integer"),
        "{err}"
    );
    assert!(err.contains("profiles/extra.nix"), "the message names the file: {err}");

    // Plain against the host's plain 443: a conflict, naming both files.
    let err = with_profile("{modules.web.port = 1;}\n", &[]).unwrap_err();
    assert!(err.contains("The option `modules.web.port' has conflicting definition values"), "{err}");
    assert!(err.contains("profiles/extra.nix") && err.contains("hosts/a"), "{err}");

    // Under lib.mkDefault, the profile loses to the host without a conflict; and a losing
    // definition is never type-checked, as in the real module system.
    let hosts = with_profile("{lib, ...}: {modules.web.port = lib.mkDefault 1;}\n", &[]).unwrap();
    assert_eq!(hosts["a"]["config"]["modules"]["web"]["port"], 443);
    let hosts = with_profile("{lib, ...}: {modules.web.port = lib.mkDefault \"8080\";}\n", &[]).unwrap();
    assert_eq!(hosts["a"]["config"]["modules"]["web"]["port"], 443);

    // An option NixOS declares is checked too: a port out of range, a bad host name.
    let err = with_profile("{networking.firewall.allowedTCPPorts = [70000];}\n", &[]).unwrap_err();
    assert!(err.contains("networking.firewall.allowedTCPPorts"), "{err}");
    let err = with_profile("{users.users.x = {isNormalUser = true; extraGroups = \"wheel\";};}\n", &[]).unwrap_err();
    assert!(err.contains("users.users.x.extraGroups' is not of type `list of string'"), "{err}");

    // NixOS' own assertions are reported: a login shell whose program is not enabled.
    let hosts =
        with_profile("{pkgs, ...}: {users.users.x = {isNormalUser = true; shell = pkgs.fish;};}\n", &[]).unwrap();
    assert_eq!(
        hosts["a"]["assertions"],
        json!(["users.users.x.shell is set to fish, but programs.fish.enable is not true."])
    );
    let hosts = with_profile(
        "{pkgs, ...}: {users.users.x = {isNormalUser = true; shell = pkgs.fish;}; programs.fish.enable = true;}\n",
        &[],
    )
    .unwrap();
    assert_eq!(hosts["a"]["assertions"], json!([]));
}

/// A package the fake `pkgs` lacks is an error naming it, unless the caller adds it.
#[test]
fn extra_packages_for_the_fake_pkgs() {
    let Some(nix) = module_system() else { return };
    let w = written(&hand_written_profile_fleet());
    std::fs::write(
        w.dir.path().join("profiles/extra.nix"),
        "{pkgs, ...}: {environment.systemPackages = [pkgs.cowsay];}\n",
    )
    .unwrap();
    let err = eval_hosts(&nix, w.dir.path()).unwrap_err();
    assert!(err.contains("attribute 'cowsay' missing"), "{err}");
    let hosts = fleet_tests::eval_hosts_with_packages(&nix, w.dir.path(), &[], &["cowsay"]).unwrap();
    assert!(names(&hosts["a"]["config"]["environment"]["systemPackages"]).contains(&"cowsay"));
}

/// The priority fight is real: a profile's `lib.mkDefault` list of packages loses to the
/// normal-priority `environment.systemPackages` NixOS itself defines (system-path.nix), so its
/// packages vanish; the same list at normal priority is concatenated with NixOS' own.
#[test]
fn a_mkdefault_list_loses_to_nixpkgs_own_definitions() {
    if module_system().is_none() {
        return;
    }
    let packages = |profile: &str| -> Vec<String> {
        let hosts = with_profile(profile, &[]).unwrap_or_else(|e| panic!("{e}"));
        names(&hosts["a"]["config"]["environment"]["systemPackages"]).into_iter().map(str::to_owned).collect()
    };
    let lost = packages("{lib, pkgs, ...}: {environment.systemPackages = lib.mkDefault [pkgs.git pkgs.htop];}\n");
    assert!(lost.iter().any(|p| p == "coreutils-full"), "NixOS' own packages: {lost:?}");
    assert!(!lost.iter().any(|p| p == "git" || p == "htop"), "the mkDefault list must vanish: {lost:?}");

    let kept = packages("{pkgs, ...}: {environment.systemPackages = [pkgs.git pkgs.htop];}\n");
    assert!(kept.iter().any(|p| p == "coreutils-full"), "{kept:?}");
    assert!(kept.iter().any(|p| p == "git") && kept.iter().any(|p| p == "htop"), "{kept:?}");

    // The same for a list NixOS defines by default through `mkAfter`, and for the kernel
    // modules it defines at normal priority.
    let hosts = with_profile(
        "{lib, ...}: {\n  nix.settings.substituters = lib.mkDefault [\"https://example.org\"];\n  \
         boot.initrd.availableKernelModules = lib.mkDefault [\"nvme\"];\n  boot.kernelModules = [\"kvm-intel\"];\n}\n",
        &["nix.settings.substituters"],
    )
    .unwrap();
    let a = &hosts["a"];
    assert_eq!(a["paths"]["nix.settings.substituters"], json!(["https://cache.nixos.org/"]));
    assert!(!names(&a["config"]["boot"]["initrd"]["availableKernelModules"]).contains(&"nvme"));
    assert!(names(&a["config"]["boot"]["kernelModules"]).contains(&"kvm-intel"));
    assert!(names(&a["config"]["boot"]["kernelModules"]).contains(&"loop"));
}

/// Undeclared options (the freeform part) keep real priorities: a profile's `lib.mkDefault`
/// loses to the host's value, and two plain values that differ conflict.
#[test]
fn freeform_options_keep_priorities() {
    let Some(nix) = module_system() else { return };
    let w = written(&minimal_with_override());
    let hosts = eval_hosts_with(
        &nix,
        w.dir.path(),
        &["services.openssh.enable", "services.fail2ban.enable", "networking.firewall.allowedTCPPorts", "nothing.here"],
    )
    .unwrap();
    assert_eq!(hosts["web"]["paths"]["services.openssh.enable"], false, "the host beats the profile");
    assert_eq!(hosts["web"]["paths"]["services.fail2ban.enable"], true, "the profile's default");
    assert_eq!(hosts["web"]["paths"]["networking.firewall.allowedTCPPorts"], json!([80, 443]));
    assert_eq!(hosts["web"]["paths"].get("nothing.here"), None, "an undefined path is left out");
    assert_eq!(hosts["other"]["paths"]["services.openssh.enable"], true);

    let err = with_profile("{imports = [{services.x.y = 1;}]; services.x.y = 2;}\n", &["services.x.y"]).unwrap_err();
    assert!(err.contains("The option `services.x.y' has conflicting definition values"), "{err}");
}

fn minimal_with_override() -> FleetData {
    let base =
        Profile::nixos("base").default("services.openssh.enable", true).default("services.fail2ban.enable", true);
    Fleet::<NoSpec>::new("minimal")
        .host(
            Host::nixos("web", System::Aarch64Linux)
                .profile(&base)
                .set("services.openssh.enable", false)
                .set("networking.firewall.allowedTCPPorts", vec![80, 443]),
        )
        .host(Host::nixos("other", System::X86_64Linux).profile(&base))
        .into_data()
}

/// What the fixtures say reaches the evaluated configuration: users, shells, secrets, homes,
/// platforms.
#[test]
fn fixture_values_reach_the_configuration() {
    let Some(nix) = module_system() else { return };
    let eval = |fleet: FleetData| {
        let w = written(&fleet);
        eval_hosts(&nix, w.dir.path()).unwrap_or_else(|e| panic!("{e}"))
    };

    let secrets = eval(fleet_tests::secrets_fleet());
    let alpha = &secrets["alpha"]["config"];
    assert_eq!(alpha["nixpkgs"]["hostPlatform"], "x86_64-linux");
    let ops = &alpha["users"]["users"]["ops"];
    assert_eq!(ops["isNormalUser"], true);
    assert_eq!(ops["extraGroups"], json!(["wheel"]));
    assert_eq!(ops["home"], "/home/ops");
    let db = &alpha["sops"]["secrets"]["db-root-password"];
    assert_eq!(db["key"], "db/root-password", "{db}");
    assert_eq!(db["mode"], "0440");
    assert_eq!(db["neededForUsers"], true);
    assert_eq!(db["path"], "/var/lib/db/root-password");
    assert_eq!(db["restartUnits"], json!(["postgresql.service", "pgbouncer.service"]));
    assert_eq!(db["sopsFile"], "secrets/alpha.yaml");
    let password = &alpha["sops"]["secrets"]["user-password"];
    assert_eq!(password["sopsFile"], "secrets/common.yaml");
    assert_eq!(ops["hashedPasswordFile"], password["path"], "the user's password is the secret");
    let beta = &secrets["beta"]["config"]["sops"]["secrets"];
    assert_eq!(beta["jellyfin-api-key"]["owner"], "jellyfin");
    assert_eq!(beta["jellyfin-api-key"]["group"], "jellyfin", "sops-nix's default: the owner's group");
    assert_eq!(beta["smb-credentials"]["key"], "smb");
    assert_eq!(beta["smb-credentials"]["sopsFile"], "secrets/media.yaml");
    assert_eq!(secrets["mac"]["class"], "darwin");
    assert_eq!(secrets["mac"]["config"]["nixpkgs"]["hostPlatform"], "aarch64-darwin");

    let macs = eval(fleet_tests::darwin_unstable_fleet());
    let air = &macs["air"]["config"];
    assert_eq!(air["users"]["users"]["me"]["shell"], "fish");
    assert_eq!(air["users"]["users"]["me"]["home"], "/Users/me");
    assert_eq!(air["system"]["primaryUser"], "me");
    assert!(names(&air["environment"]["systemPackages"]).contains(&"fish"), "programs.fish.enable installs fish");
    assert!(names(&air["environment"]["systemPackages"]).contains(&"darwin-rebuild"));
    assert_eq!(macs["mini"]["config"]["system"]["stateVersion"], 5);
}

/// Modules get the `pkgs` of their host's platform, as on NixOS.
#[test]
fn pkgs_follow_the_host_platform() {
    if module_system().is_none() {
        return;
    }
    let hosts =
        with_profile("{pkgs, ...}: {fleetTest.system = pkgs.stdenv.hostPlatform.system;}\n", &["fleetTest.system"])
            .unwrap();
    assert_eq!(hosts["a"]["paths"]["fleetTest.system"], "aarch64-linux");
    assert_eq!(hosts["a"]["config"]["nixpkgs"]["hostPlatform"], "aarch64-linux");
}

/// nix-darwin's own normal-priority packages beat a profile's `lib.mkDefault` list there too.
#[test]
fn a_mkdefault_list_loses_on_nix_darwin_too() {
    let Some(nix) = module_system() else { return };
    let extra = Profile::darwin("extra");
    let fleet = Fleet::<NoSpec>::new("mac").host(Host::darwin("m", System::Aarch64Darwin).profile(&extra)).into_data();
    let w = written(&fleet);
    let file = w.dir.path().join("profiles/extra.nix");
    assert!(file.is_file(), "the renderer wrote no {}", file.display());
    let packages = |profile: &str| -> Vec<String> {
        std::fs::write(&file, profile).unwrap();
        let hosts = eval_hosts(&nix, w.dir.path()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(hosts["m"]["class"], "darwin");
        names(&hosts["m"]["config"]["environment"]["systemPackages"]).into_iter().map(str::to_owned).collect()
    };
    let lost = packages("{lib, pkgs, ...}: {environment.systemPackages = lib.mkDefault [pkgs.git];}\n");
    assert!(lost.iter().any(|p| p == "darwin-rebuild"), "{lost:?}");
    assert!(!lost.iter().any(|p| p == "git"), "{lost:?}");
    let kept = packages("{pkgs, ...}: {environment.systemPackages = [pkgs.git];}\n");
    assert!(kept.iter().any(|p| p == "darwin-rebuild") && kept.iter().any(|p| p == "git"), "{kept:?}");
}

/// Disk layouts are evaluated by the real disko module: its defaults appear (partition labels
/// and devices), and a layout disko does not know fails with disko's own message.
#[test]
fn disk_layouts_evaluate_with_the_real_disko() {
    let Some(nix) = module_system() else { return };
    let fleet = Fleet::<NoSpec>::new("disks")
        .host(Host::nixos("ext", System::X86_64Linux).disko(Disko::gpt_ext4("/dev/disk/by-id/ext-disk")))
        .host(Host::nixos("zfs", System::X86_64Linux).disko(Disko::zfs("/dev/disk/by-id/zfs-disk", "8425e349")))
        .into_data();
    let w = written(&fleet);
    let hosts = eval_hosts(&nix, w.dir.path()).unwrap_or_else(|e| panic!("{e}"));
    let ext = &hosts["ext"]["config"]["disko"]["devices"]["disk"];
    let disk = ext.as_object().unwrap().values().next().unwrap();
    assert_eq!(disk["device"], "/dev/disk/by-id/ext-disk");
    let partitions = disk["content"]["partitions"].as_object().unwrap();
    let mountpoints: Vec<&str> = partitions.values().filter_map(|p| p["content"]["mountpoint"].as_str()).collect();
    assert!(mountpoints.contains(&"/") && mountpoints.contains(&"/boot"), "{mountpoints:?}");
    for (name, p) in partitions {
        assert!(
            p["device"].as_str().unwrap().starts_with("/dev/disk/by-partlabel/"),
            "disko's default for {name}: {p}"
        );
    }
    let pools = hosts["zfs"]["config"]["disko"]["devices"]["zpool"].as_object().unwrap();
    let datasets = &pools.values().next().unwrap()["datasets"];
    assert_eq!(datasets["nix"]["mountpoint"], "/nix", "{datasets}");

    let file = w.dir.path().join("hosts/ext/disko.nix");
    assert!(file.is_file(), "the renderer wrote no {}", file.display());
    std::fs::write(
        &file,
        "{disko.devices.disk.main = {type = \"disk\"; device = \"/dev/sda\"; content.type = \"gpt-typo\";};}\n",
    )
    .unwrap();
    let err = eval_hosts(&nix, w.dir.path()).unwrap_err();
    // disko's own failure: its content types are looked up by name in disko/lib.
    assert!(err.contains("attribute 'gpt-typo' missing") && err.contains("disko/lib"), "{err}");
}

fn home_fleet(path: &str, value: impl Into<fleet_dsl::NixValue>) -> FleetData {
    let user = User::new("u").home(Home::new().set("programs.direnv.enable", true).set(path, value));
    let profile = Profile::nixos("people").user(&user);
    Fleet::<NoSpec>::new("homes").host(Host::nixos("h", System::X86_64Linux).profile(&profile)).into_data()
}

/// Homes are evaluated against the option declarations of all of home-manager's modules: the
/// values a home defines are reported, and an option home-manager does not have, or a wrongly
/// typed value, fails with home-manager's own message.
#[test]
fn homes_evaluate_against_home_managers_options() {
    let Some(nix) = module_system() else { return };
    let eval = |fleet: FleetData| {
        let w = written(&fleet);
        eval_hosts(&nix, w.dir.path())
    };
    let hosts = eval(home_fleet("programs.git.settings.user.name", "U")).unwrap_or_else(|e| panic!("{e}"));
    let home = &hosts["h"]["config"]["home-manager"]["users"]["u"];
    assert_eq!(home["programs"]["direnv"]["enable"], true, "{home}");
    assert_eq!(home["programs"]["git"]["settings"]["user"]["name"], "U");
    assert_eq!(home["home"]["homeDirectory"], "/home/u", "from the system's user");
    assert!(home["home"]["stateVersion"].is_string());

    let err = eval(home_fleet("programs.gti.enable", true)).unwrap_err();
    assert!(err.contains("The option `home-manager.users.u.programs.gti' does not exist"), "{err}");
    let err = eval(home_fleet("programs.git.enable", "yes")).unwrap_err();
    assert!(
        err.contains("A definition for option `home-manager.users.u.programs.git.enable' is not of type `boolean'"),
        "{err}"
    );
}

/// nix-darwin hosts are evaluated against the declarations of all of nix-darwin's modules: an
/// option nix-darwin does not have, or a wrongly typed value, fails as on a real Mac.
#[test]
fn macs_evaluate_against_nix_darwins_options() {
    let Some(nix) = module_system() else { return };
    let mac = |path: &str, value: fleet_dsl::NixValue| {
        let fleet =
            Fleet::<NoSpec>::new("mac").host(Host::darwin("m", System::Aarch64Darwin).set(path, value)).into_data();
        let w = written(&fleet);
        eval_hosts_with(&nix, w.dir.path(), &[path])
    };
    let hosts = mac("system.defaults.dock.autohide", true.into()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(hosts["m"]["paths"]["system.defaults.dock.autohide"], true);
    let err = mac("system.defaults.dock.autohidee", true.into()).unwrap_err();
    assert!(err.contains("The option `system.defaults.dock.autohidee' does not exist"), "{err}");
    let err = mac("system.defaults.dock.autohide", "yes".into()).unwrap_err();
    assert!(
        err.contains("A definition for option `system.defaults.dock.autohide' is not of type `null or boolean'"),
        "{err}"
    );
}

/// Without the upstream sources the checks skip loudly, except under `CI=true`, where they fail.
#[test]
fn missing_sources_skip_or_fail_under_ci() {
    let missing = Path::new("/nonexistent/shared/nix-sources");
    let found = std::panic::catch_unwind(|| fleet_tests::nix_sources_in(missing));
    if fleet_tests::under_ci() {
        assert!(found.is_err(), "under CI=true missing sources must fail");
    } else {
        assert_eq!(found.unwrap(), None);
    }
    assert_eq!(
        fleet_tests::nix_sources_in(&fleet_tests::nix_sources_dir()).is_some(),
        fleet_tests::nix_sources().is_some()
    );
}

/// The harness's own Nix files are formatted as the generated ones are (alejandra).
#[test]
fn the_harness_is_alejandra_formatted() {
    let files: Vec<_> = fleet_tests::files_under(&fleet_tests::harness_dir())
        .into_iter()
        .filter(|f| f.extension().is_some_and(|e| e == "nix"))
        .collect();
    assert!(files.len() >= 8, "{files:?}");
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        match alejandra::format::in_memory(file.display().to_string(), text) {
            (alejandra::format::Status::Changed(false), _) => {}
            (alejandra::format::Status::Changed(true), after) => {
                panic!("{} is changed by alejandra:\n{after}", file.display())
            }
            (alejandra::format::Status::Error(e), _) => panic!("{}: {e}", file.display()),
        }
    }
}

#[test]
fn option_paths_split_on_unquoted_dots() {
    assert_eq!(option_path("a.b.c"), ["a", "b", "c"]);
    assert_eq!(option_path(r#"a."b.c".d"#), ["a", "b.c", "d"]);
    assert_eq!(option_path(&format!("x.{}", fleet_tests::quote_segment("q\"u\\o.te"))), ["x", "q\"u\\o.te"]);
    assert!(Path::new(&fleet_tests::harness_dir()).join("eval-hosts.nix").is_file());
}

/// The fleet means what it says (fixture `meaning`), evaluated by the real module system with
/// nixpkgs' own definitions: list contributions of two profiles and the host all present next
/// to nixpkgs' packages; a host's plain value beats a profile default, leaf by leaf; raw Nix,
/// negative numbers and packages evaluate to the values intended; homes get the host's
/// additions and read `osConfig`.
#[test]
fn the_meaning_fleet_evaluates_as_it_says() {
    let Some(nix) = module_system() else { return };
    let w = written(&fleet_tests::meaning_fleet());
    let paths = [
        "fleetTest",
        "services.openssh.enable",
        "services.openssh.settings.PasswordAuthentication",
        "services.openssh.settings.X11Forwarding",
        "networking.firewall.allowedTCPPorts",
    ];
    let hosts = eval_hosts_with(&nix, w.dir.path(), &paths).unwrap_or_else(|e| panic!("{e}"));
    for (host, wanted) in fleet_tests::MEANING_PACKAGES {
        let config = &hosts[host]["config"];
        let packages = names(&config["environment"]["systemPackages"]);
        for p in wanted {
            assert!(packages.contains(p), "{host}: `{p}` is missing from {packages:?}");
        }
        assert!(packages.contains(&"coreutils-full"), "{host}: nixpkgs' own packages are kept: {packages:?}");
        assert!(names(&config["environment"]["systemPackages"]).len() > wanted.len());
    }
    let deployed = &hosts["deployed"]["paths"];
    let undeployed = &hosts["undeployed"]["paths"];
    assert_eq!(deployed["services.openssh.enable"], false, "the host's plain value beats the profile default");
    assert_eq!(undeployed["services.openssh.enable"], true);
    assert_eq!(deployed["services.openssh.settings.X11Forwarding"], false, "one leaf overridden");
    assert_eq!(deployed["services.openssh.settings.PasswordAuthentication"], false, "the other leaf kept");
    assert_eq!(undeployed["services.openssh.settings.X11Forwarding"], true);
    assert!(names_of_ints(&deployed["networking.firewall.allowedTCPPorts"]).contains(&22));

    let t = &deployed["fleetTest"];
    assert_eq!(t["offset"], -5, "a host's negative number beats the profile's");
    assert_eq!(undeployed["fleetTest"]["offset"], -1);
    assert_eq!(t["numbers"], json!([-1, 2, -3]));
    assert_eq!(t["sum"], -5, "-2 + 3 * -1");
    assert_eq!(t["script"], fleet_tests::MEANING_SCRIPT, "the '' string round-trips");
    let hello = t["hello"].as_str().unwrap();
    assert!(hello.starts_with("/nix/store/") && hello.ends_with("-hello/bin/hello"), "lib.getExe' applied: {hello}");
    assert_eq!(undeployed["fleetTest"]["hostName"], "undeployed", "raw Nix reads config");

    let me = |host: &str| hosts[host]["config"]["home-manager"]["users"]["me"].clone();
    assert_eq!(me("deployed")["home"]["sessionVariables"]["FLEET_HOST"], "deployed", "osConfig in a home");
    assert_eq!(me("undeployed")["home"]["sessionVariables"]["FLEET_HOST"], "undeployed");
    assert_eq!(me("deployed")["home"]["sessionVariables"]["HSA_OVERRIDE_GFX_VERSION"], "10.3.0");
    assert!(me("undeployed")["home"]["sessionVariables"].get("HSA_OVERRIDE_GFX_VERSION").is_none());
    let home_packages = me("deployed")["home"]["packages"].clone();
    assert!(names(&home_packages).contains(&"hello") && names(&home_packages).contains(&"htop"), "{home_packages}");
    let init = me("deployed")["programs"]["zsh"]["initContent"].as_str().unwrap_or_default().to_owned();
    assert!(init.contains("export FLEET_TEST=1\nalias gs='git status'\n"), "{init}");
}

fn names_of_ints(v: &Value) -> Vec<i64> {
    v.as_array().unwrap_or_else(|| panic!("not a list: {v}")).iter().filter_map(Value::as_i64).collect()
}
