//! `parts/hosts.nix` (every host's system, on its own channel) and `parts/dev.nix`.

use super::{base_modules, darwin_input, nix_file, nixpkgs_input};
use crate::nix::{Binding, Expr};
use crate::tree::Tree;
use crate::view::View;
use fleet_dsl::Os;

pub(super) fn render(view: &View<'_>, tree: &mut Tree) {
    tree.generated("parts/hosts.nix", nix_file(&view.fleet.name, None, &hosts(view)));
    tree.generated("parts/dev.nix", nix_file(&view.fleet.name, None, &dev(view)));
}

fn hosts(view: &View<'_>) -> Expr {
    let mut lets = vec![Binding::new("specialArgs", Expr::Attrs(vec![Binding::Inherit(vec!["inputs".into()])]))];
    let mut outputs = Vec::new();
    for (os, list, output) in
        [(Os::Nixos, "nixosModules", "nixosConfigurations"), (Os::Darwin, "darwinModules", "darwinConfigurations")]
    {
        let hosts: Vec<_> = view.hosts.iter().filter(|h| h.host.os == os).collect();
        if hosts.is_empty() {
            continue;
        }
        let shared = base_modules(view, os);
        if !shared.is_empty() {
            let paths = shared.iter().map(|m| Expr::code(format!("../{m}")));
            lets.push(Binding::new(list, Expr::vertical_list(paths)));
        }
        let configs = hosts
            .iter()
            .map(|h| {
                let name = &h.host.name;
                let builder = match os {
                    Os::Nixos => format!("inputs.{}.lib.nixosSystem", nixpkgs_input(os, h.host.channel)),
                    Os::Darwin => format!("inputs.{}.lib.darwinSystem", darwin_input(h.host.channel)),
                };
                let mut own = Vec::new();
                if super::home::used(view) {
                    own.push(super::home::host_module(os, h.host.channel));
                }
                own.push(format!("../hosts/{name}"));
                let own = own.join(" ");
                let modules = if shared.is_empty() { format!("[{own}]") } else { format!("{list} ++ [{own}]") };
                let args = Expr::Attrs(vec![
                    Binding::Inherit(vec!["specialArgs".into()]),
                    Binding::new("modules", Expr::code(modules)),
                ]);
                Binding::new(name.clone(), Expr::apply(builder, [args]))
            })
            .collect();
        outputs.push(Binding::path(["flake", output], Expr::Attrs(configs)));
    }
    Expr::lambda(["inputs"], Expr::Let(lets, Box::new(Expr::Attrs(outputs))))
}

fn dev(view: &View<'_>) -> Expr {
    let mut packages = vec!["alejandra"];
    if view.secrets.is_some() {
        packages.extend(["sops", "age", "ssh-to-age"]);
    }
    let mut packages: Vec<Expr> = packages.iter().map(|p| Expr::code(format!("pkgs.{p}"))).collect();
    if view.colmena {
        // The CLI of the flake's own colmena input, so it understands the hive `makeHive` built.
        packages.push(Expr::code("inputs'.colmena.packages.colmena"));
    }
    let packages = Expr::list(packages);
    let shell = Expr::apply("pkgs.mkShell", [Expr::Attrs(vec![Binding::new("packages", packages)])]);
    let formals: &[&str] = if view.colmena { &["pkgs", "inputs'"] } else { &["pkgs"] };
    let per_system = Expr::lambda(
        formals.iter().copied(),
        Expr::Attrs(vec![
            Binding::new("formatter", Expr::code("pkgs.alejandra")),
            Binding::path(["devShells", "default"], shell),
        ]),
    );
    Expr::Attrs(vec![Binding::new("perSystem", per_system)])
}
