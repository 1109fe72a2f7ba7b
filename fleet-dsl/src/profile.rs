//! Profiles (roles): what a machine is, shared by the hosts that have it.

use crate::module::{Config, Module, Priority, TypedSetting};
use crate::options::OptionValues;
use crate::platform::{ProfilePlatform, Target, UsableOn};
use crate::secret::{SecretSet, Secrets, SecretsFit};
use crate::user::User;
use crate::value::NixValue;
use crate::{Any, Darwin, Nixos};
use std::marker::PhantomData;
use std::sync::Arc;

/// A profile for platform `P` (`Nixos`, `Darwin` or `Any`), rendered to `profiles/<name>.nix`.
///
/// Values a profile sets with [`Profile::default`] are emitted under `lib.mkDefault`, so a host
/// overrides them plainly and nothing needs `mkForce`; lists are contributed with
/// [`Profile::add`] and concatenate with every other definition.
#[derive(Clone, Debug)]
pub struct Profile<P> {
    data: Arc<ProfileData>,
    _platform: PhantomData<P>,
}

/// The platform-erased content of a profile.
#[derive(Clone, Debug, PartialEq)]
pub struct ProfileData {
    /// Name, also the file name under `profiles/`.
    pub name: String,
    /// Which hosts may use it.
    pub target: Target,
    /// What the profile is for; becomes a comment at the top of its file.
    pub description: Option<String>,
    /// Profiles it builds on, in order.
    pub imports: Vec<Arc<ProfileData>>,
    /// Users every host with this profile has.
    pub users: Vec<User>,
    /// Secrets every host with this profile can read.
    pub secrets: Vec<SecretSet>,
    /// Supplementary groups the profile gives users defined elsewhere, by user name (NixOS
    /// `users.users.<name>.extraGroups`, concatenated with the user's own groups).
    pub user_groups: Vec<(String, Vec<String>)>,
    /// Supplementary groups the profile gives every user of the hosts it is on (NixOS).
    pub groups_for_users: Vec<String>,
    /// Modules and values.
    pub config: Config,
    /// Where the profile is defined (its `Profile::nixos`/`darwin`/`any` call).
    pub at: crate::Location,
}

impl ProfileData {
    /// `roots` and every profile they import, each once (by name), each before its imports: the
    /// one walk of the import graph that tags, users and secrets of a host are read from.
    pub fn closure<'a>(roots: impl IntoIterator<Item = &'a Arc<ProfileData>>) -> Vec<&'a Arc<ProfileData>> {
        let mut out: Vec<&'a Arc<ProfileData>> = Vec::new();
        let mut stack: Vec<&'a Arc<ProfileData>> = roots.into_iter().collect();
        stack.reverse();
        while let Some(p) = stack.pop() {
            if !out.iter().any(|known| known.name == p.name) {
                out.push(p);
                stack.extend(p.imports.iter().rev());
            }
        }
        out
    }
}

/// A platform whose users have supplementary groups a profile can add to
/// (`users.users.<name>.extraGroups`): NixOS only.
#[diagnostic::on_unimplemented(
    message = "a `{Self}` profile cannot give users groups: nix-darwin has no `users.users.<name>.extraGroups`",
    label = "`user_groups` is for `Profile::nixos(..)` profiles",
    note = "give the groups in a `Profile::nixos(..)` profile, which only NixOS hosts use"
)]
pub trait HasExtraGroups: ProfilePlatform {}

impl HasExtraGroups for Nixos {}

impl Profile<Nixos> {
    /// A NixOS-only profile.
    #[track_caller]
    pub fn nixos(name: impl Into<String>) -> Self {
        Profile::with_name(name.into())
    }
}

impl Profile<Darwin> {
    /// A nix-darwin-only profile.
    #[track_caller]
    pub fn darwin(name: impl Into<String>) -> Self {
        Profile::with_name(name.into())
    }
}

impl Profile<Any> {
    /// A profile for NixOS and nix-darwin hosts alike.
    #[track_caller]
    pub fn any(name: impl Into<String>) -> Self {
        Profile::with_name(name.into())
    }
}

impl<P: ProfilePlatform> Profile<P> {
    #[track_caller]
    fn with_name(name: String) -> Self {
        let data = ProfileData {
            name,
            target: P::TARGET,
            description: None,
            imports: Vec::new(),
            users: Vec::new(),
            secrets: Vec::new(),
            user_groups: Vec::new(),
            groups_for_users: Vec::new(),
            config: Config::default(),
            at: crate::Location::caller(),
        };
        Profile { data: Arc::new(data), _platform: PhantomData }
    }

    fn edit(&mut self) -> &mut ProfileData {
        Arc::make_mut(&mut self.data)
    }

    /// The platform-erased content.
    pub fn data(&self) -> &Arc<ProfileData> {
        &self.data
    }

    /// Describes the profile (a comment at the top of its file).
    #[track_caller]
    pub fn description(mut self, text: impl Into<String>) -> Self {
        self.edit().description = Some(text.into());
        self
    }

    /// Builds on another profile. A NixOS profile may import `Any` and `Nixos` profiles; an
    /// `Any` profile only `Any` ones.
    #[track_caller]
    pub fn import<Q: UsableOn<P>>(mut self, other: &Profile<Q>) -> Self {
        let other = Arc::clone(&other.data);
        self.edit().imports.push(other);
        self
    }

