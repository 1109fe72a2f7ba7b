//! The flake beyond the hosts, evaluated with real Nix: only the inputs the fleet uses (with
//! `flake = false` and `follows`), hosts on the fleet's channel unless they choose one,
//! `pkgs.unstable` built from nixpkgs-unstable with the host's own `nixpkgs.config`, the
//! fleet's overlays, extra dev shells, packages and checks, the exported module; and the
//! deploy and rollback apps, whose scripts are run against stub commands.
#![allow(clippy::unwrap_used)]

use fleet_dsl::prelude::*;
use fleet_dsl::NoSpec;
use fleet_tests::*;
use serde_json::{json, Value};
use std::path::Path;
use std::process::Command;

fn written() -> (tempfile::TempDir, fleet_gen::tree::Tree) {
    let dir = tempfile::tempdir().unwrap();
    let tree = render(&flake_fleet(), dir.path());
    write_tree(&tree, dir.path()).unwrap();
    (dir, tree)
}

fn eval(nix: &Path, dir: &Path, expr: &str) -> Value {
    let out = nix_eval_json(nix, dir, expr).unwrap_or_else(|e| panic!("{e}"));
    serde_json::from_str(&out).unwrap()
}

#[test]
fn flake_nix_declares_the_inputs_used_and_only_those() {
    let Some(nix) = nix_instantiate() else { return };
    let (dir, _) = written();
    let inputs = eval(&nix, dir.path(), "(import ./flake.nix).inputs");
    let names: Vec<&str> = inputs.as_object().unwrap().keys().map(String::as_str).collect();
    let mut expected = vec![
        "colmena",
        "flake-parts",
        "impermanence",
        "mac-app-util",
        "nix-darwin-unstable",
        "nix-secrets",
        "nixos-hardware",
        "nixpkgs",
        "nixpkgs-unstable",
    ];
    expected.sort_unstable();
    assert_eq!(names, expected, "stylix is declared but unused; nixpkgs-darwin has no host");
    assert_eq!(inputs["nix-secrets"], json!({"url": "git+ssh://git@github.com/me/nix-secrets.git", "flake": false}));
    assert_eq!(inputs["nixos-hardware"], json!({"url": "github:NixOS/nixos-hardware"}));
    assert_eq!(inputs["impermanence"]["inputs"]["nixpkgs"]["follows"], json!("nixpkgs"));
    assert_eq!(inputs["mac-app-util"]["inputs"]["nixpkgs"]["follows"], json!("nixpkgs-unstable"));
}

#[test]
fn hosts_follow_the_fleet_channel_unless_they_choose_one() {
    let Some(nix) = nix_instantiate() else { return };
    let (dir, _) = written();
    let expr = r#"
      let
        tagged = name: {lib.nixosSystem = x: name; lib.darwinSystem = x: name;};
        inputs = {
          nixpkgs = tagged "nixpkgs";
          nixpkgs-unstable = tagged "nixpkgs-unstable";
          nix-darwin-unstable = tagged "nix-darwin-unstable";
        };
        flake = (import ./parts/hosts.nix {inherit inputs;}).flake;
      in flake.nixosConfigurations // flake.darwinConfigurations
    "#;
    let hosts = eval(&nix, dir.path(), expr);
    assert_eq!(
        hosts,
        json!({"server": "nixpkgs-unstable", "framework": "nixpkgs", "attic": "nixpkgs", "mac": "nix-darwin-unstable"})
    );
}

#[test]
fn unstable_packages_come_from_nixpkgs_unstable_with_the_hosts_config() {
    let Some(nix) = nix_instantiate() else { return };
    let (dir, _) = written();
    std::fs::write(
        dir.path().join("stub-unstable.nix"),
        "args: {inherit (args) system config; zed-editor = \"unstable-zed\";}\n",
    )
    .unwrap();
    let expr = r#"
      let
        module = import ./modules/overlays.nix {
          inputs.nixpkgs-unstable = ./stub-unstable.nix;
          config.nixpkgs.config = {allowUnfree = true;};
        };
        prev = {stdenv.hostPlatform.system = "x86_64-linux"; hello = "hello";};
        applied = map (o: o {} prev) module.nixpkgs.overlays;
        laptop = import ./profiles/laptop.nix {
          inputs.nixos-hardware.nixosModules.framework-16-7040-amd = "hw";
          pkgs = {git = "git"; unstable = (builtins.head applied).unstable;};
        };
      in {
        unstable = (builtins.head applied).unstable;
        fleetWide = (builtins.elemAt applied 1).fleetWide;
        packages = laptop.environment.systemPackages;
        imports = map toString laptop.imports;
      }
    "#;
    let v = eval(&nix, dir.path(), expr);
    assert_eq!(
        v["unstable"],
        json!({"system": "x86_64-linux", "config": {"allowUnfree": true}, "zed-editor": "unstable-zed"})
    );
    assert_eq!(v["fleetWide"], json!("hello"));
    assert_eq!(v["packages"], json!(["git", "unstable-zed"]));
    assert_eq!(v["imports"][1], json!("hw"), "{v}");
}

