//! `flake.nix`: the inputs the fleet uses and the flake-parts entry point.

use super::{darwin_input, nix_file, nixpkgs_input};
use crate::nix::{Binding, Expr, Key};
use crate::plan::Plan;
use crate::tree::Tree;
use fleet_dsl::Os;

pub(super) fn render(plan: &Plan<'_>, tree: &mut Tree) {
    let fleet = plan.fleet;
    let urls = &fleet.inputs;
    let unstable_packages = plan.flake.unstable_overlay || plan.flake.unstable_outputs;
    let used = |input: &str| {
        (input == "nixpkgs-unstable" && unstable_packages)
            || fleet.hosts.iter().any(|h| {
                nixpkgs_input(h.os, h.channel) == input || (h.os == Os::Darwin && darwin_input(h.channel) == input)
            })
            || fleet
                .standalone_homes
                .iter()
                .any(|sh| super::home::standalone_nixpkgs(sh.system.os(), sh.channel) == input)
    };
    let follows = |url: &str, name: &str, target: &str| {
        Expr::Attrs(vec![Binding::new("url", url), Binding::path(["inputs", name, "follows"], Expr::str(target))])
    };

    // Inputs that only need some nixpkgs follow the stable one when a host uses it, else the
    // one the hosts do use: no nixpkgs is pinned that no host builds with.
    let builds_with = |input: &str| {
        fleet.hosts.iter().any(|h| {
            nixpkgs_input(h.os, h.channel) == input || (h.os == Os::Darwin && darwin_input(h.channel) == input)
        })
    };
    let base =
        ["nixpkgs", "nixpkgs-unstable", "nixpkgs-darwin"].into_iter().find(|i| builds_with(i)).unwrap_or("nixpkgs");
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
    if plan.secrets.is_some() {
        inputs.push(Binding::new("sops-nix", follows(&urls.sops_nix, "nixpkgs", base)));
    }
    let mut home_channels: Vec<_> = if super::home::used(plan) {
        fleet.hosts.iter().map(|h| super::home::input(h.channel)).collect()
    } else {
        Vec::new()
    };
    home_channels.extend(fleet.standalone_homes.iter().map(|sh| super::home::input(sh.channel)));
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
    if plan.colmena {
        inputs.push(Binding::new("colmena", follows(&urls.colmena, "nixpkgs", base)));
    }
    if used("nix-darwin-unstable") {
        inputs.push(Binding::new(
            "nix-darwin-unstable",
            follows(&urls.nix_darwin_unstable, "nixpkgs", "nixpkgs-unstable"),
        ));
    }

    // Extra inputs, in first-use order, after the generator's own.
    for input in &plan.flake.inputs {
        let mut fields = vec![Binding::new("url", input.url.as_str())];
        if !input.flake {
            fields.push(Binding::new("flake", false));
        }
        for f in &input.follows {
            let target = f.target.as_deref().unwrap_or(base);
            fields.push(Binding::path(["inputs", f.input.as_str(), "follows"], Expr::str(target)));
        }
        let value = match fields.as_slice() {
            [Binding::Attr(_, url)] => Binding::path([input.name.as_str(), "url"], url.clone()),
            _ => Binding::new(input.name.as_str(), Expr::Attrs(fields)),
        };
        inputs.push(value);
    }

    let mut parts = vec!["./parts/hosts.nix"];
    if plan.colmena {
        parts.push("./parts/colmena.nix");
    }
    if !fleet.standalone_homes.is_empty() {
        parts.push("./parts/homes.nix");
    }
    // flake-parts takes perSystem's `pkgs` from an input named `nixpkgs`; without one, the part
    // below gives it the nixpkgs the hosts use.
    let pinned_stable =
        inputs.iter().any(|b| matches!(b, Binding::Attr(path, _) if path.first().is_some_and(|n| n == "nixpkgs")));
    if !pinned_stable {
        parts.push("./parts/nixpkgs.nix");
        tree.generated("parts/nixpkgs.nix", nix_file(&fleet.name, Some(NIXPKGS_COMMENT), &per_system_pkgs(base)));
    }
    parts.push("./parts/dev.nix");
    if super::apps::used(plan) {
        parts.push("./parts/apps.nix");
    }
    if !plan.flake.exports.is_empty() {
        parts.push("./parts/modules.nix");
    }
    let parts = parts.into_iter().map(Expr::path);
    let mk_flake = Expr::apply(
        "flake-parts.lib.mkFlake",
        [
            Expr::Attrs(vec![Binding::Inherit(vec!["inputs".into()])]),
            Expr::Attrs(vec![
                Binding::new("systems", Expr::strings(plan.systems.iter().map(|s| s.as_str()))),
                Binding::new("imports", Expr::vertical_list(parts)),
            ]),
        ],
    );
    let flake = Expr::Attrs(vec![
        Binding::new("description", Expr::str(description(plan))),
        Binding::new("inputs", Expr::Attrs(inputs)),
        Binding::new("outputs", Expr::lambda_at("inputs", ["flake-parts"], mk_flake)),
    ]);
    tree.generated("flake.nix", nix_file(&fleet.name, None, &flake));
}

const NIXPKGS_COMMENT: &str = "flake-parts takes perSystem's pkgs from an input named nixpkgs; this flake pins none (no host\nbuilds with it), so the dev shell, formatter, apps and checks use the nixpkgs the hosts use.";

/// `perSystem._module.args.pkgs` from the input `base`, for the system.
fn per_system_pkgs(base: &str) -> Expr {
    let pkgs = Expr::Select(
        Box::new(Expr::var("inputs")),
        vec![Key::Name(base.to_owned()), Key::Name("legacyPackages".into()), Key::Interp(Expr::var("system"))],
        None,
    );
    let per_system = Expr::lambda(["system"], Expr::Attrs(vec![Binding::path(["_module", "args", "pkgs"], pkgs)]));
    Expr::lambda(["inputs"], Expr::Attrs(vec![Binding::new("perSystem", per_system)]))
}

fn description(plan: &Plan<'_>) -> String {
    let count = |os| plan.fleet.hosts.iter().filter(|h| h.os == os).count();
    let plural = |n: usize, what: &str| format!("{n} {what} host{}", if n == 1 { "" } else { "s" });
    let mut parts = Vec::new();
    for (os, label) in [(Os::Nixos, "NixOS"), (Os::Darwin, "nix-darwin")] {
        let n = count(os);
        if n > 0 {
            parts.push(plural(n, label));
        }
    }
    format!("{}: {}", plan.fleet.name, parts.join(" and "))
}
