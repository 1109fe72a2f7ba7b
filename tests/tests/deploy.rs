//! The colmena hive, evaluated by real Nix against the generated `parts/hosts.nix`: every NixOS
//! host with deployment settings is a node with the modules of its `nixosConfigurations` entry
//! and its own nixpkgs, no other host is (neither a NixOS host without `.deploy(..)` nor a
//! Darwin host), and the deployment options are the ones declared in Rust.

use fleet_dsl::prelude::*;
use fleet_dsl::{FleetData, NoSpec};
use fleet_tests::{nix_eval_json, nix_instantiate, render, write_tree};
use serde_json::{json, Value};

fn deploy_fleet() -> FleetData {
    let common = Profile::any("common");
    let web = Profile::nixos("web").import(&common);
    Fleet::<NoSpec>::new("deploy")
        .host(Host::nixos("desk", System::X86_64Linux).channel(Channel::Unstable).profile(&web).deploy(Deploy::local()))
        .host(
            Host::nixos("edge", System::Aarch64Linux)
                .profile(&web)
                .deploy(Deploy::ssh("edge.example.org").user("deploy").port(2222).tag("dmz").build_on_target()),
        )
        .host(Host::nixos("quiet", System::X86_64Linux))
        .host(Host::darwin("mac", System::Aarch64Darwin).profile(&common))
        .into_data()
}

/// Stub flake inputs: each nixpkgs's `nixosSystem` records what it was given and which input it
/// came from, so the hive's nodes can be compared with the `nixosConfigurations` entries.
const HARNESS: &str = r#"
let
  fakeNixpkgs = tag: {
    outPath = ./fake-nixpkgs.nix;
    lib.nixosSystem = args: {
      pkgs = "pkgs-${tag}";
      _module = {
        specialArgs = args.specialArgs;
        args.modules = args.modules;
      };
    };
  };
  inputs = {
    nixpkgs = fakeNixpkgs "stable";
    nixpkgs-unstable = fakeNixpkgs "unstable";
    nixpkgs-darwin = fakeNixpkgs "darwin";
    nix-darwin.lib.darwinSystem = args: {darwin = true;};
    colmena.lib.makeHive = hive: {made = hive;};
    home-manager.nixosModules.home-manager = "home-manager";
    home-manager-unstable.nixosModules.home-manager = "home-manager-unstable";
  };
  self = {
    nixosConfigurations = (import ./parts/hosts.nix {inherit inputs;}).flake.nixosConfigurations;
    colmena = parts.flake.colmena;
  };
  parts = import ./parts/colmena.nix {inherit inputs self;};
  hive = parts.flake.colmena;
  nodes = removeAttrs hive ["meta"];
in {
  nodes = builtins.attrNames nodes;
  deployment = builtins.mapAttrs (_: node: node.deployment) nodes;
  sameModules = builtins.mapAttrs (name: node: node.imports == self.nixosConfigurations.${name}._module.args.modules) nodes;
  imports = builtins.mapAttrs (_: node: map (p: baseNameOf (toString p)) node.imports) nodes;
  nodeNixpkgs = hive.meta.nodeNixpkgs;
  nodeSpecialArgs = builtins.mapAttrs (_: args: builtins.attrNames args) hive.meta.nodeSpecialArgs;
  metaNixpkgs = hive.meta.nixpkgs;
  hiveMadeFromColmena = builtins.attrNames parts.flake.colmenaHive.made == builtins.attrNames hive;
}
"#;

#[test]
fn hive_nodes_are_the_nixos_configurations() {
    let Some(nix) = nix_instantiate() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let tree = render(&deploy_fleet(), tmp.path());
    write_tree(&tree, tmp.path()).unwrap();
    std::fs::write(tmp.path().join("fake-nixpkgs.nix"), "{system}: {inherit system;}\n").unwrap();
    std::fs::write(tmp.path().join("harness.nix"), HARNESS).unwrap();
    let out = nix_eval_json(&nix, tmp.path(), "import ./harness.nix").unwrap();
    let got: Value = serde_json::from_str(&out).unwrap();

    assert_eq!(
        got["nodes"],
        json!(["desk", "edge"]),
        "every deploying NixOS host is a node; `quiet` (no .deploy) and the Mac are not"
    );
    assert_eq!(got["sameModules"], json!({"desk": true, "edge": true}));
    assert_eq!(got["imports"]["desk"], json!(["desk"]));
    assert_eq!(
        got["nodeNixpkgs"],
        json!({"desk": "pkgs-unstable", "edge": "pkgs-stable", "quiet": "pkgs-stable"}),
        "each node builds with its host's channel"
    );
    assert_eq!(got["nodeSpecialArgs"]["edge"], json!(["inputs"]));
    assert_eq!(got["metaNixpkgs"], json!({"system": "x86_64-linux"}));
    assert_eq!(got["hiveMadeFromColmena"], json!(true));
    assert_eq!(
        got["deployment"]["desk"],
        json!({"targetHost": null, "allowLocalDeployment": true, "tags": ["web", "common", "nixos"]})
    );
    assert_eq!(
        got["deployment"]["edge"],
        json!({
            "targetHost": "edge.example.org",
            "targetUser": "deploy",
            "targetPort": 2222,
            "buildOnTarget": true,
            "tags": ["web", "common", "nixos", "dmz"]
        })
    );
    assert_eq!(got["deployment"]["quiet"], Value::Null, "a host without .deploy is not deployed");
}

