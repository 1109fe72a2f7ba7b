//! `flake.nix`: the inputs the fleet uses and the flake-parts entry point.

use super::{darwin_input, nix_file, nixpkgs_input};
use crate::nix::{Binding, Expr};
use crate::tree::Tree;
use crate::view::View;
use fleet_dsl::Os;

pub(super) fn render(view: &View<'_>, tree: &mut Tree) {
    let fleet = view.fleet;
    let urls = &fleet.inputs;
    let used = |input: &str| {
        fleet.hosts.iter().any(|h| {
            nixpkgs_input(h.os, h.channel) == input || (h.os == Os::Darwin && darwin_input(h.channel) == input)
        })
    };
    let follows = |url: &str, name: &str, target: &str| {
        Expr::Attrs(vec![Binding::new("url", url), Binding::path(["inputs", name, "follows"], Expr::str(target))])
    };

    // Inputs that only need some nixpkgs follow the stable one when a host uses it, else the
    // one the hosts do use: no nixpkgs is pinned that no host builds with.
    let base = ["nixpkgs", "nixpkgs-unstable", "nixpkgs-darwin"].into_iter().find(|i| used(i)).unwrap_or("nixpkgs");
    let mut inputs = Vec::new();
    if used("nixpkgs") || base == "nixpkgs" {
        inputs.push(Binding::path(["nixpkgs", "url"], Expr::str(&urls.nixpkgs)));
    }
    if used("nixpkgs-unstable") {
        inputs.push(Binding::path(["nixpkgs-unstable", "url"], Expr::str(&urls.nixpkgs_unstable)));
    }
    if used("nixpkgs-darwin") {
        inputs.push(Binding::path(["nixpkgs-darwin", "url"], Expr::str(&urls.nixpkgs_darwin)));
    }
    inputs.push(Binding::new("flake-parts", follows(&urls.flake_parts, "nixpkgs-lib", base)));
    if used("nix-darwin") {
        inputs.push(Binding::new("nix-darwin", follows(&urls.nix_darwin, "nixpkgs", "nixpkgs-darwin")));
    }
    if view.secrets.is_some() {
        inputs.push(Binding::new("sops-nix", follows(&urls.sops_nix, "nixpkgs", base)));
    }
    let home_channels: Vec<_> = if super::home::used(view) {
        fleet.hosts.iter().map(|h| super::home::input(h.channel)).collect()
    } else {
        Vec::new()
    };
    if home_channels.contains(&"home-manager") {
        inputs.push(Binding::new("home-manager", follows(&urls.home_manager, "nixpkgs", base)));
    }
    if home_channels.contains(&"home-manager-unstable") {
        let url = &urls.home_manager_unstable;
        inputs.push(Binding::new("home-manager-unstable", follows(url, "nixpkgs", "nixpkgs-unstable")));
    }
    if fleet.hosts.iter().any(|h| !h.disks.is_empty()) {
        inputs.push(Binding::new("disko", follows(&urls.disko, "nixpkgs", base)));
    }
    if view.colmena {
        inputs.push(Binding::new("colmena", follows(&urls.colmena, "nixpkgs", base)));
    }
    if used("nix-darwin-unstable") {
        inputs.push(Binding::new(
            "nix-darwin-unstable",
            follows(&urls.nix_darwin_unstable, "nixpkgs", "nixpkgs-unstable"),
        ));
    }

    let mut parts = vec!["./parts/hosts.nix"];
    if view.colmena {
        parts.push("./parts/colmena.nix");
    }
    parts.push("./parts/dev.nix");
    let parts = parts.into_iter().map(Expr::path);
    let mk_flake = Expr::apply(
        "flake-parts.lib.mkFlake",
        [
            Expr::Attrs(vec![Binding::Inherit(vec!["inputs".into()])]),
            Expr::Attrs(vec![
                Binding::new("systems", Expr::strings(view.systems.iter().map(|s| s.as_str()))),
                Binding::new("imports", Expr::vertical_list(parts)),
            ]),
        ],
    );
    let flake = Expr::Attrs(vec![
        Binding::new("description", Expr::str(description(view))),
        Binding::new("inputs", Expr::Attrs(inputs)),
        Binding::new("outputs", Expr::lambda_at("inputs", ["flake-parts"], mk_flake)),
    ]);
    tree.generated("flake.nix", nix_file(&fleet.name, None, &flake));
}

fn description(view: &View<'_>) -> String {
    let count = |os| view.fleet.hosts.iter().filter(|h| h.os == os).count();
    let plural = |n: usize, what: &str| format!("{n} {what} host{}", if n == 1 { "" } else { "s" });
    let mut parts = Vec::new();
    for (os, label) in [(Os::Nixos, "NixOS"), (Os::Darwin, "nix-darwin")] {
        let n = count(os);
        if n > 0 {
            parts.push(plural(n, label));
        }
    }
    format!("{}: {}", view.fleet.name, parts.join(" and "))
}
