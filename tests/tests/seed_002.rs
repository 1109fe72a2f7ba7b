//! Seed 002's fleet (`fleet_tests::seed_002_fleet`): its escape hatches are the ones it lists,
//! and its hosts, evaluated by the real nixpkgs module system, are what the seed asks for:
//! Jay with his groups everywhere, framework-16's `HSA_OVERRIDE_GFX_VERSION` in its home only,
//! each machine's packages next to the shared ones, the services each machine runs.
#![allow(clippy::unwrap_used)]

use fleet_tests::{eval_hosts_with, module_system, render, seed_002_fleet, write_tree, SEED_002_ESCAPE_HATCHES};
use serde_json::{json, Value};

const HOSTS: [(&str, &str); 4] =
    [("nixos-ripper", "24.05"), ("nixos", "24.05"), ("framework-13", "24.11"), ("framework-16", "25.05")];

/// The names in a JSON list of strings.
fn names(v: &Value) -> Vec<&str> {
    v.as_array().unwrap_or_else(|| panic!("not a list: {v}")).iter().map(|n| n.as_str().unwrap()).collect()
}

#[test]
fn escape_hatches_are_the_listed_ones() {
    let hatches = fleet_tests::escape_hatches(&seed_002_fleet());
    let listed: Vec<&str> = SEED_002_ESCAPE_HATCHES.iter().map(|(hatch, _)| *hatch).collect();
    assert_eq!(hatches, listed);
    assert!(hatches.len() <= 5, "{hatches:#?}");
    for (hatch, why) in SEED_002_ESCAPE_HATCHES {
        assert!(why.len() > 40, "{hatch}: say why no typed API covers it");
    }
}

/// Every machine deploys and rolls back on itself, as the seed's deploy.sh and rollback.sh did.
#[test]
fn every_machine_deploys_and_rolls_back_on_itself() {
    let out = tempfile::tempdir().unwrap();
    let tree = render(&seed_002_fleet(), out.path());
    let readme = &tree.files["README.md"].text;
    for (host, _) in HOSTS {
        assert!(
            readme.contains(&format!("| `{host}` | `sudo nixos-rebuild switch --rollback --flake '.#{host}'`")),
            "{host}: {readme}"
        );
    }
    assert!(readme.contains("colmena apply-local --sudo"), "{readme}");
}