    /// Gives every host with this profile the user (declared once, in `modules/users.nix`).
    #[track_caller]
    pub fn user(mut self, user: &User) -> Self {
        self.edit().users.push(user.clone());
        self
    }

    /// Adds supplementary groups to `user` on every host with this profile, without redefining
    /// the user: `Profile::nixos("gaming").user_groups(&jay, ["gamemode"])` renders
    /// `users.users.jay.extraGroups = ["gamemode"];` in the profile, a plain list definition that
    /// concatenates with the user's own groups (`User::groups`) and those other profiles give.
    /// The user must be on every host with the profile (through any of its profiles).
    ///
    /// NixOS only: nix-darwin has no `extraGroups`, so on a Darwin or `Any` profile this does
    /// not compile.
    #[track_caller]
    pub fn user_groups<S: Into<String>>(mut self, user: &User, groups: impl IntoIterator<Item = S>) -> Self
    where
        P: HasExtraGroups,
    {
        let groups = groups.into_iter().map(Into::into);
        let data = self.edit();
        match data.user_groups.iter_mut().find(|(name, _)| *name == user.name) {
            Some((_, known)) => known.extend(groups),
            None => data.user_groups.push((user.name.clone(), groups.collect())),
        }
        self
    }

    /// Adds supplementary groups to every user of every host with this profile, whichever
    /// profile brings the user: `Profile::nixos("development").groups_for_users(["docker"])`
    /// renders `users.users = lib.genAttrs config.fleet.users (_: {extraGroups = ["docker"];});`
    /// (`config.fleet.users` lists the host's users), concatenated with each user's own groups.
    /// For one user only, use [`Profile::user_groups`].
    ///
    /// NixOS only, like [`Profile::user_groups`].
    #[track_caller]
    pub fn groups_for_users<S: Into<String>>(mut self, groups: impl IntoIterator<Item = S>) -> Self
    where
        P: HasExtraGroups,
    {
        self.edit().groups_for_users.extend(groups.into_iter().map(Into::into));
        self
    }

    /// Gives every host with this profile the secrets of `T` (declared with its scope's file).
    /// Secrets with NixOS-only options do not compile on a Darwin or `Any` profile.
    #[track_caller]
    pub fn secrets<T: Secrets>(mut self) -> Self
    where
        T::Platform: SecretsFit<P>,
    {
        self.edit().secrets.push(T::secret_set());
        self
    }

    /// Imports a hand-written module from the output repository's `modules/`.
    #[track_caller]
    pub fn module(mut self, module: impl Into<Module>) -> Self {
        self.edit().config.modules.push(module.into());
        self
    }

    /// Imports a module of an extra flake input (`inputs.<input>.<path>` in the imports; the
    /// input is emitted in `flake.nix` because of it). A NixOS module on a Darwin host or profile
    /// does not compile.
    #[track_caller]
    pub fn import_input<Q: crate::input::ModuleFits<P>>(mut self, module: crate::input::InputModule<Q>) -> Self {
        self.edit().config.input_modules.push(module.into_data());
        self
    }

    /// Adds an overlay to `nixpkgs.overlays` (a list contribution: the overlays of the fleet, of
    /// every profile and of the host concatenate), typically
    /// `raw_nix("final: prev: { … }")`.
    #[track_caller]
    pub fn overlay(mut self, overlay: impl Into<NixValue>) -> Self {
        self.edit().config.typed_add("nixpkgs.overlays", [overlay.into()]);
        self
    }

    /// Sets an option by dotted path under `lib.mkDefault` (an attribute set is split so each
    /// leaf is its own default): the untyped escape hatch; prefer [`Profile::options`] for your
    /// own modules. For a list use [`Profile::add`]: a default list loses to any plain
    /// definition, including the ones nixpkgs makes itself.
    #[track_caller]
    pub fn default(mut self, path: &str, value: impl Into<NixValue>) -> Self {
        self.edit().config.setting(path, value.into(), Priority::Default);
        self
    }

    /// Sets an option by dotted path at normal priority: hosts cannot override it without
    /// `mkForce`, so prefer [`Profile::default`] for scalars.
    #[track_caller]
    pub fn set(mut self, path: &str, value: impl Into<NixValue>) -> Self {
        self.edit().config.setting(path, value.into(), Priority::Normal);
        self
    }

    /// Installs packages on every host with this profile (`environment.systemPackages`, whose
    /// items concatenate with the host's, other profiles' and nixpkgs' own).
    #[track_caller]
    pub fn packages<T: Into<NixValue>>(mut self, packages: impl IntoIterator<Item = T>) -> Self {
        self.edit().config.typed_add("environment.systemPackages", packages);
        self
    }

    /// Adds items to a list option by dotted path (`environment.systemPackages`,
    /// `networking.firewall.allowedTCPPorts`): they concatenate with the items of every other
    /// profile, of the host and of nixpkgs.
    #[track_caller]
    pub fn add<T: Into<NixValue>>(mut self, path: &str, items: impl IntoIterator<Item = T>) -> Self {
        self.edit().config.add(path, items);
        self
    }

    /// Sets a typed option set of one of your modules, every value under `lib.mkDefault`:
    /// the whole struct (`Gnome { .. }`), or its patch (`GnomePatch { wayland: Some(false),
    /// ..Default::default() }`) to set only some options.
    #[track_caller]
    pub fn options<T: OptionValues>(mut self, value: T) -> Self {
        let typed = TypedSetting::of(&value, Priority::Default);
        self.edit().config.typed.push(typed);
        self
    }
}
