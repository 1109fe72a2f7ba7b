//! Per-machine features: disk layouts, automatic upgrades, and users' homes.

use super::{is_release, Validator};
use crate::error::Problem;
use crate::plan::schedule::{parse_schedule, parse_time};
use crate::plan::{HostPlan, UserPlan};
use fleet_dsl::{AutoUpgrade, Disko, FleetData, HostData, Layout, Os};
use std::collections::HashSet;

use crate::nix::scope::{HOME_ARGS, STANDALONE_HOME_ARGS};

impl Validator {
    /// Standalone homes: a user with a home, a valid unique machine name, and no `osConfig`
    /// (there is no system configuration to read).
    pub(super) fn check_standalone_homes(&mut self, fleet: &FleetData) {
        let mut seen: Vec<String> = Vec::new();
        for sh in &fleet.standalone_homes {
            let name = sh.name();
            let problem = |what: String| Problem::StandaloneHome { name: name.clone(), what };
            if seen.contains(&name) {
                self.problems.push(problem("is defined twice: add each `user@machine` once".into()));
                continue;
            }
            seen.push(name.clone());
            if let Err(reason) = super::check_hostname(&sh.machine) {
                self.problems
                    .push(problem(format!("the machine name is invalid: {reason} (use an RFC 1123 host name)")));
            }
            let Some(home) = &sh.user.home else {
                self.problems.push(problem(
                    "the user has no home: give them one with `User::home(Home::new())`, which the machine's adds to"
                        .into(),
                ));
                continue;
            };
            for config in [&home.config, &sh.home.config] {
                if super::values::reads_variable(config, "osConfig") {
                    self.problems.push(problem(
                        "the home reads `osConfig`, but a standalone home has no system configuration: move that value to the hosts' `.home(..)`".into(),
                    ));
                }
            }
            let owner = format!("standalone home `{name}`");
            self.check_config(
                &owner,
                &sh.home.config,
                &["imports", "home.username", "home.homeDirectory"],
                STANDALONE_HOME_ARGS,
            );
        }
    }

    /// A host's additions to homes: each for a user of the host who has a home, once.
    pub(super) fn check_host_homes(&mut self, hp: &HostPlan<'_>, generated: &mut Vec<&str>) {
        let h = hp.host;
        let mut seen: Vec<&str> = Vec::new();
        for (user, home) in &h.homes {
            let problem = |what| Problem::HostHome { host: h.name.clone(), user: user.clone(), what };
            if seen.contains(&user.as_str()) {
                self.problems.push(problem("does so twice: give the host one `.home(..)` per user"));
                continue;
            }
            seen.push(user);
            let has_home =
                hp.profiles.iter().flat_map(|p| &p.users).find(|u| u.name == *user).map(|u| u.home.is_some());
            match has_home {
                None => self
                    .problems
                    .push(problem("the user is not on this host: give the host a profile with `.user(..)` for them")),
                Some(false) => self.problems.push(problem(
                    "the user has no home: give them one with `User::home(Home::new())`, which this host's adds to",
                )),
                Some(true) => {}
            }
            let owner = format!("host `{}`, home of user `{user}`", h.name);
            self.check_config(&owner, &home.config, &["imports"], HOME_ARGS);
        }
        if !h.homes.is_empty() {
            generated.push("home-manager.users");
        }
    }

    /// Checks the host's disk layout and upgrade schedule.
    pub(super) fn check_machine(&mut self, h: &HostData) {
        if !h.disks.is_empty() {
            for what in disko_problems(h.os, &h.disks) {
                self.problems.push(Problem::Deployment { host: h.name.clone(), what });
            }
        }
        if let Some(u) = &h.auto_upgrade {
            for what in upgrade_problems(h.os, u) {
                self.problems.push(Problem::Deployment { host: h.name.clone(), what });
            }
        }
    }

