//! `parts/colmena.nix`: a colmena hive whose nodes are the `nixosConfigurations`.

use super::nix_file;
use crate::nix::{Binding, Expr, Key};
use crate::plan::{HostPlan, Plan};
use crate::tree::Tree;
use fleet_dsl::Os;

const COMMENT: &str = "The hive reuses each nixosConfigurations entry (its nixpkgs, arguments and modules), so the two\ncannot drift apart. Only NixOS hosts with deployment settings are nodes: colmena does not\ndeploy nix-darwin, nor machines the fleet does not deploy.";

pub(super) fn render(plan: &Plan<'_>, tree: &mut Tree) {
    if !plan.colmena {
        return;
    }
    // Only hosts the fleet says to deploy: colmena would otherwise reach for every machine.
    let nixos: Vec<&HostPlan<'_>> =
        plan.hosts.iter().filter(|h| h.host.os == Os::Nixos && h.host.deploy.is_some()).collect();
    let Some(first) = nixos.first() else { return };
    let configuration = Expr::Select(
        Box::new(Expr::var("self")),
        vec![
            Key::Name("nixosConfigurations".into()),
            Key::Interp(Expr::var("name")),
            Key::Name("_module".into()),
            Key::Name("args".into()),
            Key::Name("modules".into()),
        ],
        None,
    );
    let node = Expr::curried(
        ["name", "deployment"],
        Expr::Attrs(vec![Binding::new("imports", configuration), Binding::Inherit(vec!["deployment".into()])]),
    );
    let over_hosts = |f: Expr| {
        Expr::Apply(Box::new(Expr::dotted("builtins.mapAttrs")), vec![f, Expr::dotted("self.nixosConfigurations")])
    };
    let meta = Expr::Attrs(vec![
        Binding::new(
            "nixpkgs",
            Expr::apply(
                "import",
                [
                    Expr::select(Expr::var("inputs"), [super::nixpkgs_input(Os::Nixos, first.host.channel)]),
                    Expr::Attrs(vec![Binding::new("system", first.host.system.as_str())]),
                ],
            ),
        ),
        Binding::new("nodeNixpkgs", over_hosts(Expr::curried(["_", "host"], Expr::dotted("host.pkgs")))),
        Binding::new(
            "nodeSpecialArgs",
            over_hosts(Expr::curried(["_", "host"], Expr::dotted("host._module.specialArgs"))),
        ),
    ]);
    let mut hive = vec![Binding::new("meta", meta)];
    for h in &nixos {
        let name = h.host.name.as_str();
        hive.push(Binding::new(name, Expr::apply("node", [Expr::str(name), deployment(h)])));
    }
    let body = Expr::let_in(
        vec![Binding::new("node", node)],
        Expr::Attrs(vec![
            Binding::path(["flake", "colmena"], Expr::Attrs(hive)),
            Binding::path(
                ["flake", "colmenaHive"],
                Expr::apply("inputs.colmena.lib.makeHive", [Expr::dotted("self.colmena")]),
            ),
        ]),
    );
    let file = Expr::lambda(["inputs", "self"], body);
    tree.generated("parts/colmena.nix", nix_file(&plan.fleet.name, Some(COMMENT), &file));
}

/// The node's `deployment` options.
fn deployment(h: &HostPlan<'_>) -> Expr {
    let mut fields = Vec::new();
    if let Some(d) = &h.host.deploy {
        match &d.target_host {
            Some(target) => fields.push(Binding::new("targetHost", target.as_str())),
            None => fields.push(Binding::new("targetHost", Expr::Null)),
        }
        if let Some(user) = &d.target_user {
            fields.push(Binding::new("targetUser", user.as_str()));
        }
        if let Some(port) = d.target_port {
            fields.push(Binding::new("targetPort", Expr::Int(i64::from(port))));
        }
        if d.allow_local_deployment {
            fields.push(Binding::new("allowLocalDeployment", true));
        }
        if d.build_on_target {
            fields.push(Binding::new("buildOnTarget", true));
        }
    }
    fields.push(Binding::new("tags", Expr::strings(&h.tags)));
    Expr::Attrs(fields)
}
