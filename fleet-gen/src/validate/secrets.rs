//! Secrets: keys parse, every host can decrypt what it reads, names do not clash, and each
//! file has exactly the recipients its scope allows.

use super::{is_user_name, Validator};
use crate::error::Problem;
use crate::plan::HostPlan;
use fleet_dsl::rules::age::check_age_key as check_recipient;
use fleet_dsl::{FleetData, Location, NixValue, Os, Scope, SecretLink, SecretSet};
use indexmap::IndexMap;
use std::collections::HashSet;

impl Validator {
    /// Secret sets, the secrets each host reads, admins and the keys that decrypt them.
    pub(super) fn check_secrets(&mut self, fleet: &FleetData, hosts: &[HostPlan<'_>]) {
        let mut checked_sets = HashSet::new();
        for h in hosts {
            let before = self.problems.enter(&h.host.at);
            for set in &h.secret_sets {
                if checked_sets.insert(set.rust_name.as_str()) {
                    self.check_set(set, fleet);
                }
            }
            self.check_host_secrets(h);
            self.problems.leave(before);
        }
        self.check_passwords(hosts);
        self.check_secret_values(hosts);

        let mut seen = HashSet::new();
        for (name, key) in &fleet.admins {
            if !seen.insert(name.as_str()) {
                self.problems.push(Problem::DuplicateAdmin { name: name.clone() });
            }
            if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_')) {
                self.problems.push(Problem::AdminName { name: name.clone() });
            }
            self.check_key(format!("admin `{name}`"), key.as_str());
        }
        for h in hosts {
            if let Some(key) = &h.host.age_key {
                let before = self.problems.enter(&h.host.at);
                self.check_key(format!("host `{}`", h.host.name), key.as_str());
                self.problems.leave(before);
            }
        }
        let readers: Vec<&HostPlan<'_>> = hosts.iter().filter(|h| !h.secrets.is_empty()).collect();
        if readers.is_empty() {
            return;
        }
        if fleet.admins.is_empty() {
            self.problems.push(Problem::NoAdmins);
        }
        for h in &readers {
            if h.host.age_key.is_none() {
                let mut files: Vec<&str> = h.secrets.iter().map(|s| s.file.as_str()).collect();
                files.dedup();
                self.problems
                    .at(&h.host.at, Problem::MissingHostKey { host: h.host.name.clone(), files: files.join(", ") });
            }
        }
    }

    fn check_key(&mut self, whose: String, key: &str) {
        if let Err(reason) = check_recipient(key) {
            self.problems.push(Problem::AgeKey { whose, key: key.to_owned(), reason });
        }
    }

    fn check_set(&mut self, set: &SecretSet, fleet: &FleetData) {
        if let Scope::Group(group) = &set.scope {
            let reason = if !is_group_name(group) {
                Some("has an invalid name: use lowercase letters, digits, `-` and `_`, starting with a letter or digit")
            } else if group == "common" {
                Some("is named `common`, the file of the common scope: use `scope = common`, or another name")
            } else if fleet.hosts.iter().any(|h| h.name.eq_ignore_ascii_case(group)) {
                Some("has the name of a host, whose own file is secrets/<host>.yaml: choose another name")
            } else {
                None
            };
            if let Some(reason) = reason {
                self.problems.push(Problem::SecretGroup { group: group.clone(), set: set.rust_name.clone(), reason });
            }
        }
        for d in &set.secrets {
            let mut bad = |what: String| {
                self.problems.push(Problem::SecretOption { set: set.rust_name.clone(), secret: d.name.clone(), what });
            };
            if d.name.is_empty() || d.name.contains(['/', '\0']) || d.name.starts_with('.') {
                bad("an invalid name: it becomes a file under /run/secrets, so it cannot be empty, start with `.` or hold `/`".into());
            }
            if let Some(key) = &d.key {
                if let Some(reason) = key_problem(key) {
                    self.problems.push(Problem::SecretKey {
                        set: set.rust_name.clone(),
                        secret: d.name.clone(),
                        key: key.clone(),
                        reason,
                    });
                }
            }
            let mut bad = |what: String| {
                self.problems.push(Problem::SecretOption { set: set.rust_name.clone(), secret: d.name.clone(), what });
            };
            if let Some(mode) = &d.mode {
                let octal = (3..=4).contains(&mode.len()) && mode.chars().all(|c| ('0'..='7').contains(&c));
                if !octal {
                    bad(format!("mode `{mode}`, which is not octal: write it like `0400` or `0440`"));
                }
            }
            for (field, value) in [("owner", &d.owner), ("group", &d.group)] {
                if let Some(v) = value {
                    if !is_user_name(v) {
                        bad(format!("{field} `{v}`, which is not a valid user or group name"));
                    }
                }
            }
            if let Some(path) = &d.path {
                if !path.starts_with('/') {
                    bad(format!("path `{path}`, which is not absolute"));
                } else if super::in_nix_store(path) {
                    bad(format!("path `{path}` in the Nix store, where every user could read it: link it under /run or /var/lib"));
                }
            }
            if let Some(format) = d.format.filter(|f| *f != fleet_dsl::SecretFormat::Yaml) {
                bad(format!(
                    "format `{}`, but secrets live in the YAML file of their scope ({}): a `{}` secret needs a file of its own, which fleet does not manage; store it as a YAML value",
                    format.as_str(),
                    set.scope.file("<host>"),
                    format.as_str()
                ));
            }
            if d.needed_for_users {
                for (field, value) in [("owner", &d.owner), ("group", &d.group)] {
                    if value.as_deref().is_some_and(|v| v != "root") {
                        bad(format!(
                            "`needed_for_users` and {field} `{}`: sops-nix decrypts such secrets before users exist, as root; drop the {field}",
                            value.as_deref().unwrap_or_default()
                        ));
                    }
                }
            }
            for unit in d.restart_units.iter().chain(&d.reload_units) {
                if unit.is_empty() || unit.contains(char::is_whitespace) {
                    bad(format!(
                        "the systemd unit `{unit}`, which is not a unit name such as `wpa_supplicant.service`"
                    ));
                }
            }
        }
    }

