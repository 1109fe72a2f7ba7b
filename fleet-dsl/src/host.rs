//! Hosts: one machine each, typed by platform and by the fleet's host spec.

use crate::deploy::{BuildMachine, Deploy, Deployable};
use crate::disko::{Disko, Partitionable};
use crate::module::{Config, Module, Priority, TypedSetting};
use crate::options::{HostSpec, OptionValues};
use crate::platform::{Channel, HostPlatform, Os, System, UsableOn};
use crate::profile::{Profile, ProfileData};
use crate::secret::{AgeKey, SecretSet, Secrets, SecretsFit};
use crate::upgrade::AutoUpgrade;
use crate::value::{Attrs, NixValue};
use crate::{Darwin, Nixos};
use std::marker::PhantomData;
use std::sync::Arc;

/// A host of platform `P` (`Nixos` or `Darwin`) in a fleet whose host spec is `S`.
#[derive(Clone, Debug)]
pub struct Host<P, S> {
    data: HostData,
    channel_set: bool,
    _marker: PhantomData<(P, fn() -> S)>,
}

/// The state version a host was installed with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StateVersion {
    /// NixOS: a release such as `"24.05"`.
    Nixos(String),
    /// nix-darwin: an integer such as `6`.
    Darwin(u32),
}

/// The platform-erased content of a host.
#[derive(Clone, Debug, PartialEq)]
pub struct HostData {
    /// Host name: the `networking.hostName`, the `hosts/<name>/` directory, the flake attribute.
    pub name: String,
    /// Its platform.
    pub os: Os,
    /// Its system double.
    pub system: System,
    /// Which nixpkgs it follows.
    pub channel: Channel,
    /// Its profiles, in order.
    pub profiles: Vec<Arc<ProfileData>>,
    /// Its host spec values, when set.
    pub spec: Option<Attrs>,
    /// Its state version, when it differs from the fleet's default.
    pub state_version: Option<StateVersion>,
    /// Secrets this host reads besides those of its profiles.
    pub secrets: Vec<SecretSet>,
    /// The host's age public key (from its ssh host key), to decrypt its secrets.
    pub age_key: Option<AgeKey>,
    /// An age private key file on the host to decrypt with, instead of its ssh host key.
    pub age_key_file: Option<String>,
    /// How colmena deploys it (NixOS only).
    pub deploy: Option<Deploy>,
    /// Its build machine settings, when it builds for other hosts.
    pub build_machine: Option<BuildMachine>,
    /// Its disks' layouts, in order (NixOS only).
    pub disks: Vec<Disko>,
    /// Its automatic upgrades.
    pub auto_upgrade: Option<AutoUpgrade>,
    /// Host quirks: modules and plain values.
    pub config: Config,
    /// Per-host additions to users' homes, by user name: merged with the user's own home.
    pub homes: Vec<(String, crate::home::Home)>,
    /// Features by name; the fleet maps each to profiles (see `Fleet::feature`).
    pub features: Vec<String>,
    /// Where the host is defined: the `Host::nixos`/`Host::darwin` call, or its inventory entry.
    pub at: crate::Location,
}

impl<S: HostSpec> Host<Nixos, S> {
    /// A NixOS host.
    #[track_caller]
    pub fn nixos(name: impl Into<String>, system: System) -> Self {
        Host::with(name.into(), Os::Nixos, system)
    }

    /// The NixOS release the host was installed with (`system.stateVersion`, e.g. `"24.05"`).
    /// Defaults to the fleet's; never change it on an installed host.
    #[track_caller]
    pub fn state_version(mut self, release: impl Into<String>) -> Self {
        self.data.state_version = Some(StateVersion::Nixos(release.into()));
        self
    }
}

impl<S: HostSpec> Host<Darwin, S> {
    /// A macOS host managed by nix-darwin.
    #[track_caller]
    pub fn darwin(name: impl Into<String>, system: System) -> Self {
        Host::with(name.into(), Os::Darwin, system)
    }

    /// nix-darwin's integer `system.stateVersion` the host was set up with. Defaults to the fleet's.
    #[track_caller]
    pub fn state_version(mut self, version: u32) -> Self {
        self.data.state_version = Some(StateVersion::Darwin(version));
        self
    }
}

impl<P: HostPlatform, S: HostSpec> Host<P, S> {
    #[track_caller]
    fn with(name: String, os: Os, system: System) -> Self {
        let data = HostData {
            name,
            os,
            system,
            channel: Channel::Stable,
            profiles: Vec::new(),
            spec: None,
            state_version: None,
            secrets: Vec::new(),
            age_key: None,
            age_key_file: None,
            deploy: None,
            build_machine: None,
            disks: Vec::new(),
            auto_upgrade: None,
            config: Config::default(),
            homes: Vec::new(),
            features: Vec::new(),
            at: crate::Location::caller(),
        };
        Host { data, channel_set: false, _marker: PhantomData }
    }

    /// The platform-erased content.
    pub fn data(&self) -> &HostData {
        &self.data
    }

    /// Follows the stable or the unstable nixpkgs. Without it the host follows the fleet's
    /// channel ([`crate::Fleet::channel`], stable by default).
    #[track_caller]
    pub fn channel(mut self, channel: Channel) -> Self {
        self.data.channel = channel;
        self.channel_set = true;
        self
    }

    /// Whether the host chose its channel with [`Host::channel`].
    pub fn has_own_channel(&self) -> bool {
        self.channel_set
    }

    /// Adds a profile. A NixOS-only profile on a Darwin host does not compile.
    #[track_caller]
    pub fn profile<Q: UsableOn<P>>(mut self, profile: &Profile<Q>) -> Self {
        self.data.profiles.push(Arc::clone(profile.data()));
        self
    }

