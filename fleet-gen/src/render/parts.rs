//! `parts/hosts.nix` (every host's system, on its own channel) and `parts/dev.nix`.

use super::{base_modules, darwin_input, nix_file, nixpkgs_input};
use crate::nix::scope::free_variables;
use crate::nix::{BinaryOp, Binding, Expr};
use crate::plan::Plan;
use crate::tree::Tree;
use fleet_dsl::{NixValue, Os};

pub(super) fn render(plan: &Plan<'_>, tree: &mut Tree) {
    tree.generated("parts/hosts.nix", nix_file(&plan.fleet.name, None, &hosts(plan)));
    tree.generated("parts/dev.nix", nix_file(&plan.fleet.name, None, &dev(plan)));
    if !plan.flake.exports.is_empty() {
        let modules = plan
            .flake
            .exports
            .iter()
            .map(|(name, file)| Binding::new(*name, Expr::path(format!("../{file}"))))
            .collect();
        let body = Expr::Attrs(vec![Binding::path(["flake", "nixosModules"], Expr::Attrs(modules))]);
        let comment = "Modules of this repository exported for other flakes: inputs.<this flake>.nixosModules.<name>.";
        tree.generated("parts/modules.nix", nix_file(&plan.fleet.name, Some(comment), &body));
    }
}

/// Arguments of a `perSystem` function, in the order they are listed.
const PER_SYSTEM_ARGS: [&str; 6] = ["pkgs", "inputs'", "self'", "system", "lib", "config"];

/// A value of an extra output, inside `perSystem`: there `pkgs` has no `unstable`, so an
/// unstable package is taken from the input's packages for the system.
fn output_expr(value: &NixValue) -> Expr {
    match value {
        NixValue::UnstablePackage(p) => match crate::nix::raw::package(&p.0) {
            Ok(path) => {
                let prefix = ["nixpkgs-unstable".to_owned(), "legacyPackages".to_owned()];
                Expr::select(Expr::var("inputs'"), prefix.into_iter().chain(path))
            }
            Err(_) => Expr::from(value),
        },
        NixValue::List(items) => Expr::list(items.iter().map(output_expr)),
        NixValue::Attrs(map) => Expr::Attrs(map.iter().map(|(k, v)| Binding::new(k.clone(), output_expr(v))).collect()),
        _ => Expr::from(value),
    }
}

fn hosts(plan: &Plan<'_>) -> Expr {
    let mut lets = vec![Binding::new("specialArgs", Expr::Attrs(vec![Binding::Inherit(vec!["inputs".into()])]))];
    let mut outputs = Vec::new();
    for (os, list, output) in
        [(Os::Nixos, "nixosModules", "nixosConfigurations"), (Os::Darwin, "darwinModules", "darwinConfigurations")]
    {
        let hosts: Vec<_> = plan.hosts.iter().filter(|h| h.host.os == os).collect();
        if hosts.is_empty() {
            continue;
        }
        let shared = base_modules(plan, os);
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
                if super::home::used(plan) {
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

fn dev(plan: &Plan<'_>) -> Expr {
    let mut packages = vec!["alejandra"];
    if plan.secrets.is_some() {
        packages.extend(["sops", "age", "ssh-to-age"]);
    }
    let mut packages: Vec<Expr> = packages.iter().map(|p| Expr::select(Expr::var("pkgs"), [*p])).collect();
    if plan.colmena {
        // The CLI of the flake's own colmena input, so it understands the hive `makeHive` built.
        packages.push(Expr::dotted("inputs'.colmena.packages.colmena"));
    }
    let packages = Expr::list(packages);
    let shell = Expr::apply("pkgs.mkShell", [Expr::Attrs(vec![Binding::new("packages", packages)])]);
    let mut outputs =
        vec![Binding::new("formatter", Expr::dotted("pkgs.alejandra")), Binding::path(["devShells", "default"], shell)];
    let extra = &plan.fleet.outputs;
    for (attr, list) in [("devShells", &extra.dev_shells), ("packages", &extra.packages), ("checks", &extra.checks)] {
        for (name, value) in list {
            outputs.push(Binding::path([attr, name.as_str()], output_expr(value)));
        }
    }
    let outputs = Expr::Attrs(outputs);
    let free = free_variables(&outputs);
    let uses = |name: &str| free.all().any(|f| f == name);
    let formals: Vec<&str> = PER_SYSTEM_ARGS.iter().copied().filter(|a| uses(a)).collect();
    let per_system = Expr::lambda(formals, outputs);
    let outer: Vec<&str> = ["inputs", "self"].into_iter().filter(|a| uses(a)).collect();
    let body = Expr::Attrs(vec![Binding::new("perSystem", per_system)]);
    if outer.is_empty() {
        body
    } else {
        Expr::lambda(outer, body)
    }
}
