//! Deployment: colmena targets and tags, and build machines shared by the fleet.

use super::{check_hostname, is_user_name, Validator};
use crate::error::Problem;
use crate::plan::HostPlan;
use fleet_dsl::{BuildMachine, HostData, Os, SshKey};
use std::collections::HashSet;
use std::net::{Ipv4Addr, Ipv6Addr};

impl Validator {
    /// Colmena targets and tags, build machines, and the build machines' ssh keys each host reads.
    pub(super) fn check_deployment(&mut self, hosts: &[HostPlan<'_>]) {
        let names: HashSet<String> = hosts.iter().map(|h| h.host.name.clone()).collect();
        for h in hosts {
            let before = self.problems.enter(&h.host.at);
            self.check_deploy(h.host, &names);
            if let Some(b) = &h.host.build_machine {
                self.check_builder(&h.host.name, b);
            }
            for (name, b) in &h.builders {
                if let Some(SshKey::Secret(link)) = &b.ssh_key {
                    let readable = h.secrets.iter().any(|s| s.decl.name == link.name && *s.set == link.set);
                    if !readable {
                        self.problems.push(Problem::BuilderKeyUnreadable {
                            host: h.host.name.clone(),
                            builder: (*name).to_owned(),
                            secret: link.name.clone(),
                            set: link.set.rust_name.clone(),
                        });
                    }
                }
            }
            self.problems.leave(before);
        }
    }

    fn check_deploy(&mut self, host: &HostData, host_names: &HashSet<String>) {
        let mut bad = |what: String| self.problems.push(Problem::Deployment { host: host.name.clone(), what });
        if host.os == Os::Darwin {
            if host.deploy.is_some() {
                bad("colmena cannot deploy nix-darwin hosts: remove `.deploy(..)` and switch it with `darwin-rebuild`"
                    .into());
            }
            return;
        }
        let Some(d) = &host.deploy else { return };
        if let Some(target) = &d.target_host {
            if !is_address(target) {
                bad(format!("deployment target `{target}` is not a host name, a domain name or an IP address"));
            }
        }
        if let Some(user) = &d.target_user {
            if !is_user_name(user) {
                bad(format!("deployment user `{user}` is not a valid login name"));
            }
        }
        if d.target_port == Some(0) {
            bad("deployment port 0 is not a port: use 1 to 65535 (ssh listens on 22)".into());
        }
        if d.target_host.is_none() && !d.allow_local_deployment {
            bad("has no deployment target and does not allow local deployment: use `Deploy::ssh(..)` or `Deploy::local()`".into());
        }
        let mut own = HashSet::new();
        for tag in &d.tags {
            let problem = if tag.is_empty() {
                Some("an empty tag: give it a name, or remove it".to_owned())
            } else if !tag.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_')) {
                Some(format!("tag `{tag}`: use letters, digits, `-` and `_`"))
            } else if !own.insert(tag.as_str()) {
                Some(format!("tag `{tag}` twice: list each tag once"))
            } else if host_names.contains(tag) {
                Some(format!(
                    "tag `{tag}`, which is also a host name: `colmena apply --on` would mix up the host and the tag; rename the tag"
                ))
            } else {
                None
            };
            if let Some(what) = problem {
                self.problems.push(Problem::Tag { host: host.name.clone(), what });
            }
        }
    }

    fn check_builder(&mut self, host: &str, b: &BuildMachine) {
        let mut bad = |what: String| self.problems.push(Problem::Deployment { host: host.to_owned(), what });
        if !is_address(&b.host_name) {
            bad(format!("build machine address `{}` is not a host name, a domain name or an IP address", b.host_name));
        }
        if b.systems.is_empty() {
            bad("is a build machine for no system: list the systems it builds, e.g. `[System::X86_64Linux]`".into());
        }
        if b.max_jobs == 0 {
            bad("is a build machine with max jobs 0, so it would build nothing: use 1 or more".into());
        }
        if let Some(user) = &b.ssh_user {
            if !is_user_name(user) {
                bad(format!("build machine ssh user `{user}` is not a valid login name"));
            }
        }
        for f in &b.supported_features {
            if f.is_empty() || f.contains(char::is_whitespace) {
                bad(format!("build machine feature `{f}` is not a feature name such as `big-parallel`"));
            }
        }
        if let Some(SshKey::Path(p)) = &b.ssh_key {
            if !p.starts_with('/') || super::in_nix_store(p) {
                bad(format!("build machine ssh key `{p}` must be an absolute path outside the Nix store"));
            }
        }
    }
}

/// A host name, a dotted domain name, or an IPv4/IPv6 address.
fn is_address(s: &str) -> bool {
    s.parse::<Ipv4Addr>().is_ok()
        || s.parse::<Ipv6Addr>().is_ok()
        || (s.len() <= 253 && s.split('.').all(|label| check_hostname(label).is_ok()))
}

#[cfg(test)]
mod tests {
    use super::is_address;

    #[test]
    fn addresses() {
        for ok in ["server", "server.lan", "pi-4.home.example.org", "192.168.1.10", "fe80::1"] {
            assert!(is_address(ok), "{ok}");
        }
        for bad in ["", "server.", "-x.lan", "a b", "root@server", "server:22", "http://x"] {
            assert!(!is_address(bad), "{bad}");
        }
    }
}
