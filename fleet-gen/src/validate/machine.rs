//! Per-machine features: disk layouts, automatic upgrades, and users' homes.

use super::{is_release, Validator};
use crate::error::Problem;
use crate::view::UserView;
use fleet_dsl::{AutoUpgrade, Disko, FleetData, HostData, Layout, Os, ProfileData};
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
    pub(super) fn check_host_homes(&mut self, h: &HostData, generated: &mut Vec<&str>) {
        let mut seen: Vec<&str> = Vec::new();
        for (user, home) in &h.homes {
            let problem = |what| Problem::HostHome { host: h.name.clone(), user: user.clone(), what };
            if seen.contains(&user.as_str()) {
                self.problems.push(problem("does so twice: give the host one `.home(..)` per user"));
                continue;
            }
            seen.push(user);
            let has_home = ProfileData::closure(&h.profiles)
                .into_iter()
                .flat_map(|p| &p.users)
                .find(|u| u.name == *user)
                .map(|u| u.home.is_some());
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
        if let Some(d) = &h.disko {
            for what in disko_problems(h.os, d) {
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
    pub(super) fn check_homes(&mut self, users: &[UserView<'_>]) {
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

fn disko_problems(os: Os, d: &Disko) -> Vec<String> {
    let mut out = Vec::new();
    if os == Os::Darwin {
        out.push("has a disko layout, but disko lays out NixOS disks only: remove `.disko(..)`".into());
    }
    if !d.device.starts_with("/dev/") || d.device.contains(char::is_whitespace) {
        out.push(format!("disk device `{}` is not a device path such as `/dev/disk/by-id/…`", d.device));
    }
    if !is_size(&d.esp_size) {
        out.push(format!("EFI partition size `{}` is not a size such as `512M` or `1G`", d.esp_size));
    }
    let mut mounts: Vec<&str> = Vec::new();
    match &d.layout {
        Layout::Ext4 => mounts.push("/"),
        Layout::LuksBtrfs { name, subvolumes } => {
            if !is_name(name) {
                out.push(format!("LUKS mapping name `{name}` must be letters, digits, `-` and `_`"));
            }
            let mut names = HashSet::new();
            for s in subvolumes {
                if !s.name.starts_with('/') || s.name.len() < 2 || !is_name(&s.name[1..].replace('/', "_")) {
                    out.push(format!("btrfs subvolume `{}` must be a name such as `/home`", s.name));
                }
                if !names.insert(s.name.as_str()) {
                    out.push(format!("btrfs subvolume `{}` is listed twice", s.name));
                }
                mounts.push(&s.mountpoint);
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
                mounts.push(&ds.mountpoint);
            }
        }
    }
    let mut seen = HashSet::new();
    for m in &mounts {
        if !m.starts_with('/') {
            out.push(format!("mount point `{m}` is not an absolute path"));
        } else if !seen.insert(*m) {
            out.push(format!("mount point `{m}` is used twice"));
        }
    }
    if !mounts.contains(&"/") {
        out.push("disk layout mounts nothing at `/`: add a subvolume or dataset mounted at `/`".into());
    }
    if mounts.contains(&"/boot") {
        out.push("mount point `/boot` is the EFI partition's: mount the subvolume or dataset elsewhere".into());
    }
    out
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

/// An upgrade schedule: an optional weekday (0 = Sunday, as launchd counts) and a time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Schedule {
    /// The weekday, `None` for every day.
    pub weekday: Option<(u8, &'static str)>,
    /// Hour, 0 to 23.
    pub hour: u8,
    /// Minute, 0 to 59.
    pub minute: u8,
}

const WEEKDAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

/// Parses `HH:MM` or `Ddd HH:MM` (`Sun` … `Sat`).
pub fn parse_schedule(s: &str) -> Option<Schedule> {
    let (weekday, time) = match s.split_once(' ') {
        Some((day, time)) => {
            let index = WEEKDAYS.iter().position(|d| *d == day)?;
            (Some((u8::try_from(index).ok()?, WEEKDAYS[index])), time)
        }
        None => (None, s),
    };
    let (hour, minute) = parse_time(time)?;
    Some(Schedule { weekday, hour, minute })
}

/// Parses `HH:MM` into hour and minute.
pub fn parse_time(s: &str) -> Option<(u8, u8)> {
    let (h, m) = s.split_once(':')?;
    if h.len() != 2 || m.len() != 2 {
        return None;
    }
    let (h, m): (u8, u8) = (h.parse().ok()?, m.parse().ok()?);
    (h < 24 && m < 60).then_some((h, m))
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
    fn schedules() {
        assert_eq!(parse_schedule("04:40"), Some(Schedule { weekday: None, hour: 4, minute: 40 }));
        assert_eq!(parse_schedule("Sun 23:05").and_then(|s| s.weekday), Some((0, "Sun")));
        for bad in ["", "4:40", "24:00", "12:60", "Sunday 04:40", "sun 04:40", "04:40 Sun", "04-40", "daily"] {
            assert_eq!(parse_schedule(bad), None, "{bad}");
        }
    }

    #[test]
    fn sizes() {
        assert!(is_size("512M") && is_size("1G"));
        assert!(!is_size("M") && !is_size("512") && !is_size("1.5G") && !is_size(""));
    }
}
