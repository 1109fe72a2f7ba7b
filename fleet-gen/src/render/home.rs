//! home-manager: `home/<user>.nix` per user with a home, and `modules/home-manager.nix`.

use super::nix_file;
use super::profiles::{config_values, module};
use crate::nix::scope::HOME_ARGS;
use crate::nix::{Binding, Expr};
use crate::plan::Plan;
use crate::tree::Tree;
use fleet_dsl::{Channel, Config, Os};

/// The generated module with home-manager's shared settings.
pub(super) const MODULE: &str = "modules/home-manager.nix";

/// Whether any user on some host has a home (so hosts import home-manager).
pub(super) fn used(plan: &Plan<'_>) -> bool {
    plan.users.iter().any(|u| u.user.home.is_some() && (u.on_nixos || u.on_darwin))
}

/// The flake input providing home-manager for a host of `os` on `channel`.
pub(super) fn input(channel: Channel) -> &'static str {
    match channel {
        Channel::Stable => "home-manager",
        Channel::Unstable => "home-manager-unstable",
    }
}

/// A home as a home-manager module: its hand-written modules (under `home/modules/`, reached
/// with `prefix` from the file it is written in), the extra binding, and its values; a
/// function of the arguments its code uses.
pub(super) fn home_module(plan: &Plan<'_>, config: &Config, prefix: &str, extra: Option<Binding>) -> Expr {
    let mut imports: Vec<Expr> = Vec::new();
    for m in &config.modules {
        if let Some(file) = plan.home_modules.iter().find(|f| f.path == m.path) {
            let relative = file.import.trim_start_matches("home/");
            imports.push(Expr::path(format!("{prefix}{relative}")));
        }
    }
    let mut bindings = Vec::new();
    if !imports.is_empty() {
        bindings.push(Binding::new("imports", Expr::vertical_list(imports)));
    }
    bindings.extend(extra);
    bindings.extend(config_values(config));
    module(bindings, HOME_ARGS)
}

/// The home-manager module a host of `os` imports, from the input matching its channel.
pub(super) fn host_module(os: Os, channel: Channel) -> Expr {
    let kind = match os {
        Os::Nixos => "nixosModules",
        Os::Darwin => "darwinModules",
    };
    Expr::select(Expr::var("inputs"), [input(channel), kind, "home-manager"])
}

pub(super) fn render(plan: &Plan<'_>, tree: &mut Tree) {
    if used(plan) {
        let shared = Expr::lambda(
            ["inputs"],
            Expr::Attrs(vec![
                Binding::path(["home-manager", "useGlobalPkgs"], true),
                Binding::path(["home-manager", "useUserPackages"], true),
                Binding::path(
                    ["home-manager", "extraSpecialArgs"],
                    Expr::Attrs(vec![Binding::Inherit(vec!["inputs".into()])]),
                ),
            ]),
        );
        let comment = "home-manager inside the system: homes use the host's nixpkgs (with its overlays, pkgs.unstable\nincluded), install into the user's profile, and receive the flake's inputs like the system does.";
        tree.generated(MODULE, nix_file(&plan.fleet.name, Some(comment), &shared));
    }
    standalone(plan, tree);
    for u in &plan.users {
        let Some(home) = &u.user.home else { continue };
        let version = home.state_version.as_deref().unwrap_or(&plan.fleet.nixos_state_version);
        let state = Binding::path(["home", "stateVersion"], version);
        // home/<user>.nix sits next to home/modules/.
        let body = home_module(plan, &home.config, "./", Some(state));
        let comment = format!("The home of `{}`, on every host the user is on (home-manager).", u.user.name);
        tree.generated(format!("home/{}.nix", u.user.name), nix_file(&plan.fleet.name, Some(&comment), &body));
    }
    for m in &plan.home_modules {
        if let Some(text) = m.scaffold {
            tree.user_owned(m.import.clone(), text.to_owned());
        }
    }
}

/// `parts/homes.nix`: `homeConfigurations."user@machine"` for machines without NixOS or
/// nix-darwin, each the user's home plus the machine's own additions.
fn standalone(plan: &Plan<'_>, tree: &mut Tree) {
    let homes = &plan.fleet.standalone_homes;
    if homes.is_empty() {
        return;
    }
    let configs = homes
        .iter()
        .map(|sh| {
            let user = sh.user.name.as_str();
            let directory = match sh.system.os() {
                Os::Nixos => format!("/home/{user}"),
                Os::Darwin => format!("/Users/{user}"),
            };
            let identity = Expr::Attrs(vec![
                Binding::path(["home", "username"], user),
                Binding::path(["home", "homeDirectory"], directory.as_str()),
            ]);
            let mut modules = vec![Expr::path(format!("../home/{user}.nix")), identity];
            if sh.home != fleet_dsl::Home::default() {
                modules.push(home_module(plan, &sh.home.config, "../home/", None));
            }
            let pkgs = Expr::select(
                Expr::var("inputs"),
                [standalone_nixpkgs(sh.system.os(), sh.channel), "legacyPackages", sh.system.as_str()],
            );
            let args = Expr::Attrs(vec![
                Binding::new("pkgs", pkgs),
                Binding::new("extraSpecialArgs", Expr::Attrs(vec![Binding::Inherit(vec!["inputs".into()])])),
                Binding::new("modules", Expr::vertical_list(modules)),
            ]);
            let builder = Expr::select(Expr::var("inputs"), [input(sh.channel), "lib", "homeManagerConfiguration"]);
            Binding::new(sh.name(), Expr::Apply(Box::new(builder), vec![args]))
        })
        .collect();
    let body = Expr::lambda(
        ["inputs"],
        Expr::Attrs(vec![Binding::path(["flake", "homeConfigurations"], Expr::Attrs(configs))]),
    );
    let comment = "home-manager on machines without NixOS or nix-darwin: `home-manager switch --flake .#user@machine`.";
    tree.generated(STANDALONE_PART, nix_file(&plan.fleet.name, Some(comment), &body));
}

/// The part holding the standalone homes.
pub(super) const STANDALONE_PART: &str = "parts/homes.nix";

/// The nixpkgs input a standalone home of a machine of `os` on `channel` is built with.
pub(super) fn standalone_nixpkgs(os: Os, channel: Channel) -> &'static str {
    super::nixpkgs_input(os, channel)
}