    /// Checks every user's home: its state version and the paths it sets.
    pub(super) fn check_homes(&mut self, users: &[UserPlan<'_>]) {
        for u in users {
            let Some(home) = &u.user.home else { continue };
            let owner = format!("the home of user `{}`", u.user.name);
            if let Some(v) = &home.state_version {
                if !is_release(v) {
                    self.problems.push(Problem::UserField {
                        user: u.user.name.clone(),
                        what: format!("home state version `{v}`: home-manager releases look like `24.05`"),
                    });
                }
            }
            self.check_config(&owner, &home.config, &["imports", "home.stateVersion"], HOME_ARGS);
        }
    }
}

fn disko_problems(os: Os, disks: &[Disko]) -> Vec<String> {
    let mut out = Vec::new();
    if os == Os::Darwin {
        out.push("has a disko layout, but disko lays out NixOS disks only: remove `.disko(..)`".into());
    }
    let mut mounts: Vec<&str> = Vec::new();
    let mut disk_names = HashSet::new();
    let mut luks_names = HashSet::new();
    let mut pools = HashSet::new();
    let mut host_ids = HashSet::new();
    for d in disks {
        if !is_name(&d.name) {
            out.push(format!("disk name `{}` must be letters, digits, `-` and `_`", d.name));
        } else if !disk_names.insert(d.name.as_str()) {
            out.push(format!("two disks are named `{}`: give each `.disko(..)` its own `.name(\"…\")`", d.name));
        }
        out.extend(disk_problems(d));
        mounts.extend(d.mountpoints());
        match &d.layout {
            Layout::Btrfs { luks: Some(luks), .. } if !luks_names.insert(luks.name.as_str()) => {
                out.push(format!("two disks map LUKS as `{}`: give one another name with `.luks(\"…\")`", luks.name))
            }
            Layout::Zfs { pool, host_id, .. } => {
                if !pools.insert(pool.as_str()) {
                    out.push(format!("two disks create the ZFS pool `{pool}`: pool names must be unique"));
                }
                host_ids.insert(host_id.as_str());
            }
            _ => {}
        }
    }
    if host_ids.len() > 1 {
        out.push(
            "ZFS disks give different host ids: a host has one `networking.hostId`, give every ZFS disk the same"
                .into(),
        );
    }
    let mut seen = HashSet::new();
    for m in &mounts {
        if !m.starts_with('/') {
            out.push(format!("mount point `{m}` is not an absolute path"));
        } else if !seen.insert(*m) && *m != "/boot" {
            out.push(format!("mount point `{m}` is used twice"));
        }
    }
    if disks.iter().filter(|d| d.esp_size.is_some()).count() > 1 {
        out.push("two disks have an EFI partition at `/boot`: keep it on one, `.no_esp()` on the others".into());
    }
    if !disks.is_empty() && !mounts.contains(&"/") {
        out.push("disk layout mounts nothing at `/`: add a subvolume or dataset mounted at `/`".into());
    }
    if !disks.is_empty() && !mounts.contains(&"/boot") {
        out.push(
            "no disk has an EFI system partition for `/boot`: drop `.no_esp()` from the disk you boot from".into(),
        );
    }
    for d in disks {
        for m in &d.needed_for_boot {
            if !d.mountpoints().contains(&m.as_str()) {
                out.push(format!(
                    "disk `{}` marks `{m}` needed for boot, but mounts nothing there: use one of its mount points ({})",
                    d.name,
                    d.mountpoints().join(", ")
                ));
            }
        }
    }
    out
}

/// What is wrong with one disk on its own.
fn disk_problems(d: &Disko) -> Vec<String> {
    let mut out = Vec::new();
    let disk = &d.name;
    if !d.device.starts_with("/dev/") || d.device.contains(char::is_whitespace) {
        out.push(format!("disk device `{}` is not a device path such as `/dev/disk/by-id/…`", d.device));
    }
    if let Some(size) = d.esp_size.as_ref().filter(|s| !is_size(s)) {
        out.push(format!("EFI partition size `{size}` is not a size such as `512M` or `1G` (disk `{disk}`)"));
    }
    if let Some(size) = d.swap_partition.as_ref().filter(|s| !is_size(s)) {
        out.push(format!("swap partition size `{size}` of disk `{disk}` is not a size such as `16G`"));
    }
    match &d.layout {
        Layout::Ext4 => {}
        Layout::Btrfs { luks, subvolumes } => {
            if let Some(luks) = luks.as_ref().filter(|l| !is_name(&l.name)) {
                out.push(format!("LUKS mapping name `{}` must be letters, digits, `-` and `_`", luks.name));
            }
            let mut names = HashSet::new();
            for s in subvolumes {
                if let Err(reason) = check_subvolume_name(&s.name) {
                    out.push(format!("btrfs subvolume `{}` {reason}", s.name));
                }
                if !names.insert(s.name.as_str()) {
                    out.push(format!("btrfs subvolume `{}` is listed twice", s.name));
                }
                for o in &s.options {
                    if o.is_empty() || o.contains(|c: char| c.is_whitespace() || c == '\0') {
                        out.push(format!(
                            "btrfs subvolume `{}` has mount option `{}`, which is not one option such as `compress=zstd`",
                            s.name,
                            o.escape_debug()
                        ));
                    }
                }
                if s.mountpoint.is_none() && !s.options.is_empty() {
                    out.push(format!("btrfs subvolume `{}` has mount options but is not mounted: give it a mount point or drop the options", s.name));
                }
                if let Some(size) = s.swapfile.as_ref().filter(|size| !is_size(size)) {
                    out.push(format!(
                        "swap file size `{size}` of btrfs subvolume `{}` is not a size such as `16G`",
                        s.name
                    ));
                }
                if s.swapfile.is_some() && s.mountpoint.is_none() {
                    out.push(format!("btrfs subvolume `{}` holds a swap file but is not mounted: give it a mount point such as `/.swapvol`", s.name));
                }
            }
        }
        Layout::Zfs { pool, datasets, host_id } => {
            if !is_name(pool) {
                out.push(format!("ZFS pool name `{pool}` must be letters, digits, `-` and `_`"));
            }
            if host_id.len() != 8 || !host_id.chars().all(|c| c.is_ascii_hexdigit()) {
                out.push(format!(
                    "ZFS host id `{host_id}` is not 8 hex digits: make one with `head -c4 /dev/urandom | od -A none -t x4`"
                ));
            }
            let mut names = HashSet::new();
            for ds in datasets {
                if !is_name(&ds.name.replace('/', "_")) || ds.name.starts_with('/') {
                    out.push(format!("ZFS dataset `{}` must be a name such as `home`", ds.name));
                }
                if !names.insert(ds.name.as_str()) {
                    out.push(format!("ZFS dataset `{}` is listed twice", ds.name));
                }
            }
        }
    }
    if let Layout::Btrfs { subvolumes, .. } = &d.layout {
        if subvolumes.iter().any(|s| s.mountpoint.as_deref() == Some("/boot")) {
            out.push("mount point `/boot` is the EFI partition's: mount the subvolume or dataset elsewhere".into());
        }
    }
    if let Layout::Zfs { datasets, .. } = &d.layout {
        if datasets.iter().any(|ds| ds.mountpoint == "/boot") {
            out.push("mount point `/boot` is the EFI partition's: mount the subvolume or dataset elsewhere".into());
        }
    }
    out
}

/// A btrfs subvolume name as disko creates it (`btrfs subvolume create "$MNT/<name>"` in a
/// shell script): `/`-separated segments of letters, digits, `@`, `_`, `-`, `.` and `+`, an
/// optional leading `/`, no `.`/`..` segment.
pub(crate) fn check_subvolume_name(name: &str) -> Result<(), &'static str> {
    let rest = name.strip_prefix('/').unwrap_or(name);
    if rest.is_empty() {
        return Err("has no name: use one such as `@`, `@home` or `/home`");
    }
    let ok = rest.split('/').all(|seg| {
        !seg.is_empty()
            && seg != "."
            && seg != ".."
            && seg.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '@' | '_' | '-' | '.' | '+'))
    });
    if ok {
        Ok(())
    } else {
        Err("is not a subvolume name: use `/`-separated names of letters, digits, `@`, `_`, `-`, `.` and `+` (such as `@`, `@home`, `/home`), without empty, `.` or `..` parts")
    }
}

