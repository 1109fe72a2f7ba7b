//! Free text at the boundary: every user string that reaches a generated file, checked once,
//! each problem naming its field. A NUL can be held by no generated file (Nix truncates the
//! string there); a one-line field (a key, a path, a URL, a unit) holds no control character
//! but a tab; free text (descriptions, values, option paths, scaffolds) may hold newlines,
//! carriage returns and tabs, which every printer escapes, and no other control character.

use super::Validator;
use crate::error::Problem;
use crate::shown::shown;
use fleet_dsl::{Config, FleetData, Layout, NixValue, OptionSet, OptionType, ProfileData, SecretSet, SshKey};
use std::collections::HashSet;

/// What a field may hold.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Text {
    /// One line: no control character but a tab.
    Line,
    /// Free text: no control character but newline, carriage return and tab.
    Multiline,
}

impl Validator {
    /// Checks every free-text field of the fleet.
    pub(super) fn check_texts(&mut self, fleet: &FleetData, profiles: &[&ProfileData]) {
        let mut seen_sets = HashSet::new();
        let i = &fleet.inputs;
        let inputs = [
            ("nixpkgs", &i.nixpkgs),
            ("nixpkgs-unstable", &i.nixpkgs_unstable),
            ("nixpkgs-darwin", &i.nixpkgs_darwin),
            ("nix-darwin", &i.nix_darwin),
            ("nix-darwin-unstable", &i.nix_darwin_unstable),
            ("flake-parts", &i.flake_parts),
            ("sops-nix", &i.sops_nix),
            ("colmena", &i.colmena),
            ("home-manager", &i.home_manager),
            ("home-manager-unstable", &i.home_manager_unstable),
            ("disko", &i.disko),
        ];
        for (name, url) in inputs {
            self.text("the fleet", &format!("flake input `{name}` URL"), url, Text::Line);
        }
        self.option_set_texts(&fleet.spec, &mut seen_sets);
        let mut users = HashSet::new();
        for p in profiles {
            let owner = format!("profile `{}`", shown(&p.name));
            if let Some(d) = &p.description {
                self.text(&owner, "description", d, Text::Multiline);
            }
            self.config_texts(&owner, &p.config, &mut seen_sets);
            for set in &p.secrets {
                self.secret_set_texts(set, &mut seen_sets);
            }
            for u in p.users.iter().filter(|u| users.insert(u.name.as_str())) {
                let owner = format!("user `{}`", shown(&u.name));
                if let Some(d) = &u.description {
                    self.text(&owner, "description", d, Text::Multiline);
                }
                for key in &u.ssh_keys {
                    self.text(&owner, "ssh key", key, Text::Line);
                }
                if let Some(home) = &u.home {
                    self.config_texts(&format!("the home of {owner}"), &home.config, &mut seen_sets);
                }
            }
        }
        for sh in &fleet.standalone_homes {
            let owner = format!("standalone home `{}`", shown(&sh.name()));
            self.text(&owner, "machine name", &sh.machine, Text::Line);
            self.config_texts(&owner, &sh.home.config, &mut seen_sets);
            if let Some(home) = sh.user.home.as_ref().filter(|_| users.insert(sh.user.name.as_str())) {
                self.config_texts(
                    &format!("the home of user `{}`", shown(&sh.user.name)),
                    &home.config,
                    &mut seen_sets,
                );
            }
        }
        for h in &fleet.hosts {
            let owner = format!("host `{}`", shown(&h.name));
            for set in &h.secrets {
                self.secret_set_texts(set, &mut seen_sets);
            }
            self.config_texts(&owner, &h.config, &mut seen_sets);
            for (user, home) in &h.homes {
                self.config_texts(&format!("{owner}, home of user `{}`", shown(user)), &home.config, &mut seen_sets);
            }
            if let Some(b) = &h.build_machine {
                for f in &b.supported_features {
                    self.text(&owner, "build machine feature", f, Text::Line);
                }
                if let Some(SshKey::Path(p)) = &b.ssh_key {
                    self.text(&owner, "build machine ssh key path", p, Text::Line);
                }
            }
            for d in &h.disks {
                self.text(&owner, "disk name", &d.name, Text::Line);
                self.text(&owner, "disk device", &d.device, Text::Line);
                for size in d.esp_size.iter().chain(&d.swap_partition) {
                    self.text(&owner, "partition size", size, Text::Line);
                }
                for path in &d.needed_for_boot {
                    self.text(&owner, "mount needed for boot", path, Text::Line);
                }
                match &d.layout {
                    Layout::Ext4 => {}
                    Layout::Btrfs { luks, subvolumes } => {
                        if let Some(l) = luks {
                            self.text(&owner, "LUKS device name", &l.name, Text::Line);
                        }
                        for s in subvolumes {
                            self.text(&owner, "btrfs subvolume", &s.name, Text::Line);
                            if let Some(m) = &s.mountpoint {
                                self.text(&owner, "mount point", m, Text::Line);
                            }
                            for o in &s.options {
                                self.text(&owner, "btrfs mount option", o, Text::Line);
                            }
                            if let Some(size) = &s.swapfile {
                                self.text(&owner, "swap file size", size, Text::Line);
                            }
                        }
                    }
                    Layout::Zfs { pool, datasets, .. } => {
                        self.text(&owner, "ZFS pool name", pool, Text::Line);
                        for s in datasets {
                            self.text(&owner, "ZFS dataset", &s.name, Text::Line);
                            self.text(&owner, "mount point", &s.mountpoint, Text::Line);
                        }
                    }
                }
            }
        }
    }

