//! `parts/hosts.nix` (every host's system, on its own channel) and `parts/dev.nix`.

use super::{base_modules, darwin_input, nix_file, nixpkgs_input};
use crate::nix::{BinaryOp, Binding, Expr};
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
            let paths = shared.iter().map(|m| Expr::path(format!("../{m}")));
            lets.push(Binding::new(list, Expr::vertical_list(paths)));
        }
        let configs = hosts
            .iter()
            .map(|h| {
                let name = &h.host.name;
                let builder = match os {
                    Os::Nixos => {
                        Expr::select(Expr::var("inputs"), [nixpkgs_input(os, h.host.channel), "lib", "nixosSystem"])
                    }
                    Os::Darwin => {
                        Expr::select(Expr::var("inputs"), [darwin_input(h.host.channel), "lib", "darwinSystem"])
                    }
                };
                let mut own = Vec::new();
                if super::home::used(view) {
                    own.push(super::home::host_module(os, h.host.channel));
                }
                own.push(Expr::path(format!("../hosts/{name}")));
                let own = Expr::list(own);
                let modules =
                    if shared.is_empty() { own } else { Expr::binary(BinaryOp::Concat, Expr::var(list), own) };
                let args =
                    Expr::Attrs(vec![Binding::Inherit(vec!["specialArgs".into()]), Binding::new("modules", modules)]);
                Binding::new(name.clone(), Expr::Apply(Box::new(builder), vec![args]))
            })
            .collect();
        outputs.push(Binding::path(["flake", output], Expr::Attrs(configs)));
    }
    Expr::lambda(["inputs"], Expr::let_in(lets, Expr::Attrs(outputs)))
}

fn dev(view: &View<'_>) -> Expr {
    let mut packages = vec!["alejandra"];
    if view.secrets.is_some() {
        packages.extend(["sops", "age", "ssh-to-age"]);
    }
    let mut packages: Vec<Expr> = packages.iter().map(|p| Expr::select(Expr::var("pkgs"), [*p])).collect();
    if view.colmena {
        // The CLI of the flake's own colmena input, so it understands the hive `makeHive` built.
        packages.push(Expr::dotted("inputs'.colmena.packages.colmena"));
    }
    let packages = Expr::list(packages);
    let shell = Expr::apply("pkgs.mkShell", [Expr::Attrs(vec![Binding::new("packages", packages)])]);
    let formals: &[&str] = if view.colmena { &["pkgs", "inputs'"] } else { &["pkgs"] };
    let per_system = Expr::lambda(
        formals.iter().copied(),
        Expr::Attrs(vec![
            Binding::new("formatter", Expr::dotted("pkgs.alejandra")),
            Binding::path(["devShells", "default"], shell),
        ]),
    );
    Expr::Attrs(vec![Binding::new("perSystem", per_system)])
}