    /// One secret per name on a host.
    fn check_host_secrets(&mut self, h: &HostPlan<'_>) {
        let mut by_name: IndexMap<&str, &SecretSet> = IndexMap::new();
        for set in &h.secret_sets {
            for decl in &set.secrets {
                match by_name.get(decl.name.as_str()) {
                    Some(known) if *known == *set => {}
                    Some(known) => {
                        let problem = Problem::DuplicateSecret {
                            host: h.host.name.clone(),
                            secret: decl.name.clone(),
                            first: known.rust_name.clone(),
                            second: set.rust_name.clone(),
                        };
                        self.problems.push_once(Some(&h.host.at), problem);
                    }
                    None => {
                        by_name.insert(&decl.name, set);
                    }
                }
            }
        }
    }

    /// Secrets used as values (`config.sops.secrets.<name>.path`): every host whose profile
    /// or own config uses one reads it.
    fn check_secret_values(&mut self, hosts: &[HostPlan<'_>]) {
        let mut reported = HashSet::new();
        // Where each secret link of a file is set, by its index among the file's links.
        let mut spots: Vec<&Location> = Vec::new();
        for h in hosts {
            let owners = h
                .profiles
                .iter()
                .map(|p| (format!("profile `{}`", p.name), &p.config))
                .chain(std::iter::once((format!("host `{}`", h.host.name), &h.host.config)));
            for (owner, config) in owners {
                let mut used = Vec::new();
                for s in &config.settings {
                    secret_links(&s.path, &s.value, &mut used);
                    spots.resize(used.len(), &s.at);
                }
                for t in &config.typed {
                    for leaf in crate::plan::typed_leaves(t) {
                        secret_links(&leaf.path.join("."), leaf.value, &mut used);
                    }
                    spots.resize(used.len(), &t.at);
                }
                for ((path, link), at) in used.into_iter().zip(std::mem::take(&mut spots)) {
                    let readable = h.secrets.iter().any(|s| s.decl.name == link.name && *s.set == link.set);
                    if !readable && reported.insert((owner.clone(), link.name.clone())) {
                        self.problems.at(
                            at,
                            Problem::SecretValueUnreadable {
                                owner: owner.clone(),
                                path,
                                host: h.host.name.clone(),
                                secret: link.name.clone(),
                                set: link.set.rust_name.clone(),
                            },
                        );
                    }
                }
            }
        }
    }

    fn check_passwords(&mut self, hosts: &[HostPlan<'_>]) {
        let mut reported = HashSet::new();
        for h in hosts.iter().filter(|h| h.host.os == Os::Nixos) {
            for user in h.profiles.iter().flat_map(|p| &p.users) {
                let Some(link) = &user.password_secret else { continue };
                let decl = link.set.secrets.iter().find(|d| d.name == link.name);
                if decl.is_some_and(|d| !d.needed_for_users) && reported.insert((user.name.clone(), None)) {
                    self.problems.at(
                        &user.at,
                        Problem::PasswordNotForUsers { user: user.name.clone(), secret: link.name.clone() },
                    );
                }
                let readable = h.secrets.iter().any(|s| s.decl.name == link.name && *s.set == link.set);
                if !readable && reported.insert((user.name.clone(), Some(h.host.name.clone()))) {
                    self.problems.at(
                        &h.host.at,
                        Problem::PasswordUnreadable {
                            host: h.host.name.clone(),
                            user: user.name.clone(),
                            secret: link.name.clone(),
                            set: link.set.rust_name.clone(),
                        },
                    );
                }
            }
        }
    }
}

/// The secrets `value` (at option `path`) uses as values, with their paths.
fn secret_links<'a>(path: &str, value: &'a NixValue, out: &mut Vec<(String, &'a SecretLink)>) {
    match value {
        NixValue::SecretPath(link) => out.push((path.to_owned(), link)),
        NixValue::List(items) => items.iter().for_each(|i| secret_links(path, i, out)),
        NixValue::Attrs(map) => {
            for (name, v) in map {
                secret_links(&format!("{path}.{name}"), v, out);
            }
        }
        _ => {}
    }
}

/// Why a sops key cannot be looked up by sops-nix, which splits it at `/` into nested YAML keys.
pub(super) fn key_problem(key: &str) -> Option<&'static str> {
    if key.is_empty() {
        Some("it is empty (which means the whole file, for binary secrets only): drop `key` to use the secret's name")
    } else if key.contains(['\0', '\n', '\r']) {
        Some("it holds a NUL or line break")
    } else if key.split('/').any(str::is_empty) {
        Some("a `/` separates nested YAML keys (`user/hashedPassword` is `user: {hashedPassword: ...}`), so it cannot start or end with `/` or hold `//`")
    } else {
        None
    }
}

fn is_group_name(name: &str) -> bool {
    name.chars().next().is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '_'))
}