    fn config_texts(&mut self, owner: &str, config: &Config, seen_sets: &mut HashSet<String>) {
        for m in &config.modules {
            if let Some(s) = &m.scaffold {
                self.text(owner, &format!("scaffold of module `{}`", shown(&m.path)), s, Text::Multiline);
            }
        }
        for s in &config.settings {
            self.text(owner, "option path", &s.path, Text::Multiline);
        }
        for t in &config.typed {
            self.option_set_texts(&t.options, seen_sets);
        }
    }

    fn option_set_texts(&mut self, set: &OptionSet, seen: &mut HashSet<String>) {
        if !seen.insert(format!("options {}", set.rust_name)) {
            return;
        }
        let owner = format!("option type `{}`", shown(&set.rust_name));
        if let Some(d) = &set.description {
            self.text(&owner, "doc comment", d, Text::Multiline);
        }
        for decl in &set.options {
            self.text(&owner, "option name", &decl.name, Text::Line);
            let field = format!("option `{}`", shown(&decl.name));
            if let Some(d) = &decl.description {
                self.text(&owner, &format!("doc comment of {field}"), d, Text::Multiline);
            }
            if let Some(v) = &decl.default {
                self.value_texts(&owner, &format!("default of {field}"), v);
            }
            self.type_texts(&owner, &field, &decl.ty, seen);
        }
    }

    fn type_texts(&mut self, owner: &str, field: &str, ty: &OptionType, seen: &mut HashSet<String>) {
        match ty {
            OptionType::Enum(values) => {
                for v in values {
                    self.text(owner, &format!("enum value of {field}"), v, Text::Line);
                }
            }
            OptionType::NullOr(t) | OptionType::ListOf(t) | OptionType::AttrsOf(t) => {
                self.type_texts(owner, field, t, seen)
            }
            OptionType::Submodule(set) => self.option_set_texts(set, seen),
            _ => {}
        }
    }

    /// Strings of a value: no NUL anywhere (keys included).
    pub(super) fn value_texts(&mut self, owner: &str, field: &str, value: &NixValue) {
        match value {
            NixValue::Str(s) => self.text(owner, field, s, Text::Multiline),
            NixValue::Raw(r) => self.text(owner, field, &r.0, Text::Multiline),
            NixValue::Package(p) => self.text(owner, field, &p.0, Text::Line),
            NixValue::UnstablePackage(p) => self.text(owner, field, &p.0, Text::Line),
            NixValue::InputFile(f) => self.text(owner, field, &f.path, Text::Line),
            NixValue::SecretPath(link) => self.text(owner, field, &link.name, Text::Line),
            NixValue::List(items) => items.iter().for_each(|i| self.value_texts(owner, field, i)),
            NixValue::Attrs(map) => {
                for (k, v) in map {
                    self.text(owner, &format!("attribute name in {field}"), k, Text::Multiline);
                    self.value_texts(owner, field, v);
                }
            }
            NixValue::Null | NixValue::Bool(_) | NixValue::Int(_) => {}
        }
    }

    fn secret_set_texts(&mut self, set: &SecretSet, seen: &mut HashSet<String>) {
        if !seen.insert(format!("secrets {}", set.rust_name)) {
            return;
        }
        for d in &set.secrets {
            let owner = format!("secret `{}` of `{}`", shown(&d.name), shown(&set.rust_name));
            self.text(&owner, "name", &d.name, Text::Line);
            if let Some(x) = &d.description {
                self.text(&owner, "description", x, Text::Multiline);
            }
            let lines =
                [("key", &d.key), ("owner", &d.owner), ("group", &d.group), ("mode", &d.mode), ("path", &d.path)];
            for (field, v) in lines {
                if let Some(v) = v {
                    self.text(&owner, field, v, Text::Line);
                }
            }
            for u in d.restart_units.iter().chain(&d.reload_units) {
                self.text(&owner, "unit", u, Text::Line);
            }
        }
    }

    fn text(&mut self, owner: &str, field: &str, value: &str, kind: Text) {
        let allowed = |c: char| match kind {
            Text::Line => c == '\t',
            Text::Multiline => matches!(c, '\n' | '\r' | '\t'),
        };
        let bad = value.chars().find(|&c| c.is_control() && !allowed(c));
        let Some(c) = bad else { return };
        let why = match c {
            '\0' => "a NUL character, which no generated file can hold (Nix cuts the string there)".to_owned(),
            c => format!(
                "the control character `{}`, which {}",
                c.escape_debug(),
                if kind == Text::Line { "a one-line field cannot hold" } else { "free text cannot hold" }
            ),
        };
        self.problems.push(Problem::Text {
            owner: owner.to_owned(),
            field: field.to_owned(),
            value: shown(value),
            why,
        });
    }
}