#[test]
fn extra_outputs_and_apps_evaluate_per_system() {
    let Some(nix) = nix_instantiate() else { return };
    let (dir, _) = written();
    let expr = r#"
      let
        pkgs = {
          writeShellApplication = a: a;
          mkShell = a: {shell = a.packages;};
          alejandra = "alejandra";
          cargo = "cargo";
          rustc = "rustc";
          hello = "hello";
          nixos-rebuild = "nixos-rebuild";
          runCommand = name: env: cmd: {inherit name cmd;};
        };
        lib.getExe = d: if builtins.isAttrs d then "/bin/" + d.name else "/bin/" + d;
        inputs' = {
          colmena.packages.colmena = "colmena";
          nixpkgs-unstable.legacyPackages.zed-editor = "unstable-zed";
        };
        dev = (import ./parts/dev.nix {self = "/self";}).perSystem {inherit pkgs lib inputs';};
        apps = ((import ./parts/apps.nix).perSystem {inherit pkgs lib inputs';}).apps;
        exported = (import ./parts/modules.nix).flake.nixosModules;
      in {
        devShells = dev.devShells;
        packages = dev.packages;
        checks = dev.checks;
        apps = builtins.mapAttrs (_: a: {inherit (a) type program;}) apps;
        exported = map toString (builtins.attrValues exported) == [(toString ./modules/base.nix)];
      }
    "#;
    let v = eval(&nix, dir.path(), expr);
    assert_eq!(v["devShells"]["rust"], json!({"shell": ["cargo", "rustc"]}));
    assert_eq!(v["devShells"]["default"], json!({"shell": ["alejandra", "colmena"]}));
    assert_eq!(v["packages"], json!({"hello": "hello", "zed": "unstable-zed"}));
    assert_eq!(v["checks"]["formatted"], json!({"name": "formatted", "cmd": "/bin/alejandra --check /self > $out"}));
    assert_eq!(
        v["apps"],
        json!({
            "deploy": {"type": "app", "program": "/bin/deploy"},
            "rollback": {"type": "app", "program": "/bin/rollback"}
        })
    );
    assert_eq!(v["exported"], json!(true));
}

/// The text of an app's script, as Nix evaluates it.
fn script(nix: &Path, dir: &Path, app: &str) -> String {
    let expr = format!(
        r#"let
          pkgs = {{writeShellApplication = a: a; nixos-rebuild = "nixos-rebuild";}};
          apps = ((import ./parts/apps.nix).perSystem {{
            inherit pkgs;
            lib.getExe = d: d.text;
            inputs'.colmena.packages.colmena = "colmena";
          }}).apps;
        in apps.{app}.program"#
    );
    eval(nix, dir, &expr).as_str().unwrap().to_owned()
}

/// Runs `script` as writeShellApplication does (bash, errexit, nounset, pipefail) with stub
/// commands that log what they are asked to do, `uname -n` answering `node`.
fn run(dir: &Path, script: &str, node: &str, args: &[&str]) -> (i32, String) {
    let bin = dir.join("stub-bin");
    std::fs::create_dir_all(&bin).unwrap();
    let log = dir.join("stub.log");
    let _ = std::fs::remove_file(&log);
    for cmd in ["colmena", "sudo", "nixos-rebuild", "darwin-rebuild"] {
        let text = format!(
            "#!/usr/bin/env bash\necho \"${{NIX_SSHOPTS:+NIX_SSHOPTS=$NIX_SSHOPTS }}{cmd} $*\" >> {}\n",
            log.display()
        );
        std::fs::write(bin.join(cmd), text).unwrap();
    }
    std::fs::write(bin.join("uname"), format!("#!/usr/bin/env bash\necho {node}\n")).unwrap();
    for f in std::fs::read_dir(&bin).unwrap() {
        let path = f.unwrap().path();
        Command::new("chmod").arg("+x").arg(&path).status().unwrap();
    }
    let file = dir.join("app.sh");
    std::fs::write(&file, format!("#!/usr/bin/env bash\nset -o errexit\nset -o nounset\nset -o pipefail\n{script}"))
        .unwrap();
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default());
    let out = Command::new("bash").arg(&file).args(args).env("PATH", path).output().unwrap();
    let logged = std::fs::read_to_string(&log).unwrap_or_default();
    (out.status.code().unwrap_or(-1), logged)
}

#[test]
fn deploy_and_rollback_scripts_run_each_hosts_commands() {
    let Some(nix) = nix_instantiate() else { return };
    let (dir, _) = written();
    let dir = dir.path();
    let deploy = script(&nix, dir, "deploy");
    let rollback = script(&nix, dir, "rollback");
    let check = Command::new("bash").arg("-n").arg("-c").arg(&deploy).status().unwrap();
    assert!(check.success(), "{deploy}");

    assert_eq!(run(dir, &deploy, "laptop", &["server"]), (0, "colmena apply --on server\n".into()));
    assert_eq!(
        run(dir, &rollback, "laptop", &["server"]),
        (0, "NIX_SSHOPTS=-p 2222 nixos-rebuild switch --rollback --flake .#server --target-host deploy@server.lan --sudo\n".into())
    );
    // Hosts switched on the machine itself refuse to run anywhere else.
    assert_eq!(run(dir, &deploy, "mac.local", &["mac"]), (0, "sudo darwin-rebuild switch --flake .#mac\n".into()));
    assert_eq!(run(dir, &rollback, "mac", &["mac"]), (0, "sudo darwin-rebuild switch --rollback\n".into()));
    assert_eq!(run(dir, &deploy, "server", &["mac"]), (1, String::new()));
    assert_eq!(run(dir, &deploy, "framework", &["framework"]), (0, "colmena apply-local --sudo\n".into()));
    assert_eq!(
        run(dir, &rollback, "attic", &["attic"]),
        (0, "sudo nixos-rebuild switch --rollback --flake .#attic\n".into())
    );
    assert_eq!(run(dir, &deploy, "attic", &["attic"]), (0, "sudo nixos-rebuild switch --flake .#attic\n".into()));
    // No host, an unknown host, a hostile argument: usage errors, nothing run.
    assert_eq!(run(dir, &deploy, "x", &[]), (2, String::new()));
    assert_eq!(run(dir, &deploy, "x", &["nope"]), (2, String::new()));
    assert_eq!(run(dir, &rollback, "x", &["server; touch /tmp/pwned"]), (2, String::new()));
    assert_eq!(run(dir, &deploy, "x", &["server", "extra"]), (2, String::new()));
}

#[test]
fn inventory_hosts_follow_the_fleet_channel() {
    let tmp = tempfile::tempdir().unwrap();
    let inventory = tmp.path().join("fleet.toml");
    let text = "[[hosts]]\nname = \"inv\"\nplatform = \"nixos\"\nsystem = \"x86_64-linux\"\n\n[[hosts]]\nname = \"pinned\"\nplatform = \"nixos\"\nsystem = \"x86_64-linux\"\nchannel = \"stable\"\n";
    std::fs::write(&inventory, text).unwrap();
    let fleet = Fleet::<NoSpec>::new("f")
        .channel(Channel::Unstable)
        .host(Host::nixos("rust", System::X86_64Linux))
        .inventory(&inventory)
        .into_data();
    let out = tmp.path().join("out");
    let args = vec!["fleet", "generate", "--out", out.to_str().unwrap()];
    let (mut stdout, mut stderr) = (Vec::new(), Vec::new());
    let code = fleet_gen::cli::run(&fleet, args, &mut stdout, &mut stderr);
    assert_eq!(code, std::process::ExitCode::SUCCESS, "{}", String::from_utf8_lossy(&stderr));
    let hosts = std::fs::read_to_string(out.join("parts/hosts.nix")).unwrap();
    assert!(hosts.contains("rust = inputs.nixpkgs-unstable.lib.nixosSystem"), "{hosts}");
    assert!(hosts.contains("inv = inputs.nixpkgs-unstable.lib.nixosSystem"), "{hosts}");
    assert!(hosts.contains("pinned = inputs.nixpkgs.lib.nixosSystem"), "{hosts}");
}

#[test]
fn an_all_unstable_fleet_pins_no_stable_nixpkgs() {
    let fleet = Fleet::<NoSpec>::new("f")
        .host(Host::nixos("a", System::X86_64Linux).add("environment.systemPackages", [pkg_unstable("hello")]))
        .channel(Channel::Unstable)
        .into_data();
    let tmp = tempfile::tempdir().unwrap();
    let tree = render(&fleet, tmp.path());
    let flake = &tree.files["flake.nix"].text;
    assert!(!flake.contains("nixpkgs.url") && flake.contains("nixpkgs-unstable.url"), "{flake}");
    // flake-parts would look for `inputs.nixpkgs` for perSystem's pkgs: the flake gives it the
    // unstable one instead.
    assert!(flake.contains("./parts/nixpkgs.nix"), "{flake}");
    let Some(nix) = nix_instantiate() else { return };
    write_tree(&tree, tmp.path()).unwrap();
    let expr = r#"
      let
        inputs.nixpkgs-unstable.legacyPackages.x86_64-linux = "unstable pkgs";
        part = import ./parts/nixpkgs.nix {inherit inputs;};
      in (part.perSystem {system = "x86_64-linux";})._module.args.pkgs
    "#;
    assert_eq!(eval(&nix, tmp.path(), expr), json!("unstable pkgs"));
    // A fleet that pins the stable nixpkgs needs no such part.
    let (_, stable) = written();
    assert!(!stable.files.contains_key("parts/nixpkgs.nix"));
}
