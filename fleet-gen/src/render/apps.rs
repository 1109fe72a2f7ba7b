//! `parts/apps.nix`: `nix run .#deploy -- HOST` and `nix run .#rollback -- HOST`, shell scripts
//! (`pkgs.writeShellApplication`, so shellcheck checks them when they are built) that run each
//! host's own commands: colmena for NixOS hosts it deploys, `nixos-rebuild` /
//! `darwin-rebuild` on the machine itself for the others.

use super::nix_file;
use crate::nix::{Binding, Expr};
use crate::plan::{HostPlan, Plan};
use crate::tree::Tree;
use fleet_dsl::Os;

/// How one host is deployed and rolled back.
pub(super) struct HostCommands {
    /// The host.
    pub name: String,
    /// The commands must run on the machine itself (checked against `uname -n`).
    pub on_machine: bool,
    /// The deploy command line.
    pub deploy: String,
    /// The rollback command line.
    pub rollback: String,
}

/// Whether the flake has the apps: it does whenever it has hosts.
pub(super) fn used(plan: &Plan<'_>) -> bool {
    !plan.hosts.is_empty()
}

/// `'text'` for the shell: single quotes, a single quote inside as `'\''`.
pub(super) fn shell_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

/// The commands of every host, in declaration order. Host names are RFC 1123 labels and
/// targets are validated addresses, and every word from the fleet is quoted all the same.
pub(super) fn host_commands(plan: &Plan<'_>) -> Vec<HostCommands> {
    plan.hosts.iter().map(commands).collect()
}

fn commands(h: &HostPlan<'_>) -> HostCommands {
    let host = h.host;
    let name = host.name.clone();
    let flake = shell_quote(&format!(".#{name}"));
    match (host.os, &host.deploy) {
        (Os::Darwin, _) => HostCommands {
            name,
            on_machine: true,
            deploy: format!("sudo darwin-rebuild switch --flake {flake}"),
            rollback: "sudo darwin-rebuild switch --rollback".into(),
        },
        (Os::Nixos, Some(d)) => match &d.target_host {
            Some(target) => {
                let user = d.target_user.as_deref().map(|u| format!("{u}@")).unwrap_or_default();
                let mut rollback = String::new();
                if let Some(port) = d.target_port {
                    rollback.push_str(&format!("NIX_SSHOPTS={} ", shell_quote(&format!("-p {port}"))));
                }
                // `--flake` keeps nixos-rebuild from looking for `<nixpkgs/nixos>` (it builds nothing).
                rollback.push_str(&format!(
                    "nixos-rebuild switch --rollback --flake {flake} --target-host {}",
                    shell_quote(&format!("{user}{target}"))
                ));
                if d.target_user.as_deref().is_some_and(|u| u != "root") {
                    rollback.push_str(" --sudo");
                }
                HostCommands {
                    on_machine: false,
                    deploy: format!("colmena apply --on {}", shell_quote(&name)),
                    rollback,
                    name,
                }
            }
            None => HostCommands {
                name,
                on_machine: true,
                deploy: "colmena apply-local --sudo".into(),
                rollback: format!("sudo nixos-rebuild switch --rollback --flake {flake}"),
            },
        },
        (Os::Nixos, None) => HostCommands {
            name,
            on_machine: true,
            deploy: format!("sudo nixos-rebuild switch --flake {flake}"),
            rollback: format!("sudo nixos-rebuild switch --rollback --flake {flake}"),
        },
    }
}

/// The script of one app: one `case` branch per host.
fn script(app: &str, hosts: &[HostCommands], pick: fn(&HostCommands) -> &str) -> String {
    let names: Vec<&str> = hosts.iter().map(|h| h.name.as_str()).collect();
    let mut s = String::new();
    s.push_str("if [ \"$#\" -ne 1 ]; then\n");
    s.push_str(&format!("  echo {} >&2\n", shell_quote(&format!("usage: nix run .#{app} -- HOST"))));
    s.push_str(&format!("  echo {} >&2\n", shell_quote(&format!("hosts: {}", names.join(" ")))));
    s.push_str("  exit 2\nfi\n");
    if hosts.iter().any(|h| h.on_machine) {
        s.push_str("node=\"$(uname -n)\"\nnode=\"${node%%.*}\"\n");
    }
    s.push_str("case \"$1\" in\n");
    for h in hosts {
        s.push_str(&format!("  {})\n", shell_quote(&h.name)));
        if h.on_machine {
            s.push_str(&format!("    if [ \"$node\" != {} ]; then\n", shell_quote(&h.name)));
            let message = format!("{}: run this on the machine itself (this is ", h.name);
            s.push_str(&format!("      echo {}\"$node\"')' >&2\n", shell_quote(&message)));
            s.push_str("      exit 1\n    fi\n");
        }
        s.push_str(&format!("    {}\n    ;;\n", pick(h)));
    }
    s.push_str("  *)\n");
    s.push_str(&format!(
        "    echo \"unknown host: $1 ({})\" >&2\n",
        format!("hosts: {}", names.join(" ")).replace(['"', '$', '`', '\\'], "")
    ));
    s.push_str("    exit 2\n    ;;\nesac\n");
    s
}

pub(super) fn render(plan: &Plan<'_>, tree: &mut Tree) {
    if !used(plan) {
        return;
    }
    let hosts = host_commands(plan);
    let colmena = hosts.iter().any(|h| h.deploy.starts_with("colmena"));
    let nixos_rebuild = hosts.iter().any(|h| !h.on_machine);
    let mut deploy_inputs = Vec::new();
    if colmena {
        deploy_inputs.push(Expr::dotted("inputs'.colmena.packages.colmena"));
    }
    let mut rollback_inputs = Vec::new();
    if nixos_rebuild {
        rollback_inputs.push(Expr::dotted("pkgs.nixos-rebuild"));
    }
    let app = |name: &str, inputs: Vec<Expr>, pick: fn(&HostCommands) -> &str| {
        let mut fields = vec![Binding::new("name", name)];
        if !inputs.is_empty() {
            fields.push(Binding::new("runtimeInputs", Expr::list(inputs)));
        }
        fields.push(Binding::new("text", Expr::str(script(name, &hosts, pick))));
        Expr::apply("pkgs.writeShellApplication", [Expr::Attrs(fields)])
    };
    let lets = vec![
        Binding::new("deploy", app("deploy", deploy_inputs, |h| &h.deploy)),
        Binding::new("rollback", app("rollback", rollback_inputs, |h| &h.rollback)),
    ];
    // flake-parts' app type has `type` and `program` only (no `meta` in every release).
    let entry = |name: &str| {
        Expr::Attrs(vec![
            Binding::new("type", "app"),
            Binding::new("program", Expr::apply("lib.getExe", [Expr::var(name)])),
        ])
    };
    let apps = Expr::Attrs(vec![
        Binding::path(["apps", "deploy"], entry("deploy")),
        Binding::path(["apps", "rollback"], entry("rollback")),
    ]);
    let mut formals = vec!["lib", "pkgs"];
    if colmena {
        formals.push("inputs'");
    }
    let per_system = Expr::lambda(formals, Expr::let_in(lets, apps));
    let body = Expr::Attrs(vec![Binding::new("perSystem", per_system)]);
    let comment = "nix run .#deploy -- HOST and nix run .#rollback -- HOST: each host's own commands (see README.md).";
    tree.generated("parts/apps.nix", nix_file(&plan.fleet.name, Some(comment), &body));
}
