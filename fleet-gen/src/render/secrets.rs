//! sops-nix: `modules/secrets*.nix`, per-file secret declarations, and `.sops.yaml`.

use super::nix_file;
use crate::nix::{Binding, Expr, PathPart};
use crate::plan::{Plan, SecretsPlan};
use crate::tree::{Tree, MARKER};
use fleet_dsl::{Os, Scope, SecretSet};
use minijinja::{context, Environment, UndefinedBehavior};
use serde::Serialize;

const SOPS_TEMPLATE: &str = include_str!("../../templates/sops.yaml.j2");

/// The generated sops-nix module of `os`, relative to the repository root.
pub(super) fn module_path(os: Os) -> &'static str {
    match os {
        Os::Nixos => "modules/secrets.nix",
        Os::Darwin => "modules/secrets-darwin.nix",
    }
}

pub(super) fn render(plan: &Plan<'_>, tree: &mut Tree) -> Result<(), minijinja::Error> {
    let Some(secrets) = &plan.secrets else { return Ok(()) };
    for os in [Os::Nixos, Os::Darwin] {
        if plan.hosts.iter().any(|h| h.host.os == os) {
            tree.generated(module_path(os), nix_file(&plan.fleet.name, Some(MODULE_COMMENT), &module(os)));
        }
    }
    tree.generated(".sops.yaml", sops_yaml(&plan.fleet.name, secrets)?);
    Ok(())
}

const MODULE_COMMENT: &str = "sops-nix: each host decrypts with the age key derived from its ssh host key; secret values\nare never in the Nix store, only their paths under /run/secrets. Secrets are declared where\nthey are attached: in profiles/ and hosts/.";

fn module(os: Os) -> Expr {
    let import = match os {
        Os::Nixos => "inputs.sops-nix.nixosModules.sops",
        Os::Darwin => "inputs.sops-nix.darwinModules.sops",
    };
    let sops = Expr::Attrs(vec![
        Binding::new(
            "defaultSopsFile",
            Expr::Path(vec![
                PathPart::Lit("../secrets/".into()),
                PathPart::Interp(Expr::dotted("config.networking.hostName")),
                PathPart::Lit(".yaml".into()),
            ]),
        ),
        Binding::new("validateSopsFiles", false),
        // A default, so a host with its own key file replaces it plainly.
        Binding::path(
            ["age", "sshKeyPaths"],
            Expr::apply("lib.mkDefault", [Expr::strings(["/etc/ssh/ssh_host_ed25519_key"])]),
        ),
    ]);
    Expr::lambda(
        ["config", "inputs", "lib"],
        Expr::Attrs(vec![Binding::new("imports", Expr::list([Expr::dotted(import)])), Binding::new("sops", sops)]),
    )
}

/// `sops.secrets.<name> = { ... };` for every secret of `sets`, from a file `prefix` away from
/// the repository root. Host-scoped secrets come from the host's own file, the default.
pub(super) fn declarations(sets: &[SecretSet], prefix: &str) -> Vec<Binding> {
    let mut out: Vec<Binding> = Vec::new();
    let mut seen = Vec::new();
    for set in sets {
        for d in &set.secrets {
            if seen.contains(&&d.name) {
                continue;
            }
            seen.push(&d.name);
            let mut fields = Vec::new();
            if set.scope != Scope::Host {
                fields.push(Binding::new("sopsFile", Expr::path(format!("{prefix}{}", set.scope.file("")))));
            }
            let strings =
                [("key", &d.key), ("owner", &d.owner), ("group", &d.group), ("mode", &d.mode), ("path", &d.path)];
            for (name, value) in strings {
                if let Some(v) = value {
                    fields.push(Binding::new(name, v.as_str()));
                }
            }
            if let Some(f) = d.format {
                fields.push(Binding::new("format", f.as_str()));
            }
            if d.needed_for_users {
                fields.push(Binding::new("neededForUsers", true));
            }
            if !d.restart_units.is_empty() {
                fields.push(Binding::new("restartUnits", Expr::strings(&d.restart_units)));
            }
            if !d.reload_units.is_empty() {
                fields.push(Binding::new("reloadUnits", Expr::strings(&d.reload_units)));
            }
            out.push(Binding::path(["sops", "secrets", d.name.as_str()], Expr::Attrs(fields)));
        }
    }
    out
}

#[derive(Serialize)]
struct Key {
    anchor: String,
    key: String,
}

#[derive(Serialize)]
struct Rule {
    regex: String,
    anchors: Vec<String>,
}

fn sops_yaml(fleet: &str, secrets: &SecretsPlan<'_>) -> Result<String, minijinja::Error> {
    let admin = |name: &str| format!("admin_{name}");
    let host = |name: &str| format!("host_{name}");
    let mut keys: Vec<Key> =
        secrets.admins.iter().map(|(n, k)| Key { anchor: admin(n), key: (*k).to_owned() }).collect();
    keys.extend(secrets.hosts.iter().map(|(n, k)| Key { anchor: host(n), key: (*k).to_owned() }));
    let rules: Vec<Rule> = secrets
        .files
        .iter()
        .map(|f| {
            let mut anchors: Vec<String> = secrets.admins.iter().map(|(n, _)| admin(n)).collect();
            anchors.extend(f.hosts.iter().map(|h| host(h)));
            Rule { regex: format!("^{}$", regex_escape(&f.path)), anchors }
        })
        .collect();
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_keep_trailing_newline(true);
    let mut text = env.render_str(SOPS_TEMPLATE, context! { marker => MARKER, fleet, keys, rules })?;
    if !text.ends_with('\n') {
        text.push('\n');
    }
    Ok(text)
}

/// `s` as a regular expression matching exactly itself.
fn regex_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if "\\.+*?()|[]{}^$".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::regex_escape;

    #[test]
    fn regex_escape_quotes_metacharacters() {
        assert_eq!(regex_escape("secrets/a-b.yaml"), r"secrets/a-b\.yaml");
        assert_eq!(regex_escape("a+b(c)"), r"a\+b\(c\)");
    }
}
