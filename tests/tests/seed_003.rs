//! Seed 003's fleet (`fleet_tests::seed_003_fleet`): at most five escape hatches, each with its
//! reason, and the hosts evaluate, with the real module system, to what the seed asks for.
#![allow(clippy::unwrap_used)]

use fleet_tests::{escape_hatches, eval_hosts_with, module_system, render, seed_003_fleet, write_tree};
use serde_json::Value;

#[test]
fn seed_003_needs_at_most_five_escape_hatches() {
    let found = escape_hatches(&seed_003_fleet());
    let declared: Vec<&str> = fleet_tests::SEED_003_ESCAPE_HATCHES.iter().map(|(h, _)| *h).collect();
    assert_eq!(found, declared, "every escape hatch is listed with its reason");
    assert!(found.len() <= 5, "{found:?}");
}

fn names(v: &Value) -> Vec<&str> {
    v.as_array().unwrap_or_else(|| panic!("not a list: {v}")).iter().filter_map(Value::as_str).collect()
}

#[test]
fn seed_003_hosts_are_what_the_seed_describes() {
    let Some(nix) = module_system() else { return };
    let fleet = seed_003_fleet();
    let out = tempfile::tempdir().unwrap();
    let tree = render(&fleet, out.path());
    let dir = tempfile::tempdir().unwrap();
    write_tree(&tree, dir.path()).unwrap();
    let paths = [
        "programs.steam.enable",
        "travelRouter",
        "boot.initrd.systemd.enable",
        "fileSystems./persist.neededForBoot",
        "system.autoUpgrade.enable",
        "services.desktopManager.plasma6.enable",
        "security.tpm2.enable",
    ];
    let hosts = eval_hosts_with(&nix, dir.path(), &paths).unwrap_or_else(|e| panic!("{e}"));
    let config = |h: &str| hosts[h]["config"].clone();
    let path = |h: &str, p: &str| hosts[h]["paths"].get(p).cloned().unwrap_or(Value::Null);

    for (host, kind) in [("slax", "desktop"), ("brix", "miniPc"), ("snix", "laptop"), ("nixtv-player", "appliance")] {
        assert_eq!(config(host)["hostSpec"]["hostType"], kind, "{host}");
        assert_eq!(config(host)["hostSpec"]["primaryUser"], "me", "{host}");
        assert_eq!(config(host)["networking"]["hostName"], host);
    }
    // Features select profiles: gaming on slax and brix only; KDE on the three desktops.
    assert_eq!(path("slax", "programs.steam.enable"), true);
    assert_eq!(path("brix", "programs.steam.enable"), true);
    assert_eq!(path("snix", "programs.steam.enable"), Value::Null);
    assert_eq!(path("nixtv-player", "services.desktopManager.plasma6.enable"), Value::Null);
    assert_eq!(path("snix", "services.desktopManager.plasma6.enable"), true);
    assert_eq!(path("snix", "security.tpm2.enable"), true, "security feature");
    // Groups the feature profiles give the user concatenate with the user's own.
    let snix = config("snix");
    let mut groups: Vec<&str> = names(&snix["users"]["users"]["me"]["extraGroups"]);
    groups.sort_unstable();
    assert_eq!(groups, ["audio", "libvirtd", "networkmanager", "podman", "video", "wheel"]);
    // Packages: the shared ones, a feature's, an unstable one, the host's own.
    let slax_config = config("slax");
    let slax = names(&slax_config["environment"]["systemPackages"]).join(" ");
    for p in ["git", "vim", "gcc", "zed-editor", "mpv"] {
        assert!(slax.split(' ').any(|n| n == p), "slax lacks {p}: {slax}");
    }
    let tv_config = config("nixtv-player");
    let tv = names(&tv_config["environment"]["systemPackages"]).join(" ");
    assert!(tv.contains("kodi") && !tv.contains("gcc"), "{tv}");
    assert_eq!(path("nixtv-player", "system.autoUpgrade.enable"), true);
    // The laptop: TPM-unlocked LUKS with @ subvolumes, /persist at boot, the travel router.
    assert_eq!(path("snix", "boot.initrd.systemd.enable"), true);
    assert_eq!(path("snix", "fileSystems./persist.neededForBoot"), true);
    let disk = &snix["disko"]["devices"]["disk"]["main"];
    let luks = &disk["content"]["partitions"]["luks"]["content"];
    assert_eq!(luks["settings"]["crypttabExtraOpts"], serde_json::json!(["tpm2-device=auto"]), "{luks}");
    let subvolumes = luks["content"]["subvolumes"].as_object().unwrap();
    assert!(["@", "@home", "@nix", "@persist", "@swap"].iter().all(|s| subvolumes.contains_key(*s)), "{subvolumes:?}");
    assert_eq!(path("snix", "travelRouter")["apInterface"], "wlan0");
    let secrets = &snix["sops"]["secrets"];
    assert_eq!(secrets["user-password"]["key"], "user/hashedPassword");
    assert_eq!(secrets["ap-env"]["sopsFile"], "secrets/snix.yaml");
    // The user's home everywhere, with the laptop's additions on the laptop only.
    let home = |h: &str| config(h)["home-manager"]["users"]["me"].clone();
    assert_eq!(home("snix")["home"]["sessionVariables"]["SNIX"], "1");
    assert!(home("slax")["home"]["sessionVariables"].get("SNIX").is_none());
    let snix_home = home("snix");
    assert!(names(&snix_home["home"]["packages"]).contains(&"powertop"));
    assert_eq!(home("slax")["programs"]["starship"]["enable"], true);
    // The standalone home on the work machine.
    let homes = &tree.files["parts/homes.nix"].text;
    assert!(homes.contains("\"me@work\"") && homes.contains("pkgs.kubectl"), "{homes}");
}
