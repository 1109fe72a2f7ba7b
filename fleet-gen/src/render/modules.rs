//! Generated modules: `modules/host-spec.nix`, `modules/users*.nix`, `modules/options/*.nix`,
//! and scaffolds of hand-written modules (written once).

use super::nix_file;
use super::options::{declarations, option_type};
use crate::nix::{Binding, Expr};
use crate::plan::{Plan, UserPlan};
use crate::tree::Tree;
use fleet_dsl::{OptionType, Os, User};

pub(super) fn render(plan: &Plan<'_>, tree: &mut Tree) {
    let fleet = &plan.fleet.name;
    let spec = &plan.fleet.spec;
    if !spec.options.is_empty() {
        let body = Expr::Attrs(vec![Binding::path(["options", "hostSpec"], declarations(spec))]);
        let comment = match &spec.description {
            Some(d) => format!("{d}\nEach host sets its values in hosts/<host>/default.nix."),
            None => format!("The host spec `{}`: modules read it as config.hostSpec.*; each host sets its values in hosts/<host>/default.nix.", spec.rust_name),
        };
        tree.generated("modules/host-spec.nix", nix_file(fleet, Some(&comment), &Expr::lambda(["lib"], body)));
    }
    for os in [Os::Nixos, Os::Darwin] {
        let users: Vec<&UserPlan<'_>> =
            plan.users.iter().filter(|u| if os == Os::Nixos { u.on_nixos } else { u.on_darwin }).collect();
        if users.is_empty() {
            continue;
        }
        let (path, comment) = match os {
            Os::Nixos => ("modules/users.nix", "Users are declared once, here; a host has the users its profiles list in fleet.users."),
            Os::Darwin => ("modules/users-darwin.nix", "Users of nix-darwin hosts, declared once, here; a host has the users its profiles list in fleet.users."),
        };
        tree.generated(path, nix_file(fleet, Some(comment), &users_module(&users, os)));
    }
    for set in &plan.option_sets {
        let path: Vec<String> = std::iter::once("options").chain(set.path.iter().copied()).map(str::to_owned).collect();
        let body = Expr::Attrs(vec![Binding::Attr(path, declarations(set.options))]);
        let comment =
            set.options.description.clone().unwrap_or_else(|| format!("Options of `{}`.", set.options.rust_name));
        let comment = format!(
            "{comment}\nDeclared from `{}`; the module that implements them is hand-written.",
            set.options.rust_name
        );
        tree.generated(set.file(), nix_file(fleet, Some(&comment), &Expr::lambda(["lib"], body)));
    }
    if overlays_used(plan) {
        tree.generated(OVERLAYS, nix_file(fleet, Some(OVERLAYS_COMMENT), &overlays_module(plan)));
    }
    for module in &plan.modules {
        if let Some(text) = module.scaffold {
            tree.user_owned(module.import.clone(), text.to_owned());
        }
    }
}

fn users_module(users: &[&UserPlan<'_>], os: Os) -> Expr {
    let names = users.iter().map(|u| u.user.name.as_str());
    let list_type =
        Expr::apply("lib.types.listOf", [option_type(&OptionType::Enum(names.map(str::to_owned).collect()))]);
    let option = Expr::apply(
        "lib.mkOption",
        [Expr::Attrs(vec![
            Binding::new("type", list_type),
            Binding::new("default", Expr::list([])),
            Binding::new("description", "Users of this host, listed by its profiles."),
        ])],
    );
    let blocks = users.iter().map(|u| {
        let enabled = Expr::apply("lib.elem", [Expr::str(u.user.name.as_str()), Expr::dotted("config.fleet.users")]);
        Expr::apply("lib.mkIf", [enabled, user_config(u.user, os)])
    });
    Expr::lambda(
        ["config", "lib", "pkgs"],
        Expr::Attrs(vec![
            Binding::path(["options", "fleet", "users"], option),
            Binding::new("config", Expr::apply("lib.mkMerge", [Expr::vertical_list(blocks)])),
        ]),
    )
}

fn user_config(user: &User, os: Os) -> Expr {
    let mut fields = Vec::new();
    match os {
        Os::Nixos => fields.push(Binding::new("isNormalUser", true)),
        Os::Darwin => fields.push(Binding::new("home", Expr::str(format!("/Users/{}", user.name)))),
    }
    if let Some(d) = &user.description {
        fields.push(Binding::new("description", d.as_str()));
    }
    if os == Os::Nixos && !user.groups.is_empty() {
        fields.push(Binding::new("extraGroups", Expr::strings(&user.groups)));
    }
    let program = user.shell.program();
    if program.is_some() {
        fields.push(Binding::new("shell", Expr::select(Expr::var("pkgs"), [user.shell.package()])));
    }
    if let (Os::Nixos, Some(secret)) = (os, &user.password_secret) {
        fields.push(Binding::new("hashedPasswordFile", super::hosts::secret_path(&secret.name)));
    }
    if !user.ssh_keys.is_empty() {
        fields.push(Binding::path(["openssh", "authorizedKeys", "keys"], Expr::strings(&user.ssh_keys)));
    }
    let mut config = vec![Binding::path(["users", "users", user.name.as_str()], Expr::Attrs(fields))];
    if user.home.is_some() {
        let home = Expr::path(format!("../home/{}.nix", user.name));
        config.push(Binding::path(["home-manager", "users", user.name.as_str()], home));
    }
    if let Some(p) = program {
        config.push(Binding::path(["programs", p, "enable"], true));
    }
    Expr::Attrs(config)
}

/// The generated module with the fleet's overlays (and `pkgs.unstable`), imported by every host.
pub(super) const OVERLAYS: &str = "modules/overlays.nix";

const OVERLAYS_COMMENT: &str = "Overlays of the whole fleet; profiles and hosts add their own to nixpkgs.overlays.\n`pkgs.unstable` is nixpkgs-unstable for the host's system, with the host's own nixpkgs.config\n(so allowUnfree applies to it too): stable hosts take single packages from it.";

/// Whether the fleet has overlays of its own or hosts take packages from nixpkgs-unstable.
pub(super) fn overlays_used(plan: &Plan<'_>) -> bool {
    plan.flake.unstable_overlay || !plan.fleet.overlays.is_empty()
}

fn overlays_module(plan: &Plan<'_>) -> Expr {
    let mut overlays = Vec::new();
    if plan.flake.unstable_overlay {
        let unstable = Expr::apply(
            "import",
            [
                Expr::dotted("inputs.nixpkgs-unstable"),
                Expr::Attrs(vec![
                    Binding::InheritFrom(Expr::dotted("prev.stdenv.hostPlatform"), vec!["system".into()]),
                    Binding::InheritFrom(Expr::dotted("config.nixpkgs"), vec!["config".into()]),
                ]),
            ],
        );
        overlays.push(Expr::curried(["final", "prev"], Expr::Attrs(vec![Binding::new("unstable", unstable)])));
    }
    overlays.extend(plan.fleet.overlays.iter().map(Expr::from));
    let body = vec![Binding::path(["nixpkgs", "overlays"], Expr::vertical_list(overlays))];
    super::profiles::module(body, crate::nix::scope::SYSTEM_ARGS)
}
