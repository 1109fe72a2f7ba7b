//! The fleet: every host, and the settings they share.

use crate::home::Home;
use crate::host::{Host, HostData};
use crate::module::Module;
use crate::options::{HostSpec, NixEnum, NoSpec, OptionSet};
use crate::platform::{Channel, System};
use crate::platform::{HostPlatform, ProfilePlatform};
use crate::profile::{Profile, ProfileData};
use crate::secret::AgeKey;
use crate::upgrade::AutoUpgrade;
use crate::user::User;
use crate::value::NixValue;
use std::marker::PhantomData;
use std::path::PathBuf;
use std::sync::Arc;

/// Flake input URLs. The defaults track the current releases; override what you pin elsewhere.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Inputs {
    /// Stable nixpkgs for NixOS hosts (`nixpkgs`).
    pub nixpkgs: String,
    /// Unstable nixpkgs (`nixpkgs-unstable`).
    pub nixpkgs_unstable: String,
    /// Stable nixpkgs for Macs (`nixpkgs-darwin`).
    pub nixpkgs_darwin: String,
    /// nix-darwin matching the stable Darwin nixpkgs (`nix-darwin`).
    pub nix_darwin: String,
    /// nix-darwin for Macs on unstable (`nix-darwin-unstable`).
    pub nix_darwin_unstable: String,
    /// flake-parts.
    pub flake_parts: String,
    /// sops-nix, when the fleet has secrets.
    pub sops_nix: String,
    /// colmena, when a host has deployment settings.
    pub colmena: String,
    /// home-manager matching the stable nixpkgs, when a user has a home.
    pub home_manager: String,
    /// home-manager for hosts on unstable.
    pub home_manager_unstable: String,
    /// disko, when a host has a disk layout.
    pub disko: String,
}

impl Default for Inputs {
    fn default() -> Self {
        Inputs {
            nixpkgs: "github:NixOS/nixpkgs/nixos-26.05".into(),
            nixpkgs_unstable: "github:NixOS/nixpkgs/nixos-unstable".into(),
            nixpkgs_darwin: "github:NixOS/nixpkgs/nixpkgs-26.05-darwin".into(),
            nix_darwin: "github:nix-darwin/nix-darwin/nix-darwin-26.05".into(),
            nix_darwin_unstable: "github:nix-darwin/nix-darwin/master".into(),
            flake_parts: "github:hercules-ci/flake-parts".into(),
            sops_nix: "github:Mic92/sops-nix".into(),
            colmena: "github:zhaofengli/colmena".into(),
            home_manager: "github:nix-community/home-manager/release-26.05".into(),
            home_manager_unstable: "github:nix-community/home-manager".into(),
            disko: "github:nix-community/disko".into(),
        }
    }
}

/// A fleet whose hosts declare the host spec `S`.
#[derive(Clone, Debug)]
pub struct Fleet<S = NoSpec> {
    data: FleetData,
    /// Indices of the hosts without a channel of their own: they follow the fleet's.
    follow_channel: Vec<usize>,
    _spec: PhantomData<fn() -> S>,
}

