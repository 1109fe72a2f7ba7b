//! Seed 004's fleet (`fleet_tests::seed_004_fleet`): its escape hatches are the listed ones, and
//! the real module system makes of it what the seed asks for — minimal hosts (role + primary
//! user + quirks) inheriting their role's settings, a host quirk beating a role default, shared
//! and per-host secrets, daily upgrades on every machine (inventory ones included), and the Mac
//! evaluated against nix-darwin's own option declarations.
#![allow(clippy::unwrap_used)]

use fleet_tests::{
    escape_hatches, eval_hosts_with, module_system, render, seed_004_fleet, write_tree, SEED_004_ESCAPE_HATCHES,
    SEED_004_FLAKE,
};
use serde_json::{json, Value};

#[test]
fn escape_hatches_are_the_listed_ones() {
    let listed = escape_hatches(&seed_004_fleet());
    let expected: Vec<&str> = SEED_004_ESCAPE_HATCHES.iter().map(|(hatch, _)| *hatch).collect();
    assert_eq!(listed, expected);
    assert!(listed.len() <= 5, "seed 004 needs {} escape hatches, at most 5 allowed", listed.len());
    for (hatch, why) in SEED_004_ESCAPE_HATCHES {
        assert!(why.len() > 40, "{hatch}: say why no typed API covers it");
    }
}

/// (host, role, platform class) of every machine, Rust and inventory.
const HOSTS: [(&str, &str, &str); 6] = [
    ("malphas", "desktop", "nixos"),
    ("seere", "tablet", "nixos"),
    ("stolas", "pi", "nixos"),
    ("vassago", "darwin", "darwin"),
    ("bael", "server", "nixos"),
    ("orobas", "pi", "nixos"),
];

const PATHS: [&str; 13] = [
    "services.openssh.enable",
    "services.openssh.ports",
    "services.tailscale.authKeyFile",
    "services.desktopManager.plasma6.enable",
    "services.desktopManager.gnome.enable",
    "programs.hyprland.enable",
    "programs.steam.enable",
    "boot.binfmt.emulatedSystems",
    "boot.loader.generic-extlinux-compatible.enable",
    "system.autoUpgrade",
    "launchd.daemons.fleet-auto-upgrade.serviceConfig.StartCalendarInterval",
    "security.pam.services.sudo_local.touchIdAuth",
    "system.defaults.dock.autohide",
];

fn evaluated() -> Option<Value> {
    let nix = module_system()?;
    let fleet = seed_004_fleet();
    let out = tempfile::tempdir().unwrap();
    let tree = render(&fleet, out.path());
    let dir = tempfile::tempdir().unwrap();
    write_tree(&tree, dir.path()).unwrap();
    Some(eval_hosts_with(&nix, dir.path(), &PATHS).unwrap_or_else(|e| panic!("{e}")))
}

/// The names of a host's sops secrets.
fn secret_names(host: &Value) -> Vec<&str> {
    host["config"]["sops"]["secrets"].as_object().unwrap().keys().map(String::as_str).collect()
}

