//! The fixture fleet of the flake beyond its hosts: extra inputs (a hardware module, a module
//! by full attribute path with `follows`, a nix-darwin module, a non-flake `nix-secrets`
//! repository whose file is a value), a stable host with a package from nixpkgs-unstable,
//! overlays of the fleet, a profile and a host, a fleet-wide unstable channel that one host
//! follows and one overrides, extra dev shells, packages and checks, an exported module, and
//! hosts of every deployment kind for the deploy and rollback apps.

use fleet_dsl::prelude::*;
use fleet_dsl::{FleetData, NoSpec};

/// The scaffold of the exported module `base`.
pub const FLAKE_BASE_MODULE: &str = "{\n  services.openssh.enable = true;\n}\n";

/// See the module documentation.
pub fn flake_fleet() -> FleetData {
    let hw = fleet_input("nixos-hardware", "github:NixOS/nixos-hardware");
    let impermanence = fleet_input("impermanence", "github:nix-community/impermanence").follows_nixpkgs();
    let mac_apps = fleet_input("mac-app-util", "github:hraban/mac-app-util").follows("nixpkgs", "nixpkgs-unstable");
    let secrets = fleet_input("nix-secrets", "git+ssh://git@github.com/me/nix-secrets.git").not_flake();
    // Declared, never referenced: not in flake.nix.
    let _unused = fleet_input("stylix", "github:danth/stylix");

    let base = Module::new("base").scaffold(FLAKE_BASE_MODULE);
    let laptop = Profile::nixos("laptop")
        .import_input(hw.nixos_module("framework-16-7040-amd"))
        .module(&base)
        .overlay(raw_nix("final: prev: {fleetLaptop = prev.hello;}"))
        .add("environment.systemPackages", [pkg("git")])
        .add("environment.systemPackages", [pkg_unstable("zed-editor")]);
    let common =
        Profile::any("common").set("environment.etc.\"fleet-secrets.yaml\".source", secrets.file("secrets.yaml"));
    Fleet::<NoSpec>::new("flake")
        .host(
            Host::nixos("server", System::X86_64Linux)
                .profile(&common)
                .import_input(impermanence.module("nixosModules.impermanence"))
                .deploy(Deploy::ssh("server.lan").user("deploy").port(2222)),
        )
        .host(
            Host::nixos("framework", System::X86_64Linux)
                .channel(Channel::Stable)
                .profile(&common)
                .profile(&laptop)
                .import_input(hw.nixos_module("framework-16-7040-amd"))
                .overlay(raw_nix("final: prev: {fleetHost = prev.hello;}"))
                .deploy(Deploy::local()),
        )
        .host(Host::nixos("attic", System::X86_64Linux).channel(Channel::Stable))
        .host(
            Host::darwin("mac", System::Aarch64Darwin).profile(&common).import_input(mac_apps.darwin_module("default")),
        )
        .channel(Channel::Unstable)
        .overlay(raw_nix("final: prev: {fleetWide = prev.hello;}"))
        .dev_shell("rust", raw_nix("pkgs.mkShell {packages = [pkgs.cargo pkgs.rustc];}"))
        .package("hello", pkg("hello"))
        .package("zed", pkg_unstable("zed-editor"))
        .check(
            "formatted",
            raw_nix("pkgs.runCommand \"formatted\" {} \"${lib.getExe pkgs.alejandra} --check ${self} > $out\""),
        )
        .export_module("base", &base)
        .into_data()
}