#[test]
fn the_seed_002_hosts_evaluate_as_the_seed_asks() {
    let Some(nix) = module_system() else { return };
    let fleet = seed_002_fleet();
    let out = tempfile::tempdir().unwrap();
    let tree = render(&fleet, out.path());
    let dir = tempfile::tempdir().unwrap();
    write_tree(&tree, dir.path()).unwrap();
    let paths = [
        "ollama.enable",
        "sunshine.enable",
        "syncthing",
        "gitea",
        "vllm",
        "wallabag",
        "retroarch.enable",
        "services.ollama",
        "services.sunshine.enable",
        "services.syncthing",
        "services.gitea.settings.server.HTTP_PORT",
        "hardware.graphics.enable",
        "systemd.tmpfiles.rules",
        "nix.settings.experimental-features",
    ];
    let hosts = eval_hosts_with(&nix, dir.path(), &paths).unwrap_or_else(|e| panic!("{e}"));
    let evaluated: Vec<&str> = hosts.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(evaluated.len(), 4, "{evaluated:?}");

    for (host, state_version) in HOSTS {
        let h = &hosts[host];
        let config = &h["config"];
        assert_eq!(h["assertions"], json!([]), "{host}");
        assert_eq!(config["networking"]["hostName"], host);
        assert_eq!(config["system"]["stateVersion"], state_version, "{host}");
        assert_eq!(config["nixpkgs"]["hostPlatform"], "x86_64-linux");

        // Jay, with his own groups and the ones the amd-gpu profile gives him.
        let jay = &config["users"]["users"]["jay"];
        assert_eq!(jay["isNormalUser"], true, "{host}");
        assert_eq!(jay["shell"], "zsh", "{host}");
        let groups = names(&jay["extraGroups"]);
        for g in ["wheel", "networkmanager", "audio", "video", "render"] {
            assert!(groups.contains(&g), "{host}: jay lacks `{g}`: {groups:?}");
        }

        // The shared system packages and the profile's, with NixOS' own.
        let system = names(&config["environment"]["systemPackages"]);
        for p in ["git", "vim", "wget", "curl", "htop", "coreutils-full"] {
            assert!(system.contains(&p), "{host}: `{p}` missing from {system:?}");
        }
        let (kind, other) =
            if host.starts_with("framework") { ("powertop", "lm_sensors") } else { ("lm_sensors", "powertop") };
        assert!(system.contains(&kind) && !system.contains(&other), "{host}: {system:?}");

        // Jay's home: the shared dotfiles on every machine.
        let home = &config["home-manager"]["users"]["jay"];
        assert_eq!(home["home"]["homeDirectory"], "/home/jay");
        assert_eq!(home["home"]["stateVersion"], "24.05", "{host}: the release jay's home started with");
        assert_eq!(home["programs"]["git"]["enable"], true, "{host}");
        assert_eq!(home["programs"]["git"]["settings"]["user"]["name"], "Jay");
        assert_eq!(home["programs"]["git"]["signing"]["format"], "ssh");
        assert_eq!(home["programs"]["git"]["signing"]["signByDefault"], true);
        assert_eq!(home["programs"]["starship"]["enable"], true);
        assert_eq!(home["programs"]["direnv"]["nix-direnv"]["enable"], true);
        assert_eq!(home["programs"]["zsh"]["enable"], true);
        let init = home["programs"]["zsh"]["initContent"].as_str().unwrap_or_default();
        assert!(init.contains("function y() {") && init.contains("export-esp.sh"), "{host}: {init}");
        assert_eq!(home["home"]["sessionVariables"]["EDITOR"], "hx");
        assert!(names(&home["home"]["sessionPath"]).contains(&"$HOME/.cargo/bin"), "{host}");
        let variables = &home["home"]["sessionVariables"];
        if host == "framework-16" {
            assert_eq!(variables["HSA_OVERRIDE_GFX_VERSION"], "10.3.0");
        } else {
            assert!(variables.get("HSA_OVERRIDE_GFX_VERSION").is_none(), "{host}: {variables}");
        }
        let packages = names(&home["home"]["packages"]);
        for p in ["helix", "yazi", "ripgrep", "fd", "bat", "eza", "fzf"] {
            assert!(packages.contains(&p), "{host}: shared home package `{p}` missing from {packages:?}");
        }
        let own: &[&str] = match host {
            "nixos-ripper" => &["libreoffice", "android-studio"],
            "nixos" => &["blender"],
            "framework-13" => &["obsidian"],
            _ => &["nvtopPackages-amd"],
        };
        for p in own {
            assert!(packages.contains(p), "{host}: its own `{p}` missing from {packages:?}");
        }
        assert_eq!(packages.len(), 7 + own.len(), "{host}: only its own packages besides the shared: {packages:?}");

        // Every machine: Syncthing as Jay, the AMD graphics, flakes, /etc/nixos linked.
        let p = &h["paths"];
        assert_eq!(p["syncthing"], json!({"enable": true, "user": "jay"}), "{host}");
        assert_eq!(p["services.syncthing"]["user"], "jay");
        assert_eq!(p["services.syncthing"]["dataDir"], "/home/jay");
        assert_eq!(p["hardware.graphics.enable"], true);
        assert_eq!(p["nix.settings.experimental-features"], json!(["nix-command", "flakes"]));
        assert_eq!(p["systemd.tmpfiles.rules"], json!(["L+ /etc/nixos - - - - /home/jay/dotfiles"]));
    }

    // The services each machine runs (the seed's `ollama.enable = false; sunshine.enable = true;`).
    let p = |host: &str, path: &str| hosts[host]["paths"].get(path).cloned();
    assert_eq!(p("nixos-ripper", "ollama.enable"), Some(json!(false)), "the host beats the profile");
    assert_eq!(p("nixos-ripper", "services.ollama"), None);
    assert_eq!(p("nixos-ripper", "sunshine.enable"), Some(json!(true)));
    assert_eq!(p("nixos-ripper", "services.sunshine.enable"), Some(json!(true)));
    assert_eq!(p("nixos", "ollama.enable"), Some(json!(true)));
    assert_eq!(p("nixos", "services.ollama"), Some(json!({"enable": true, "acceleration": "rocm"})));
    assert_eq!(p("nixos", "gitea"), Some(json!({"enable": true, "httpPort": 3000})));
    assert_eq!(p("nixos", "services.gitea.settings.server.HTTP_PORT"), Some(json!(3000)));
    assert_eq!(p("nixos", "wallabag"), Some(json!({"enable": true, "port": 8080})));
    assert_eq!(p("nixos", "vllm").unwrap()["model"], "Qwen/Qwen2.5-Coder-7B-Instruct");
    assert_eq!(p("framework-16", "services.ollama"), Some(json!({"enable": true, "acceleration": "rocm"})));
    assert_eq!(p("framework-16", "retroarch.enable"), Some(json!(true)));
    assert!(names(&hosts["framework-16"]["config"]["environment"]["systemPackages"]).contains(&"retroarch-full"));
    for host in ["framework-13", "framework-16"] {
        assert_eq!(p(host, "sunshine.enable"), None, "{host}: no Sunshine on a laptop");
        assert_eq!(p(host, "gitea"), None, "{host}");
    }
    assert_eq!(p("framework-13", "ollama.enable"), None);
}