#[test]
fn no_colmena_without_deployment_settings() {
    let tmp = tempfile::tempdir().unwrap();
    let fleet = Fleet::<NoSpec>::new("plain").host(Host::nixos("a", System::X86_64Linux)).into_data();
    let tree = render(&fleet, tmp.path());
    assert!(!tree.files.contains_key("parts/colmena.nix"));
    assert!(!tree.files["flake.nix"].text.contains("colmena"));
    assert!(!tree.files["parts/dev.nix"].text.contains("colmena"));
}

#[test]
fn build_machines_reach_hosts_of_their_systems() {
    let tmp = tempfile::tempdir().unwrap();
    let builder = BuildMachine::new("big.lan", [System::X86_64Linux])
        .max_jobs(16)
        .ssh_user("nixbuild")
        .ssh_key_path("/etc/nix/builder_key");
    let fleet = Fleet::<NoSpec>::new("builds")
        .host(Host::nixos("big", System::X86_64Linux).build_machine(builder))
        .host(Host::nixos("small", System::X86_64Linux))
        .host(Host::nixos("arm", System::Aarch64Linux))
        .into_data();
    let tree = render(&fleet, tmp.path());
    let small = &tree.files["hosts/small/default.nix"].text;
    assert!(small.contains("distributedBuilds = true;"), "{small}");
    assert!(
        small.contains("hostName = \"big.lan\";") && small.contains("sshKey = \"/etc/nix/builder_key\";"),
        "{small}"
    );
    let arm = &tree.files["hosts/arm/default.nix"].text;
    assert!(!arm.contains("buildMachines"), "a builder of other systems is not used: {arm}");
    let big = &tree.files["hosts/big/default.nix"].text;
    assert!(!big.contains("buildMachines"), "a builder does not use itself: {big}");
    assert!(big.contains("nix.settings.trusted-users = [\"root\" \"nixbuild\"];"), "{big}");
}

/// The hive of the `meaning` fixture holds exactly its deploying host.
#[test]
fn the_hive_holds_exactly_the_deploying_hosts() {
    let Some(nix) = nix_instantiate() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let tree = render(&fleet_tests::meaning_fleet(), tmp.path());
    write_tree(&tree, tmp.path()).unwrap();
    std::fs::write(tmp.path().join("fake-nixpkgs.nix"), "{system}: {inherit system;}\n").unwrap();
    std::fs::write(tmp.path().join("harness.nix"), HARNESS).unwrap();
    let out = nix_eval_json(&nix, tmp.path(), "import ./harness.nix").unwrap();
    let got: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(got["nodes"], json!(["deployed"]), "`undeployed` has no .deploy and is no node");
    assert_eq!(got["sameModules"], json!({"deployed": true}));
}

/// The user colmena deploys a host as, and the user other hosts build on it as, are trusted by
/// its Nix (copying an unsigned closure into a store needs a trusted user), beside root, which
/// stays trusted: evaluated with the real module system, with nixpkgs' own default.
#[test]
fn deploy_and_builder_users_are_trusted_and_root_stays_trusted() {
    let fleet = Fleet::<NoSpec>::new("trust")
        .host(Host::nixos("edge", System::X86_64Linux).deploy(Deploy::ssh("edge.lan").user("deploy")))
        .host(
            Host::nixos("big", System::X86_64Linux)
                .deploy(Deploy::ssh("big.lan").user("nixbuild"))
                .build_machine(BuildMachine::new("big.lan", [System::X86_64Linux]).ssh_user("nixbuild")),
        )
        .host(Host::nixos("rooted", System::X86_64Linux).deploy(Deploy::ssh("rooted.lan").user("root")))
        .host(Host::nixos("plain", System::X86_64Linux))
        .into_data();
    let tmp = tempfile::tempdir().unwrap();
    let tree = render(&fleet, tmp.path());
    write_tree(&tree, tmp.path()).unwrap();
    for (host, generated) in [("edge", true), ("big", true), ("rooted", false), ("plain", false)] {
        let text = &tree.files[&format!("hosts/{host}/default.nix")].text;
        assert_eq!(text.contains("trusted-users"), generated, "{host}: {text}");
    }
    let Some(nix) = fleet_tests::module_system() else { return };
    let hosts = fleet_tests::eval_hosts_with(&nix, tmp.path(), &["nix.settings.trusted-users"]).unwrap();
    let trusted = |host: &str| hosts[host]["paths"]["nix.settings.trusted-users"].clone();
    assert_eq!(trusted("edge"), json!(["root", "deploy"]));
    assert_eq!(trusted("big"), json!(["root", "nixbuild"]), "one user, trusted once");
    // Hosts deployed as root, or not at all, keep nixpkgs' default.
    assert_eq!(trusted("rooted"), json!(["root"]));
    assert_eq!(trusted("plain"), json!(["root"]));
}
