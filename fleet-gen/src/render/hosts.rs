//! `hosts/<host>/default.nix` and the hardware-configuration placeholder (written once).

use super::nix_file;
use super::profiles::{config_imports, config_values, input_modules, module};
use crate::nix::scope::SYSTEM_ARGS;
use crate::nix::{escape, Binding, Expr};
use crate::plan::{HostPlan, Plan};
use crate::tree::Tree;
use fleet_dsl::{Os, SshKey, StateVersion};

pub(super) fn render(plan: &Plan<'_>, tree: &mut Tree) {
    for h in &plan.hosts {
        let name = &h.host.name;
        tree.generated(format!("hosts/{name}/default.nix"), nix_file(&plan.fleet.name, None, &host(plan, h)));
        if h.host.os == Os::Nixos {
            let placeholder = hardware_placeholder_for(name, h.host.disks.is_empty());
            tree.user_owned(format!("hosts/{name}/hardware-configuration.nix"), placeholder);
        }
    }
}

fn host(plan: &Plan<'_>, h: &HostPlan<'_>) -> Expr {
    let host = h.host;
    let mut imports: Vec<Expr> = Vec::new();
    if host.os == Os::Nixos {
        imports.push(Expr::path("./hardware-configuration.nix"));
    }
    if !host.disks.is_empty() {
        imports.push(Expr::path("./disko.nix"));
        imports.push(Expr::dotted("inputs.disko.nixosModules.disko"));
    }
    let mut paths: Vec<String> = host.profiles.iter().map(|p| format!("../../profiles/{}.nix", p.name)).collect();
    // Each module once: what a profile of the host already imports is not imported again.
    let from_profiles: Vec<String> =
        h.profiles.iter().flat_map(|p| config_imports(plan, &p.config, "../../")).collect();
    for i in config_imports(plan, &host.config, "../../") {
        if !paths.contains(&i) && !from_profiles.contains(&i) {
            paths.push(i);
        }
    }
    imports.extend(paths.into_iter().map(Expr::path));
    let from_profiles: Vec<Expr> = h.profiles.iter().flat_map(|p| input_modules(&p.config)).collect();
    for m in input_modules(&host.config) {
        if !imports.contains(&m) && !from_profiles.contains(&m) {
            imports.push(m);
        }
    }
    let mut bindings = Vec::new();
    if !imports.is_empty() {
        bindings.push(Binding::new("imports", Expr::vertical_list(imports)));
    }
    bindings.push(Binding::path(["networking", "hostName"], host.name.as_str()));
    bindings.push(Binding::path(["nixpkgs", "hostPlatform"], host.system.as_str()));
    let state = match &h.state_version {
        StateVersion::Nixos(v) => Expr::str(v),
        StateVersion::Darwin(v) => Expr::Int(i64::from(*v)),
    };
    bindings.push(Binding::path(["system", "stateVersion"], state));
    if host.os == Os::Darwin {
        if let Some(first) = h.users.first() {
            bindings.push(Binding::path(["system", "primaryUser"], *first));
        }
    }
    match h.spec.as_slice() {
        [] => {}
        [(name, value)] => bindings.push(Binding::path(["hostSpec", name], Expr::from(*value))),
        values => {
            let fields = values.iter().map(|(n, v)| Binding::new(*n, Expr::from(*v))).collect();
            bindings.push(Binding::new("hostSpec", Expr::Attrs(fields)));
        }
    }
    if let Some(file) = &host.age_key_file {
        let age =
            Expr::Attrs(vec![Binding::new("keyFile", file.as_str()), Binding::new("sshKeyPaths", Expr::list([]))]);
        bindings.push(Binding::path(["sops", "age"], age));
    }
    bindings.extend(super::secrets::declarations(&host.secrets, "../../"));
    bindings.extend(build_machines(h));
    if let Some(u) = &host.auto_upgrade {
        bindings.extend(super::machine::auto_upgrade(host.os, &host.name, u));
    }
    for (user, home) in &host.homes {
        let body = super::home::home_module(plan, &home.config, "../../home/", None);
        bindings.push(Binding::path(["home-manager", "users", user.as_str()], body));
    }
    bindings.extend(config_values(&host.config));
    module(bindings, SYSTEM_ARGS)
}

/// `nix.buildMachines` for the builders the host uses, and its trusted users (root, which a
/// definition would otherwise drop from nixpkgs' default, first).
fn build_machines(h: &HostPlan<'_>) -> Vec<Binding> {
    let mut out = Vec::new();
    if !h.trusted_users.is_empty() {
        let users = std::iter::once("root").chain(h.trusted_users.iter().copied());
        out.push(Binding::path(["nix", "settings", "trusted-users"], Expr::strings(users)));
    }
    if h.builders.is_empty() {
        return out;
    }
    out.push(Binding::path(["nix", "distributedBuilds"], true));
    let machines = h.builders.iter().map(|(_, b)| {
        let mut fields = vec![
            Binding::new("hostName", b.host_name.as_str()),
            Binding::new("systems", Expr::strings(b.systems.iter().map(|s| s.as_str()))),
            Binding::new("maxJobs", Expr::Int(i64::from(b.max_jobs))),
            Binding::new("speedFactor", Expr::Int(i64::from(b.speed_factor))),
        ];
        if !b.supported_features.is_empty() {
            fields.push(Binding::new("supportedFeatures", Expr::strings(&b.supported_features)));
        }
        if let Some(user) = &b.ssh_user {
            fields.push(Binding::new("sshUser", user.as_str()));
        }
        match &b.ssh_key {
            Some(SshKey::Path(p)) => fields.push(Binding::new("sshKey", p.as_str())),
            Some(SshKey::Secret(link)) => fields.push(Binding::new("sshKey", secret_path(&link.name))),
            None => {}
        }
        Expr::Attrs(fields)
    });
    out.push(Binding::path(["nix", "buildMachines"], Expr::vertical_list(machines)));
    out
}

/// `config.sops.secrets.<name>.path`: where sops-nix puts a secret at runtime.
pub(super) fn secret_path(name: &str) -> Expr {
    Expr::select(Expr::var("config"), ["sops", "secrets", name, "path"])
}

pub(crate) fn hardware_placeholder(host: &str) -> String {
    hardware_placeholder_for(host, true)
}

/// The placeholder; without a root file system when disko lays out the disk (it declares them).
fn hardware_placeholder_for(host: &str, with_filesystems: bool) -> String {
    let warning = format!(
        "hosts/{host}/hardware-configuration.nix is still the placeholder: replace it with this machine's hardware configuration."
    );
    let mut body = vec![Binding::new("warnings", Expr::list([Expr::str(warning)]))];
    if with_filesystems {
        body.push(Binding::path(
            ["fileSystems", "/"],
            Expr::Attrs(vec![Binding::new("device", "/dev/disk/by-label/nixos"), Binding::new("fsType", "ext4")]),
        ));
    }
    body.push(Binding::path(["boot", "loader", "systemd-boot", "enable"], true));
    let comment = "Placeholder written once by fleet-gen and never again: replace it with the output of\n`nixos-generate-config --show-hardware-config` on this machine.";
    format!("{}{}\n", escape::comment(comment), Expr::Attrs(body).nested().render(0))
}