    /// Sets the host's spec values (`hostSpec.*`).
    #[track_caller]
    pub fn spec(mut self, spec: S) -> Self {
        self.data.spec = Some(spec.option_values());
        self
    }

    /// Gives this host the secrets of `T`. Secrets with NixOS-only options do not compile on a
    /// Darwin host.
    #[track_caller]
    pub fn secrets<T: Secrets>(mut self) -> Self
    where
        T::Platform: SecretsFit<P>,
    {
        self.data.secrets.push(T::secret_set());
        self
    }

    /// The host's age public key: `ssh-to-age < /etc/ssh/ssh_host_ed25519_key.pub` on the host.
    /// Checked at compile time with `age_key!("age1…")`, or by the generator.
    #[track_caller]
    pub fn age_key(mut self, key: impl Into<AgeKey>) -> Self {
        self.data.age_key = Some(key.into());
        self
    }

    /// Decrypts with an age private key file on the host (`sops.age.keyFile`, e.g.
    /// `/var/lib/sops-nix/key.txt`) instead of one derived from its ssh host key. The host's
    /// [`Host::age_key`] is then that key's public half (`age-keygen -y`).
    #[track_caller]
    pub fn age_key_file(mut self, path: impl Into<String>) -> Self {
        self.data.age_key_file = Some(path.into());
        self
    }

    /// How colmena deploys this host. A Darwin host does not compile: colmena deploys NixOS only.
    #[track_caller]
    pub fn deploy(mut self, deploy: Deploy) -> Self
    where
        P: Deployable,
    {
        self.data.deploy = Some(deploy);
        self
    }

    /// Makes this host a build machine for every other host whose system it builds.
    #[track_caller]
    pub fn build_machine(mut self, machine: BuildMachine) -> Self {
        self.data.build_machine = Some(machine);
        self
    }

    /// Lays out one of the host's disks with disko; call it once per disk (each with its own
    /// [`Disko::name`]). A Darwin host does not compile.
    #[track_caller]
    pub fn disko(mut self, disko: impl Into<Disko>) -> Self
    where
        P: Partitionable,
    {
        self.data.disks.push(disko.into());
        self
    }

    /// Upgrades the host automatically from the fleet's published flake.
    #[track_caller]
    pub fn auto_upgrade(mut self, upgrade: AutoUpgrade) -> Self {
        self.data.auto_upgrade = Some(upgrade);
        self
    }

    /// Imports a hand-written module for this host only.
    #[track_caller]
    pub fn module(mut self, module: impl Into<Module>) -> Self {
        self.data.config.modules.push(module.into());
        self
    }

    /// Imports a module of an extra flake input (`inputs.<input>.<path>` in the imports; the
    /// input is emitted in `flake.nix` because of it). A NixOS module on a Darwin host or profile
    /// does not compile.
    #[track_caller]
    pub fn import_input<Q: crate::input::ModuleFits<P>>(mut self, module: crate::input::InputModule<Q>) -> Self {
        self.data.config.input_modules.push(module.into_data());
        self
    }

    /// Adds an overlay to `nixpkgs.overlays` (a list contribution: the overlays of the fleet, of
    /// every profile and of the host concatenate), typically
    /// `raw_nix("final: prev: { … }")`.
    #[track_caller]
    pub fn overlay(mut self, overlay: impl Into<NixValue>) -> Self {
        self.data.config.typed_add("nixpkgs.overlays", [overlay.into()]);
        self
    }

    /// Sets an option by dotted path, plainly (overriding profile defaults): the untyped escape
    /// hatch for host quirks.
    #[track_caller]
    pub fn set(mut self, path: &str, value: impl Into<NixValue>) -> Self {
        self.data.config.setting(path, value.into(), Priority::Normal);
        self
    }

    /// Installs packages on this host (`environment.systemPackages`), next to its profiles'.
    #[track_caller]
    pub fn packages<T: Into<NixValue>>(mut self, packages: impl IntoIterator<Item = T>) -> Self {
        self.data.config.typed_add("environment.systemPackages", packages);
        self
    }

    /// Adds items to a list option by dotted path: they concatenate with the items its
    /// profiles add and nixpkgs defines.
    #[track_caller]
    pub fn add<T: Into<NixValue>>(mut self, path: &str, items: impl IntoIterator<Item = T>) -> Self {
        self.data.config.add(path, items);
        self
    }

    /// Gives the host features (a `#[derive(NixEnum)]` of the fleet, such as `Feature::Gaming`):
    /// the profiles the fleet maps them to with `Fleet::feature`, the same selection an
    /// inventory host gets from `features = ["gaming"]`.
    #[track_caller]
    pub fn features<F: crate::options::NixEnum>(mut self, features: impl IntoIterator<Item = F>) -> Self {
        self.data.features.extend(features.into_iter().map(|f| crate::options::enum_name(&f)));
        self
    }

    /// Adds to or overrides the home of `user` on this host only (packages, session variables,
    /// shell init, programs): merged by home-manager with the user's own home, which must
    /// exist (`User::home`). The user must be on the host through one of its profiles.
    #[track_caller]
    pub fn home(mut self, user: &crate::user::User, home: crate::home::Home) -> Self {
        self.data.homes.push((user.name.clone(), home));
        self
    }

    /// Sets a typed option set of one of your modules for this host, plainly: the whole
    /// struct, or its patch (`GnomePatch { wayland: Some(false), ..Default::default() }`) to
    /// override one option of a profile's and keep its others (the profile's are defaults).
    #[track_caller]
    pub fn options<T: OptionValues>(mut self, value: T) -> Self {
        self.data.config.typed.push(TypedSetting::of(&value, Priority::Normal));
        self
    }

    pub(crate) fn into_data(self) -> HostData {
        self.data
    }
}