/// The platform-erased content of a fleet: what the generator reads.
#[derive(Clone, Debug, PartialEq)]
pub struct FleetData {
    /// Fleet name, used in headers and the flake description.
    pub name: String,
    /// Flake input URLs.
    pub inputs: Inputs,
    /// `system.stateVersion` of NixOS hosts that set none.
    pub nixos_state_version: String,
    /// `system.stateVersion` of Darwin hosts that set none.
    pub darwin_state_version: u32,
    /// The host spec declaration (empty for [`NoSpec`]).
    pub spec: OptionSet,
    /// The hosts, in declaration order.
    pub hosts: Vec<HostData>,
    /// Admins: people whose age keys decrypt every secret file, by name.
    pub admins: Vec<(String, AgeKey)>,
    /// Profiles inventory hosts may name, besides those of the Rust-defined hosts.
    pub profiles: Vec<Arc<ProfileData>>,
    /// Inventory files (TOML, JSON or YAML) whose hosts join the fleet.
    pub inventories: Vec<PathBuf>,
    /// Users' homes on machines that are neither NixOS nor nix-darwin (standalone home-manager).
    pub standalone_homes: Vec<StandaloneHome>,
    /// Every feature hosts may name (the variants of the fleet's feature enums, in order).
    pub feature_names: Vec<String>,
    /// Which profiles each feature gives a host, by feature name.
    pub features: Vec<(String, Arc<ProfileData>)>,
    /// The channel of hosts that choose none (inventory hosts included).
    pub channel: Channel,
    /// Overlays every host gets (`nixpkgs.overlays`, in `modules/overlays.nix`).
    pub overlays: Vec<NixValue>,
    /// What the flake exports besides the hosts: dev shells, packages, checks, modules.
    pub outputs: FlakeOutputs,
    /// The automatic upgrade of every host without one of its own, inventory hosts included
    /// ([`Fleet::auto_upgrade`]).
    pub auto_upgrade: Option<AutoUpgrade>,
    /// Where the fleet is defined (its `Fleet::new` call): fleet-wide problems point there.
    pub at: crate::Location,
}

/// Extra outputs of the generated flake, declared on the fleet.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FlakeOutputs {
    /// `devShells.<system>.<name>` (per system, in `parts/dev.nix`), in declaration order.
    pub dev_shells: Vec<(String, NixValue)>,
    /// `packages.<system>.<name>`.
    pub packages: Vec<(String, NixValue)>,
    /// `checks.<system>.<name>`.
    pub checks: Vec<(String, NixValue)>,
    /// `nixosModules.<name>`: hand-written modules of the repository, exported for other flakes.
    pub nixos_modules: Vec<(String, Module)>,
}

impl FleetData {
    /// Every profile the fleet knows: those of its hosts and those registered with
    /// [`Fleet::profile`], with their imports, each once, in first-use order.
    pub fn profiles_in_use(&self) -> Vec<&Arc<ProfileData>> {
        let mapped = self.features.iter().map(|(_, p)| p);
        ProfileData::closure(self.hosts.iter().flat_map(|h| h.profiles.iter()).chain(&self.profiles).chain(mapped))
    }
}

impl<S: HostSpec> Fleet<S> {
    /// An empty fleet.
    #[track_caller]
    pub fn new(name: impl Into<String>) -> Self {
        let data = FleetData {
            name: name.into(),
            inputs: Inputs::default(),
            nixos_state_version: "26.05".into(),
            darwin_state_version: 6,
            spec: S::option_set(),
            hosts: Vec::new(),
            admins: Vec::new(),
            profiles: Vec::new(),
            inventories: Vec::new(),
            standalone_homes: Vec::new(),
            feature_names: Vec::new(),
            features: Vec::new(),
            channel: Channel::Stable,
            overlays: Vec::new(),
            outputs: FlakeOutputs::default(),
            auto_upgrade: None,
            at: crate::Location::caller(),
        };
        Fleet { data, follow_channel: Vec::new(), _spec: PhantomData }
    }

    /// Overrides flake input URLs.
    #[track_caller]
    pub fn inputs(mut self, inputs: Inputs) -> Self {
        self.data.inputs = inputs;
        self
    }

    /// The NixOS release new hosts are installed with (default `"26.05"`).
    #[track_caller]
    pub fn nixos_state_version(mut self, release: impl Into<String>) -> Self {
        self.data.nixos_state_version = release.into();
        self
    }

    /// nix-darwin's state version for new Macs (default 6).
    #[track_caller]
    pub fn darwin_state_version(mut self, version: u32) -> Self {
        self.data.darwin_state_version = version;
        self
    }

    /// Adds an admin: a person whose age key decrypts every secret file (`.sops.yaml`'s
    /// `&admin_<name>`). Checked at compile time with `age_key!("age1…")`, or by the generator.
    #[track_caller]
    pub fn admin(mut self, name: impl Into<String>, key: impl Into<AgeKey>) -> Self {
        self.data.admins.push((name.into(), key.into()));
        self
    }