fn upgrade_problems(os: Os, u: &AutoUpgrade) -> Vec<String> {
    let mut out = Vec::new();
    let flake_ok = !u.flake.is_empty()
        && !u.flake.contains('#')
        && u.flake.chars().all(|c| c.is_ascii_alphanumeric() || "+-._~:/?=&@%".contains(c));
    if !flake_ok {
        out.push(format!(
            "auto-upgrade flake `{}` is not a flake reference such as `github:me/fleet` (no spaces, quotes or `#`: the host's attribute is added)",
            u.flake
        ));
    }
    if parse_schedule(&u.schedule).is_none() {
        out.push(format!(
            "auto-upgrade schedule `{}` is not `HH:MM` (daily) or a weekday and time such as `Sun 04:40`",
            u.schedule
        ));
    }
    if let Some((lower, upper)) = &u.reboot_window {
        if os == Os::Darwin {
            out.push(
                "nix-darwin cannot reboot after an upgrade: remove `allow_reboot` from this Mac's auto-upgrade".into(),
            );
        }
        for t in [lower, upper] {
            if parse_time(t).is_none() {
                out.push(format!("reboot window time `{t}` is not `HH:MM`"));
            }
        }
    }
    out
}

fn is_size(s: &str) -> bool {
    let Some(unit) = s.chars().last() else { return false };
    "KMGT".contains(unit) && s.len() > 1 && s[..s.len() - 1].chars().all(|c| c.is_ascii_digit())
}

fn is_name(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subvolume_names() {
        for good in ["@", "@home", "@nix", "@persist", "/root", "/home", "root", "@/snapshots", "nix.store+1"] {
            assert!(check_subvolume_name(good).is_ok(), "{good}");
        }
        for bad in ["", "/", "a//b", "../x", "/.", "a b", "$(x)", "a\"b", "x/", "`id`"] {
            assert!(check_subvolume_name(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn sizes() {
        assert!(is_size("512M") && is_size("1G"));
        assert!(!is_size("M") && !is_size("512") && !is_size("1.5G") && !is_size(""));
    }
}