#[test]
fn seed_004_evaluates_as_the_seed_asks() {
    let Some(hosts) = evaluated() else { return };
    assert_eq!(hosts.as_object().unwrap().len(), HOSTS.len(), "{:?}", hosts.as_object().unwrap().keys());

    for (name, role, class) in HOSTS {
        let host = &hosts[name];
        let config = &host["config"];
        // Minimal hosts: a role and a primary user, read by modules as `config.hostSpec.*`.
        assert_eq!(host["class"], class, "{name}");
        assert_eq!(config["hostSpec"], json!({"role": role, "primaryUser": "rain"}), "{name}");
        assert_eq!(host["assertions"], json!([]), "{name}");
        // Every role inherits the base: the primary user, the time zone, the shared secrets.
        assert_eq!(config["time"]["timeZone"], "Europe/Amsterdam", "{name}");
        assert_eq!(
            config["users"]["users"]["rain"]["home"],
            if class == "darwin" { "/Users/rain" } else { "/home/rain" }
        );
        let common = &config["sops"]["secrets"];
        assert_eq!(common["rain-password"]["key"], "rain/hashedPassword", "{name}");
        assert_eq!(common["rain-password"]["sopsFile"], "secrets/common.yaml", "{name}");
        assert_eq!(common["rain-password"]["neededForUsers"], true, "{name}");
        assert_eq!(common["nix-access-tokens"]["sopsFile"], "secrets/common.yaml", "{name}");
        assert_eq!(common["nix-access-tokens"]["mode"], "0400", "{name}");
        // Per-host secrets only where the role reads them: servers and Pis, each its own file.
        let servers = matches!(role, "server" | "pi");
        assert_eq!(secret_names(host).contains(&"tailscale-auth-key"), servers, "{name}: {:?}", secret_names(host));
        if servers {
            let key = &common["tailscale-auth-key"];
            assert_eq!(key["sopsFile"], format!("secrets/{name}.yaml"), "{name}");
            assert_eq!(key["restartUnits"], json!(["tailscaled.service"]), "{name}");
            assert_eq!(host["paths"]["services.tailscale.authKeyFile"], key["path"], "{name}");
            assert_eq!(host["paths"]["services.openssh.enable"], true, "{name}");
        }
        // Daily upgrades from the published flake, each host its own attribute.
        let flake = format!("{SEED_004_FLAKE}#{name}");
        if class == "nixos" {
            let upgrade = &host["paths"]["system.autoUpgrade"];
            assert_eq!(upgrade["enable"], true, "{name}");
            assert_eq!(upgrade["flake"], flake.as_str(), "{name}");
            let dates = if name == "stolas" { "*-*-* 05:30:00" } else { "*-*-* 04:00:00" };
            assert_eq!(upgrade["dates"], dates, "{name}");
            assert_eq!(upgrade.get("allowReboot").is_some(), name == "stolas", "{name}: {upgrade}");
        }
    }

    // The reference desktop: the desktop role's gaming inherited, its session a host quirk.
    let malphas = &hosts["malphas"];
    assert_eq!(
        malphas["config"]["modules"]["roles"]["desktop"],
        json!({"enable": true, "session": "hyprland", "gaming": true})
    );
    assert_eq!(malphas["paths"]["programs.hyprland.enable"], true);
    assert_eq!(malphas["paths"]["services.desktopManager.plasma6.enable"], false);
    assert_eq!(malphas["paths"]["programs.steam.enable"], true);
    assert_eq!(malphas["paths"]["boot.binfmt.emulatedSystems"], json!(["aarch64-linux"]));
    // The tablet keeps its role's defaults: GNOME, no games.
    let seere = &hosts["seere"];
    assert_eq!(
        seere["config"]["modules"]["roles"]["desktop"],
        json!({"enable": true, "session": "gnome", "gaming": false})
    );
    assert_eq!(seere["paths"]["services.desktopManager.gnome.enable"], true);
    assert_eq!(seere["paths"]["programs.steam.enable"], false);

    // The Pis inherit the server role through the pi role; stolas moves sshd, orobas (from the
    // inventory) keeps the role's port.
    for (name, port) in [("stolas", 2222), ("orobas", 22), ("bael", 22)] {
        let host = &hosts[name];
        assert_eq!(
            host["config"]["modules"]["roles"]["server"],
            json!({"enable": true, "sshPort": port, "tailscale": true}),
            "{name}"
        );
        assert_eq!(host["paths"]["services.openssh.ports"], json!([port]), "{name}");
        assert_eq!(
            host["config"]["nixpkgs"]["hostPlatform"],
            if name == "bael" { "x86_64-linux" } else { "aarch64-linux" }
        );
    }
    for name in ["stolas", "orobas"] {
        assert_eq!(hosts[name]["paths"]["boot.loader.generic-extlinux-compatible.enable"], true, "{name}");
    }

    // The Mac: nix-darwin's own options (an unknown one would not evaluate), the darwin role's
    // Touch ID inherited, its Dock a host quirk, upgrades by a launchd daemon at 04:00.
    let vassago = &hosts["vassago"];
    assert_eq!(vassago["config"]["nixpkgs"]["hostPlatform"], "aarch64-darwin");
    assert_eq!(vassago["config"]["system"]["primaryUser"], "rain");
    assert_eq!(vassago["config"]["modules"]["roles"]["darwin"], json!({"touchIdSudo": true, "dockAutohide": false}));
    assert_eq!(vassago["paths"]["security.pam.services.sudo_local.touchIdAuth"], true);
    assert_eq!(vassago["paths"]["system.defaults.dock.autohide"], false);
    assert_eq!(
        vassago["paths"]["launchd.daemons.fleet-auto-upgrade.serviceConfig.StartCalendarInterval"],
        json!([{"Hour": 4, "Minute": 0, "Day": null, "Month": null, "Weekday": null}])
    );
    assert_eq!(vassago["paths"].get("system.autoUpgrade"), None);
}
