//! `parts/colmena.nix`: a colmena hive whose nodes are the `nixosConfigurations`.

use super::nix_file;
use crate::nix::{Binding, Expr};
use crate::tree::Tree;
use crate::view::{HostView, View};
use fleet_dsl::Os;

const COMMENT: &str = "The hive reuses each nixosConfigurations entry (its nixpkgs, arguments and modules), so the two\ncannot drift apart. Only NixOS hosts are nodes: colmena does not deploy nix-darwin.";

pub(super) fn render(view: &View<'_>, tree: &mut Tree) {
    if !view.colmena {
        return;
    }
    let nixos: Vec<&HostView<'_>> = view.hosts.iter().filter(|h| h.host.os == Os::Nixos).collect();
    let Some(first) = nixos.first() else { return };
    let node = Expr::Fn(
        vec!["name".into(), "deployment".into()],
        Box::new(Expr::Attrs(vec![
            Binding::new("imports", Expr::code("self.nixosConfigurations.${name}._module.args.modules")),
            Binding::Inherit(vec!["deployment".into()]),
        ])),
    );
    let meta = Expr::Attrs(vec![
        Binding::new(
            "nixpkgs",
            Expr::apply(
                "import inputs.nixpkgs",
                [Expr::Attrs(vec![Binding::new("system", first.host.system.as_str())])],
            ),
        ),
        Binding::new("nodeNixpkgs", Expr::code("builtins.mapAttrs (_: host: host.pkgs) self.nixosConfigurations")),
        Binding::new(
            "nodeSpecialArgs",
            Expr::code("builtins.mapAttrs (_: host: host._module.specialArgs) self.nixosConfigurations"),
        ),
    ]);
    let mut hive = vec![Binding::new("meta", meta)];
    for h in &nixos {
        let name = h.host.name.as_str();
        hive.push(Binding::new(name, Expr::apply("node", [Expr::str(name), deployment(h)])));
    }
    let body = Expr::Let(
        vec![Binding::new("node", node)],
        Box::new(Expr::Attrs(vec![
            Binding::path(["flake", "colmena"], Expr::Attrs(hive)),
            Binding::path(["flake", "colmenaHive"], Expr::code("inputs.colmena.lib.makeHive self.colmena")),
        ])),
    );
    let file = Expr::lambda(["inputs", "self"], body);
    tree.generated("parts/colmena.nix", nix_file(&view.fleet.name, Some(COMMENT), &file));
}

/// The node's `deployment` options.
fn deployment(h: &HostView<'_>) -> Expr {
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
