//! Rendering: the checked plan to the repository tree, in memory (a pure function of the plan).

mod apps;
mod colmena;
mod flake;
pub mod graph;
mod home;
mod hosts;
mod machine;
mod modules;
mod options;
mod parts;
mod profiles;
mod readme;
mod secrets;

pub(crate) use hosts::hardware_placeholder;

use crate::nix::{escape, Expr};
use crate::plan::Plan;
use crate::tree::{hash_header, Owner, Tree};
use fleet_dsl::{Channel, Os};

/// The manifest of generated files, so later runs prune only what they wrote.
pub const MANIFEST: &str = ".fleet-gen-manifest";

/// Renders every file of the repository. Fails only if a built-in template is broken.
pub fn render(plan: &Plan<'_>) -> Result<Tree, minijinja::Error> {
    let mut tree = Tree { warnings: plan.warnings.clone(), ..Tree::default() };
    flake::render(plan, &mut tree);
    parts::render(plan, &mut tree);
    colmena::render(plan, &mut tree);
    apps::render(plan, &mut tree);
    modules::render(plan, &mut tree);
    profiles::render(plan, &mut tree);
    hosts::render(plan, &mut tree);
    home::render(plan, &mut tree);
    machine::render(plan, &mut tree);
    secrets::render(plan, &mut tree)?;
    readme::render(plan, &mut tree)?;
    let schema = crate::schema::fleet_schema(plan.fleet);
    tree.generated(crate::schema::FILE, crate::schema::to_text(&schema));
    let manifest = manifest(plan, &tree);
    tree.generated(MANIFEST, manifest);
    Ok(tree)
}

fn manifest(plan: &Plan<'_>, tree: &Tree) -> String {
    let mut text = hash_header(&plan.fleet.name);
    text.push_str("# Files fleet-gen wrote; it deletes only these, and only once they are no longer generated.\n");
    for (path, file) in &tree.files {
        if file.owner == Owner::Generator {
            text.push_str(path);
            text.push('\n');
        }
    }
    text.push_str(MANIFEST);
    text.push('\n');
    text
}

/// A generated `.nix` file: header, optional comment, the expression.
fn nix_file(fleet: &str, comment: Option<&str>, expr: &Expr) -> String {
    let mut text = hash_header(fleet);
    if let Some(c) = comment {
        text.push_str(&escape::comment(c));
    }
    text.push_str(&expr.clone().nested().render(0));
    text.push('\n');
    text
}

/// The flake input holding the nixpkgs a host of `os` on `channel` is built from.
fn nixpkgs_input(os: Os, channel: Channel) -> &'static str {
    match (os, channel) {
        (Os::Nixos, Channel::Stable) => "nixpkgs",
        (Os::Darwin, Channel::Stable) => "nixpkgs-darwin",
        (_, Channel::Unstable) => "nixpkgs-unstable",
    }
}

/// The flake input providing nix-darwin for a Mac on `channel`.
fn darwin_input(channel: Channel) -> &'static str {
    match channel {
        Channel::Stable => "nix-darwin",
        Channel::Unstable => "nix-darwin-unstable",
    }
}

/// Generated modules every host of `os` imports, relative to the repository root.
fn base_modules(plan: &Plan<'_>, os: Os) -> Vec<&'static str> {
    let mut out = Vec::new();
    if !plan.fleet.spec.options.is_empty() {
        out.push("modules/host-spec.nix");
    }
    let has_users = plan.users.iter().any(|u| match os {
        Os::Nixos => u.on_nixos,
        Os::Darwin => u.on_darwin,
    });
    if has_users {
        out.push(match os {
            Os::Nixos => "modules/users.nix",
            Os::Darwin => "modules/users-darwin.nix",
        });
    }
    if plan.secrets.is_some() {
        out.push(secrets::module_path(os));
    }
    if home::used(plan) {
        out.push(home::MODULE);
    }
    if modules::overlays_used(plan) {
        out.push(modules::OVERLAYS);
    }
    out
}