    /// Makes a profile available to inventory hosts by name, even if no Rust host uses it.
    #[track_caller]
    pub fn profile<P: ProfilePlatform>(mut self, profile: &Profile<P>) -> Self {
        self.data.profiles.push(Arc::clone(profile.data()));
        self
    }

    /// Adds the hosts of an inventory file (`.toml`, `.json` or `.yaml`), validated against the fleet's
    /// JSON Schema before use. A relative path is resolved from the working directory; use
    /// `concat!(env!("CARGO_MANIFEST_DIR"), "/fleet.toml")` to pin it to the fleet crate.
    #[track_caller]
    pub fn inventory(mut self, path: impl Into<PathBuf>) -> Self {
        self.data.inventories.push(path.into());
        self
    }

    /// Maps a feature (a variant of a `#[derive(NixEnum)]` such as `Feature::Gaming`) to a
    /// profile: every host with the feature, in Rust (`Host::features`) or in an inventory
    /// (`features = ["gaming"]`), gets the profile. Map a feature several times for several
    /// profiles. Inventory hosts may name every variant of the enum.
    #[track_caller]
    pub fn feature<F: NixEnum, P: ProfilePlatform>(mut self, feature: F, profile: &Profile<P>) -> Self {
        for v in F::VARIANTS {
            if !self.data.feature_names.iter().any(|n| n == v) {
                self.data.feature_names.push((*v).to_owned());
            }
        }
        self.data.features.push((crate::options::enum_name(&feature), Arc::clone(profile.data())));
        self
    }

    /// Adds a user's home on a machine that is neither NixOS nor nix-darwin (any Linux
    /// distribution, or a Mac without nix-darwin): `homeConfigurations."user@machine"`.
    #[track_caller]
    pub fn standalone_home(mut self, home: StandaloneHome) -> Self {
        self.data.standalone_homes.push(home);
        self
    }

    /// Adds a host.
    #[track_caller]
    pub fn host<P: HostPlatform>(mut self, host: Host<P, S>) -> Self {
        let own = host.has_own_channel();
        let mut data = host.into_data();
        if !own {
            data.channel = self.data.channel;
            self.follow_channel.push(self.data.hosts.len());
        }
        self.data.hosts.push(data);
        self
    }

    /// The channel of every host without `.channel(..)` of its own, inventory hosts included
    /// (default [`Channel::Stable`]). A fleet whose hosts are all unstable pins no stable nixpkgs.
    #[track_caller]
    pub fn channel(mut self, channel: Channel) -> Self {
        self.data.channel = channel;
        for &i in &self.follow_channel {
            if let Some(h) = self.data.hosts.get_mut(i) {
                h.channel = channel;
            }
        }
        self
    }

    /// Upgrades every host without `.auto_upgrade(..)` of its own automatically, inventory hosts
    /// included, e.g. `AutoUpgrade::new("github:me/fleet").at("04:00")` for daily rebuilds from
    /// the published flake (each host builds its own attribute). A host's own upgrade replaces it.
    /// nix-darwin cannot reboot, so in a fleet with Macs a reboot window belongs on the NixOS
    /// hosts' own upgrades.
    #[track_caller]
    pub fn auto_upgrade(mut self, upgrade: AutoUpgrade) -> Self {
        self.data.auto_upgrade = Some(upgrade);
        self
    }

    /// Adds an overlay every host gets (`nixpkgs.overlays` in the generated
    /// `modules/overlays.nix`; it concatenates with the overlays of profiles and hosts),
    /// typically `raw_nix("final: prev: { … }")`.
    #[track_caller]
    pub fn overlay(mut self, overlay: impl Into<NixValue>) -> Self {
        self.data.overlays.push(overlay.into());
        self
    }

    /// Adds a dev shell `devShells.<system>.<name>` for every system of the fleet, e.g.
    /// `raw_nix("pkgs.mkShell { packages = [pkgs.cargo]; }")` (`pkgs`, `lib`, `system`,
    /// `inputs'`, `self'`, `inputs` and `self` are in scope). `default` is the generated one.
    #[track_caller]
    pub fn dev_shell(mut self, name: impl Into<String>, shell: impl Into<NixValue>) -> Self {
        self.data.outputs.dev_shells.push((name.into(), shell.into()));
        self
    }

