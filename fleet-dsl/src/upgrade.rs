//! Automatic upgrades: `system.autoUpgrade` on NixOS, a launchd daemon on nix-darwin.

/// Pull the fleet's flake and switch to it on a schedule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AutoUpgrade {
    /// The flake to upgrade from, e.g. `github:me/fleet` (the host's attribute is appended).
    pub flake: String,
    /// When: `HH:MM` daily, or `Mon HH:MM` … `Sun HH:MM` weekly (checked by the generator).
    pub schedule: String,
    /// Reboot after an upgrade that needs it, within `(lower, upper)` as `HH:MM` (NixOS only).
    pub reboot_window: Option<(String, String)>,
}

impl AutoUpgrade {
    /// Upgrade from `flake` every day at 04:40.
    pub fn new(flake: impl Into<String>) -> Self {
        AutoUpgrade { flake: flake.into(), schedule: "04:40".into(), reboot_window: None }
    }

    /// When to upgrade: `"04:40"` (daily) or `"Sun 04:40"` (weekly).
    pub fn at(mut self, schedule: impl Into<String>) -> Self {
        self.schedule = schedule.into();
        self
    }

    /// Reboot when an upgrade needs it, only between `lower` and `upper` (`"01:00"`, `"05:00"`).
    /// NixOS only: nix-darwin cannot reboot on its own.
    pub fn allow_reboot(mut self, lower: impl Into<String>, upper: impl Into<String>) -> Self {
        self.reboot_window = Some((lower.into(), upper.into()));
        self
    }
}
