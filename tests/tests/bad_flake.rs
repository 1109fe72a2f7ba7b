//! Flake extras the generator refuses, each with its message, exit code 1 and nothing written:
//! input names (malformed, taken by the generator), URLs, two inputs with one name, `follows`
//! of an input the flake lacks, module paths, modules of a non-flake input, a NixOS module by
//! full path on a Mac, files outside an input, unstable package names, and extra outputs
//! (the generated `default` shell, twice the same name, a malformed name, raw Nix with a
//! variable `perSystem` lacks).
#![allow(clippy::unwrap_used)]

use fleet_dsl::prelude::*;
use fleet_dsl::NoSpec;

fn rejected(fleet: Fleet<NoSpec>, messages: &[&str]) {
    fleet_tests::assert_refused(&fleet.into_data(), messages);
}

fn nixos() -> Host<Nixos, NoSpec> {
    Host::nixos("a", System::X86_64Linux)
}

#[test]
fn input_names_and_urls() {
    let bad_name = fleet_input("nixos hardware", "github:NixOS/nixos-hardware");
    let taken = fleet_input("nixpkgs", "github:me/nixpkgs");
    let spaced = fleet_input("spaced", "github:me/x y");
    let empty = fleet_input("empty", "");
    let fleet = Fleet::new("f").host(
        nixos()
            .import_input(bad_name.nixos_module("x"))
            .import_input(taken.nixos_module("x"))
            .import_input(spaced.nixos_module("x"))
            .import_input(empty.nixos_module("x")),
    );
    rejected(
        fleet,
        &[
            "flake input `nixos hardware` has an invalid name: use letters, digits, `-` and `_`",
            "flake input `nixpkgs` has an invalid name: the generator declares an input of that name itself",
            "use `Fleet::inputs(Inputs { .. })`",
            "flake input `spaced` has the URL `github:me/x y`, which contains whitespace",
            "flake input `empty` has the URL ``, which is empty",
        ],
    );
}

#[test]
fn one_name_two_inputs() {
    let one = fleet_input("hw", "github:NixOS/nixos-hardware");
    let two = fleet_input("hw", "github:me/nixos-hardware");
    let p = Profile::nixos("p").import_input(one.nixos_module("x"));
    let fleet = Fleet::new("f").host(nixos().profile(&p).import_input(two.nixos_module("x")));
    rejected(
        fleet,
        &["two different flake inputs are named `hw` (URLs `github:NixOS/nixos-hardware` and `github:me/nixos-hardware`)"],
    );
}

#[test]
fn follows_an_input_the_flake_lacks() {
    // A stable NixOS-only fleet declares no nixpkgs-darwin.
    let x = fleet_input("x", "github:me/x").follows("nixpkgs", "nixpkgs-darwin");
    let raw = fleet_input("raw", "github:me/raw").not_flake().follows_nixpkgs();
    let fleet = Fleet::new("f").host(nixos().import_input(x.nixos_module("default")).set("x.y", raw.file("a.yaml")));
    rejected(
        fleet,
        &[
            "flake input `x` follows `nixpkgs-darwin` for its input `nixpkgs`, but this fleet's flake has no input `nixpkgs-darwin` (it declares nixpkgs, flake-parts, x, raw)",
            "flake input `raw` follows `nixpkgs` for its input `nixpkgs`, but the input is not a flake",
        ],
    );
}

#[test]
fn module_paths_and_platforms() {
    let hw = fleet_input("hw", "github:NixOS/nixos-hardware");
    let secrets = fleet_input("nix-secrets", "git+ssh://git@github.com/me/nix-secrets.git").not_flake();
    let any = Profile::any("common").import_input(hw.module("nixosModules.common-pc"));
    let fleet = Fleet::new("f")
        .host(
            nixos()
                .profile(&any)
                .import_input(hw.module("nixosModules..x"))
                .import_input(hw.module("nixosModules.${x}"))
                .import_input(secrets.module("nixosModules.default")),
        )
        .host(
            Host::darwin("mac", System::Aarch64Darwin)
                .import_input(hw.module("nixosModules.apple"))
                .set("x", raw_nix("1")),
        );
    rejected(
        fleet,
        &[
            "host `a` imports `nixosModules..x` of flake input `hw`, but the module path `nixosModules..x` is not an attribute path of the input",
            "host `a` imports `nixosModules.${x}` of flake input `hw`",
            "host `a` imports `nixosModules.default` of flake input `nix-secrets`, but the input is not a flake (`.not_flake()`), so it has no modules",
            "host `mac` imports `nixosModules.apple` of flake input `hw`, but `nixosModules` are for one platform and this is a host or profile that reaches nix-darwin hosts",
            "profile `common` imports `nixosModules.common-pc` of flake input `hw`, but `nixosModules` are for one platform and this is a profile for every platform",
        ],
    );
}

#[test]
fn files_stay_inside_their_input() {
    let secrets = fleet_input("nix-secrets", "git+ssh://git@github.com/me/nix-secrets.git").not_flake();
    let fleet = Fleet::new("f").host(
        nixos()
            .set("a.b", secrets.file("../etc/shadow"))
            .set("a.c", secrets.file("/etc/shadow"))
            .set("a.d", secrets.file("")),
    );
    rejected(
        fleet,
        &[
            "host `a`: at `a.b`, file `../etc/shadow` of flake input `nix-secrets` has an empty or `..` segment",
            "host `a`: at `a.c`, file `/etc/shadow` of flake input `nix-secrets` is absolute",
            "host `a`: at `a.d`, file `` of flake input `nix-secrets` is empty",
        ],
    );
}

#[test]
fn unstable_package_names_are_attribute_paths() {
    let fleet = Fleet::new("f").host(nixos().add("environment.systemPackages", [pkg_unstable("zed editor")]));
    rejected(
        fleet,
        &["host `a`: at `environment.systemPackages`, package `zed editor` is not an attribute path of nixpkgs"],
    );
}

#[test]
fn extra_outputs() {
    let base = Module::new("base").scaffold("{}\n");
    let fleet = Fleet::new("f")
        .host(nixos().module(&base))
        .dev_shell("default", raw_nix("pkgs.mkShell {}"))
        .package("hello", pkg("hello"))
        .package("hello", pkg("hello"))
        .check("bad name", raw_nix("pkgs.hello"))
        .dev_shell("rust", raw_nix("mkShell {}"))
        .export_module("base", &base)
        .export_module("missing", Module::new("nowhere"))
        .overlay(raw_nix("final: prev: unknown"));
    rejected(
        fleet,
        &[
            "the fleet's dev shell `default` is the generated default shell",
            "the fleet's package `hello` is declared twice",
            "the fleet's check `bad name` is not a flake attribute name",
            "the fleet's dev shell `rust`: the raw Nix at `devShells.rust` uses the variable `mkShell`, which is not in scope there (in scope: `config`, `inputs`, `inputs'`, `lib`, `pkgs`, `self`, `self'`, `system`",
            "the fleet's exported module `missing` imports module `nowhere`, which the output repository lacks",
            "the fleet: the raw Nix at `nixpkgs.overlays` uses the variable `unknown`",
        ],
    );
}