    /// Adds a package `packages.<system>.<name>`: `pkg("hello")`, `pkg_unstable(..)` or raw Nix.
    #[track_caller]
    pub fn package(mut self, name: impl Into<String>, package: impl Into<NixValue>) -> Self {
        self.data.outputs.packages.push((name.into(), package.into()));
        self
    }

    /// Adds a check `checks.<system>.<name>` (`nix flake check` builds it).
    #[track_caller]
    pub fn check(mut self, name: impl Into<String>, check: impl Into<NixValue>) -> Self {
        self.data.outputs.checks.push((name.into(), check.into()));
        self
    }

    /// Exports a hand-written module of the repository as `nixosModules.<name>`, for other flakes.
    #[track_caller]
    pub fn export_module(mut self, name: impl Into<String>, module: impl Into<Module>) -> Self {
        self.data.outputs.nixos_modules.push((name.into(), module.into()));
        self
    }

    /// The platform-erased content, for the generator.
    #[track_caller]
    pub fn into_data(mut self) -> FleetData {
        if let Some(upgrade) = &self.data.auto_upgrade {
            for h in self.data.hosts.iter_mut().filter(|h| h.auto_upgrade.is_none()) {
                h.auto_upgrade = Some(upgrade.clone());
            }
        }
        self.data
    }
}

/// A user's home-manager configuration on a machine without NixOS or nix-darwin, built with
/// `home-manager.lib.homeManagerConfiguration` and switched with
/// `home-manager switch --flake .#user@machine`. It shares the user's home (`User::home`)
/// and adds the machine's own differences.
#[derive(Clone, Debug, PartialEq)]
pub struct StandaloneHome {
    /// The user, whose home is the base.
    pub user: User,
    /// The machine's name: the part after `@` in the configuration's name.
    pub machine: String,
    /// The machine's system.
    pub system: System,
    /// Which nixpkgs and home-manager it follows.
    pub channel: Channel,
    /// What this machine adds to the user's home.
    pub home: Home,
}

impl StandaloneHome {
    /// `user`'s home on `machine` of `system`, on the stable channel.
    #[track_caller]
    pub fn new(user: &User, machine: impl Into<String>, system: System) -> Self {
        StandaloneHome {
            user: user.clone(),
            machine: machine.into(),
            system,
            channel: Channel::Stable,
            home: Home::default(),
        }
    }

    /// Follows `channel` instead of stable.
    #[track_caller]
    pub fn channel(mut self, channel: Channel) -> Self {
        self.channel = channel;
        self
    }

    /// What this machine adds to the user's home (packages, variables, programs).
    #[track_caller]
    pub fn home(mut self, home: Home) -> Self {
        self.home = home;
        self
    }

    /// The configuration's name, `user@machine`.
    pub fn name(&self) -> String {
        format!("{}@{}", self.user.name, self.machine)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::platform::{Darwin, Nixos};

    /// The fleet's upgrade reaches the hosts without one, whenever it is declared; a host's own
    /// upgrade stays, and inventory hosts find the fleet's in `FleetData::auto_upgrade`.
    #[test]
    fn the_fleet_upgrade_fills_hosts_without_their_own() {
        let own = AutoUpgrade::new("github:me/fleet").at("05:30");
        let daily = AutoUpgrade::new("github:me/fleet").at("04:00");
        let fleet = Fleet::<NoSpec>::new("f")
            .host(Host::<Nixos, NoSpec>::nixos("before", System::X86_64Linux))
            .auto_upgrade(daily.clone())
            .host(Host::<Nixos, NoSpec>::nixos("own", System::Aarch64Linux).auto_upgrade(own.clone()))
            .host(Host::<Darwin, NoSpec>::darwin("mac", System::Aarch64Darwin))
            .into_data();
        let upgrades: Vec<_> = fleet.hosts.iter().map(|h| h.auto_upgrade.as_ref()).collect();
        assert_eq!(upgrades, [Some(&daily), Some(&own), Some(&daily)]);
        assert_eq!(fleet.auto_upgrade, Some(daily));
    }
}
