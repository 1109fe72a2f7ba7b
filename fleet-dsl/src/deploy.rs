//! Deployment with colmena, and build machines shared by the fleet.

use crate::platform::{Nixos, System};
use crate::secret::{SecretLink, SecretRef, Secrets};

/// A platform colmena can deploy: NixOS only.
#[diagnostic::on_unimplemented(
    message = "colmena cannot deploy a `{Self}` host: it deploys NixOS only",
    label = "deployment settings are for NixOS hosts",
    note = "switch a Mac on the machine itself with `darwin-rebuild switch --flake .#<host>`; the generated README lists the command"
)]
pub trait Deployable {}

impl Deployable for Nixos {}

/// How colmena reaches a NixOS host (`deployment.*` of its node).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Deploy {
    /// `targetHost`: ssh address; `None` for a machine deployed only locally.
    pub target_host: Option<String>,
    /// `targetUser` (colmena's default is `root`).
    pub target_user: Option<String>,
    /// `targetPort`.
    pub target_port: Option<u16>,
    /// Extra tags, besides the host's profiles and platform.
    pub tags: Vec<String>,
    /// `allowLocalDeployment`: `colmena apply-local` may deploy it on itself.
    pub allow_local_deployment: bool,
    /// `buildOnTarget`: build on the host instead of the deploying machine.
    pub build_on_target: bool,
}

impl Deploy {
    /// Deployed over ssh to `target_host` (a host name or an address).
    pub fn ssh(target_host: impl Into<String>) -> Self {
        Deploy { target_host: Some(target_host.into()), ..Deploy::default() }
    }

    /// The machine you sit at: no ssh target, deployed with `colmena apply-local --sudo`.
    pub fn local() -> Self {
        Deploy { allow_local_deployment: true, ..Deploy::default() }
    }

    /// The ssh user (`targetUser`).
    pub fn user(mut self, user: impl Into<String>) -> Self {
        self.target_user = Some(user.into());
        self
    }

    /// The ssh port (`targetPort`).
    pub fn port(mut self, port: u16) -> Self {
        self.target_port = Some(port);
        self
    }

    /// Adds a tag, so `colmena apply --on @tag` reaches this host.
    pub fn tag(mut self, tag: impl Into<String>) -> Self {
        self.tags.push(tag.into());
        self
    }

    /// Also allows `colmena apply-local` on the host itself.
    pub fn allow_local(mut self) -> Self {
        self.allow_local_deployment = true;
        self
    }

    /// Builds on the host instead of on the deploying machine.
    pub fn build_on_target(mut self) -> Self {
        self.build_on_target = true;
        self
    }
}

/// The private ssh key other hosts use to reach a build machine.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SshKey {
    /// A file already on every host that uses the builder.
    Path(String),
    /// A secret (decrypted to /run/secrets) every host that uses the builder must read.
    Secret(SecretLink),
}

/// A host that builds for others: every other host whose system it builds gets it in
/// `nix.buildMachines` with `nix.distributedBuilds = true`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BuildMachine {
    /// `hostName`: the address other hosts reach it at.
    pub host_name: String,
    /// `systems` it builds for.
    pub systems: Vec<System>,
    /// `maxJobs`.
    pub max_jobs: u32,
    /// `speedFactor`.
    pub speed_factor: u32,
    /// `supportedFeatures`, e.g. `big-parallel`, `kvm`.
    pub supported_features: Vec<String>,
    /// `sshUser`; it becomes a trusted user of the builder's Nix daemon.
    pub ssh_user: Option<String>,
    /// `sshKey`.
    pub ssh_key: Option<SshKey>,
}

impl BuildMachine {
    /// A builder reachable at `host_name`, building for `systems`, one job, speed factor 1.
    pub fn new(host_name: impl Into<String>, systems: impl IntoIterator<Item = System>) -> Self {
        BuildMachine {
            host_name: host_name.into(),
            systems: systems.into_iter().collect(),
            max_jobs: 1,
            speed_factor: 1,
            supported_features: Vec::new(),
            ssh_user: None,
            ssh_key: None,
        }
    }

    /// How many builds run at once (`maxJobs`).
    pub fn max_jobs(mut self, jobs: u32) -> Self {
        self.max_jobs = jobs;
        self
    }

    /// Preference over other builders (`speedFactor`).
    pub fn speed_factor(mut self, factor: u32) -> Self {
        self.speed_factor = factor;
        self
    }

    /// Features builds may require (`supportedFeatures`).
    pub fn features<S: Into<String>>(mut self, features: impl IntoIterator<Item = S>) -> Self {
        self.supported_features = features.into_iter().map(Into::into).collect();
        self
    }

    /// The ssh user others log in as (`sshUser`).
    pub fn ssh_user(mut self, user: impl Into<String>) -> Self {
        self.ssh_user = Some(user.into());
        self
    }

    /// The private key others log in with, as a file on each of them.
    pub fn ssh_key_path(mut self, path: impl Into<String>) -> Self {
        self.ssh_key = Some(SshKey::Path(path.into()));
        self
    }

    /// The private key others log in with, as a secret every host using the builder reads.
    pub fn ssh_key_secret<T: Secrets>(mut self, secret: SecretRef<T>) -> Self {
        self.ssh_key = Some(SshKey::Secret(secret.into()));
        self
    }
}
