//! A synthetic fleet of any size, for tests and benchmarks.
//!
//! [`fleet`] builds `n` hosts over a realistic mix: x86_64 and aarch64 NixOS machines (servers,
//! workstations, laptops, two build machines) and Macs on both architectures, stable and
//! unstable channels, three sites, typed host specs, profiles importing each other, users,
//! typed options of hand-written modules (with scaffolds, so the output directory needs none of
//! them), secrets of every scope with a valid age key per host, and colmena deploy targets with
//! tags. It is deterministic: the same `n` gives the same fleet, byte for byte.
//!
//! `cargo run --release -p fleet-gen --example synthetic -- --hosts 1000 --out /tmp/fleet`
//! writes its repository; `cargo bench -p fleet-gen` times every stage.

use fleet_dsl::prelude::*;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// The synthetic host spec; modules read it as `config.hostSpec.*`.
#[derive(HostSpec)]
pub struct Spec {
    /// Login name of the machine's main user.
    pub primary_user: String,
    /// What kind of machine this is.
    pub role: Role,
    /// Machine runs without a display.
    #[spec(default = false)]
    pub headless: bool,
    /// Graphics vendor, when there is a GPU.
    pub gpu: Option<Gpu>,
    /// Port sshd listens on.
    #[spec(port, default = 22)]
    pub ssh_port: u16,
    /// CPU cores, for build parallelism.
    pub cores: u32,
    /// Directories backed up every night.
    #[spec(default)]
    pub backup_paths: Vec<String>,
    /// Free-form labels (rack, owner, ...).
    #[spec(default)]
    pub labels: BTreeMap<String, String>,
}

/// What kind of machine a host is.
#[derive(NixEnum)]
pub enum Role {
    /// A desktop workstation.
    Workstation,
    /// A laptop on battery.
    Laptop,
    /// A headless server.
    Server,
    /// A build machine for the others.
    Builder,
}

/// Graphics vendor.
#[derive(NixEnum)]
pub enum Gpu {
    /// AMD Radeon.
    Amd,
    /// NVIDIA.
    Nvidia,
    /// Intel integrated graphics.
    Intel,
}

/// Secrets every host reads: secrets/common.yaml.
#[derive(Secrets)]
#[secrets(scope = common)]
pub struct Shared {
    /// Hashed login password of the operators.
    #[secret(needed_for_users)]
    pub user_password: Secret,
    /// Token of the internal package cache.
    #[secret(mode = "0440", group = "wheel")]
    pub cache_token: Secret,
}

/// Secrets of one laptop only: secrets/<host>.yaml.
#[derive(Secrets)]
#[secrets(scope = host)]
pub struct Wifi {
    /// wpa_supplicant environment file holding the Wi-Fi password.
    #[secret(mode = "0400", restart_units = ["wpa_supplicant.service"])]
    pub wifi_password: Secret,
}

/// Secrets of the hosts that use the build machines: secrets/build-clients.yaml.
#[derive(Secrets)]
#[secrets(scope = group("build-clients"))]
pub struct BuildClients {
    /// Private ssh key for logging in to the build machines as `nixbuild`.
    #[secret(mode = "0400")]
    pub builder_ssh_key: Secret,
}

/// Secrets of the monitored servers: secrets/monitoring.yaml.
#[derive(Secrets)]
#[secrets(scope = group("monitoring"))]
pub struct MonitoringSecrets {
    /// Basic-auth password the exporters require.
    #[secret(owner = "prometheus", mode = "0400")]
    pub exporter_password: Secret,
}

/// GNOME desktop (hand-written module `desktop/gnome`).
#[derive(NixOptions)]
#[options(path = "modules.desktop.gnome")]
pub struct Gnome {
    /// Whether to run GNOME.
    #[spec(default = false)]
    pub enable: bool,
    /// Run the session on Wayland instead of X11.
    #[spec(default = true)]
    pub wayland: bool,
}

/// Metrics exporters (hand-written module `services/monitoring`).
#[derive(NixOptions)]
#[options(path = "modules.services.monitoring")]
pub struct Monitoring {
    /// Whether to run the exporters.
    #[spec(default = false)]
    pub enable: bool,
    /// Port of the node exporter.
    #[spec(port, default = 9100)]
    pub port: u16,
    /// Exporters besides the node exporter.
    #[spec(default)]
    pub exporters: Vec<String>,
    /// Days of metrics kept locally.
    #[spec(default = 14)]
    pub retention_days: u32,
}

/// The media server (hand-written module `services/media`).
#[derive(NixOptions)]
#[options(path = "modules.services.media")]
pub struct Media {
    /// Whether to run the media server.
    #[spec(default = false)]
    pub enable: bool,
    /// Where the library and its metadata live.
    pub data_dir: PathBuf,
}

/// The RFC 1123 name of host `i`: `host-00042`.
pub fn host_name(i: usize) -> String {
    format!("host-{i:05}")
}

/// A valid age X25519 public key (`age1…`), derived deterministically from `seed`.
pub fn age_key(seed: u64) -> String {
    let mut state = seed ^ 0x6167_655f_6b65_7973;
    let mut bytes = [0u8; 32];
    for chunk in bytes.chunks_mut(8) {
        chunk.copy_from_slice(&splitmix64(&mut state).to_le_bytes());
    }
    let hrp = bech32::Hrp::parse("age").expect("`age` is a valid human-readable part");
    bech32::encode::<bech32::Bech32>(hrp, &bytes).expect("32 bytes always encode")
}

fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Scaffold text of the synthetic fleet's hand-written modules.
const SCAFFOLD: &str = "{...}: {}\n";

/// The profiles of the fleet, built once and shared by every host.
struct Profiles {
    sites: [Profile<Any>; 3],
    desktop: Profile<Nixos>,
    laptop: Profile<Nixos>,
    server: Profile<Nixos>,
    media: Profile<Nixos>,
    builder: Profile<Nixos>,
    mac: Profile<Darwin>,
}

fn profiles() -> Profiles {
    let ops = User::new("ops")
        .description("Operators")
        .groups(["wheel", "networkmanager"])
        .shell(Shell::Zsh)
        .password_secret(Shared::user_password())
        .ssh_key("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMu7mC7rd1hm8sq7cW4oLb6QWj7w3uD0Lf3hH0pWq9vZ ops@fleet");
    let deploy = User::new("deploy")
        .description("Automated deployments")
        .groups(["wheel"])
        .ssh_key("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHb5Pz4B2bLbf8v0W3Q1m2mJ2n7xgS8mS1q8b1y0c9Xk deploy@ci");
    let nixbuild = User::new("nixbuild")
        .description("Remote builds from the other hosts")
        .ssh_key("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHb5Pz4B2bLbf8v0W3Q1m2mJ2n7xgS8mS1q8b1y0c9Xk nixbuild");

    let gnome = Module::new("desktop/gnome").scaffold(SCAFFOLD);
    let monitoring = Module::new("services/monitoring").scaffold(SCAFFOLD);
    let media = Module::new("services/media").scaffold(SCAFFOLD);

    let common = Profile::any("common")
        .description("Every machine: the operators, flakes, the binary cache.")
        .user(&ops)
        .secrets::<Shared>()
        .default("nix.settings.experimental-features", ["nix-command", "flakes"])
        .default("nix.settings.substituters", ["https://cache.nixos.org", "https://cache.fleet.internal"])
        .default("nix.gc.automatic", true);
    let site = |name: &str, zone: &str| {
        Profile::any(name)
            .description(format!("Machines at site {name}."))
            .import(&common)
            .default("time.timeZone", zone)
    };
    let sites = [site("site-eu", "Europe/Berlin"), site("site-us", "America/New_York"), site("site-ap", "Asia/Tokyo")];

    let linux = Profile::nixos("linux")
        .description("Every NixOS machine: ssh, the firewall, the build machines' key.")
        .import(&common)
        .secrets::<BuildClients>()
        .default("services.openssh.enable", true)
        .default("networking.firewall.enable", true)
        .default("boot.tmp.cleanOnBoot", true);
    let graphical = |name: &str, wayland: bool| {
        Profile::nixos(name)
            .description(format!("{name}: GNOME, PipeWire."))
            .import(&linux)
            .module(&gnome)
            .options(Gnome { enable: true, wayland })
            .default("services.pipewire.enable", true)
    };
    let desktop = graphical("desktop", true).default("virtualisation.podman.enable", true);
    let laptop = graphical("laptop", false)
        .default(r#"boot.kernel.sysctl."vm.laptop_mode""#, 5)
        .default("powerManagement.powertop.enable", true);
    let server = Profile::nixos("server")
        .description("Headless server: metrics exporters, deployments, no graphics.")
        .import(&linux)
        .user(&deploy)
        .module(&monitoring)
        .secrets::<MonitoringSecrets>()
        .options(Monitoring { enable: true, port: 9100, exporters: vec!["systemd".into()], retention_days: 14 })
        .default("hardware.graphics.enable", false)
        .default("services.fail2ban.enable", true);
    let media_profile = Profile::nixos("media")
        .description("Media server on top of a server.")
        .import(&server)
        .module(&media)
        .options(Media { enable: true, data_dir: "/srv/media".into() });
    let builder = Profile::nixos("builder")
        .description("Build machine: builds for the others as `nixbuild`.")
        .import(&server)
        .user(&nixbuild)
        .default("nix.settings.max-jobs", 16);
    let mac = Profile::darwin("mac")
        .description("Macs with nix-darwin: Touch ID for sudo, a tidy Dock.")
        .import(&common)
        .default("security.pam.services.sudo_local.touchIdAuth", true)
        .default("system.defaults.dock.autohide", true);
    Profiles { sites, desktop, laptop, server, media: media_profile, builder, mac }
}

/// A synthetic fleet of `hosts` hosts (see the module documentation for its mix).
pub fn fleet(hosts: usize) -> Fleet<Spec> {
    let p = profiles();
    let mut fleet = Fleet::new("synthetic").admin("alice", age_key(u64::MAX)).admin("bob", age_key(u64::MAX - 1));
    for i in 0..hosts {
        fleet = add_host(fleet, &p, i);
    }
    fleet
}

fn spec(i: usize, role: Role, headless: bool, gpu: Option<Gpu>) -> Spec {
    let mut labels = BTreeMap::new();
    if i.is_multiple_of(4) {
        labels.insert("rack".to_owned(), format!("r{}", i / 40 % 16));
    }
    Spec {
        primary_user: "ops".into(),
        role,
        headless,
        gpu,
        ssh_port: if i.is_multiple_of(9) { 2222 } else { 22 },
        cores: [4, 8, 16, 32][i % 4],
        backup_paths: if i.is_multiple_of(3) { vec!["/home".into(), "/var/lib".into()] } else { Vec::new() },
        labels,
    }
}

fn add_host(fleet: Fleet<Spec>, p: &Profiles, i: usize) -> Fleet<Spec> {
    let name = host_name(i);
    let site = &p.sites[i % 3];
    let key = age_key(i as u64);
    let address = format!("{name}.fleet.internal");
    let channel = if i % 5 == 4 { Channel::Unstable } else { Channel::Stable };
    match i % 10 {
        // Macs: aarch64 and x86_64.
        8 | 9 => {
            let system = if i % 10 == 8 { System::Aarch64Darwin } else { System::X86_64Darwin };
            let mut host = Host::darwin(&name, system).channel(channel).profile(site).profile(&p.mac).age_key(key);
            host = host.spec(spec(i, Role::Laptop, false, None));
            if i % 20 == 9 {
                host = host.state_version(5).set("homebrew.enable", true);
            }
            fleet.host(host)
        }
        // aarch64 NixOS: small servers; host 6 also builds aarch64-linux for the others.
        6 | 7 => {
            let builder = i == 6;
            let profile = if builder { &p.builder } else { &p.server };
            let mut host = Host::nixos(&name, System::Aarch64Linux)
                .channel(channel)
                .profile(site)
                .profile(profile)
                .age_key(key)
                .module(Module::new("hardware/rpi").scaffold(SCAFFOLD))
                .deploy(Deploy::ssh(address).user("root").tag("arm").build_on_target())
                .set("boot.loader.generic-extlinux-compatible.enable", true)
                .spec(spec(i, if builder { Role::Builder } else { Role::Server }, true, None));
            if builder {
                host = host.build_machine(
                    BuildMachine::new(format!("{name}.fleet.internal"), [System::Aarch64Linux])
                        .max_jobs(4)
                        .ssh_user("nixbuild")
                        .ssh_key_secret(BuildClients::builder_ssh_key()),
                );
            }
            fleet.host(host)
        }
        // x86_64 NixOS: builders, servers, media servers, workstations, laptops.
        k => {
            let host = Host::nixos(&name, System::X86_64Linux).channel(channel).profile(site).age_key(key);
            let host = match (i, k) {
                (0, _) => host
                    .profile(&p.builder)
                    .deploy(Deploy::ssh(address).user("root").tag("builders"))
                    .build_machine(
                        BuildMachine::new(
                            format!("{name}.fleet.internal"),
                            [System::X86_64Linux, System::Aarch64Linux],
                        )
                        .max_jobs(16)
                        .speed_factor(4)
                        .features(["big-parallel", "kvm", "nixos-test"])
                        .ssh_user("nixbuild")
                        .ssh_key_secret(BuildClients::builder_ssh_key()),
                    )
                    .set("boot.binfmt.emulatedSystems", ["aarch64-linux"])
                    .spec(spec(i, Role::Builder, true, None)),
                (_, 0..=2) => {
                    let profile = if i % 30 == 1 { &p.media } else { &p.server };
                    let mut deploy = Deploy::ssh(address).user("root");
                    if i.is_multiple_of(9) {
                        deploy = deploy.port(2222);
                    }
                    if i % 20 == 2 {
                        deploy = deploy.tag("canary");
                    }
                    let mut host = host.profile(profile).deploy(deploy).spec(spec(i, Role::Server, true, None));
                    if i.is_multiple_of(7) {
                        host = host.options(Monitoring {
                            enable: true,
                            port: 9100,
                            exporters: vec!["systemd".into(), "smartctl".into()],
                            retention_days: 30,
                        });
                    }
                    host
                }
                (_, 3 | 4) => {
                    let gpu = if i.is_multiple_of(2) { Gpu::Amd } else { Gpu::Nvidia };
                    let deploy = if i % 10 == 3 { Deploy::local() } else { Deploy::ssh(address).allow_local() };
                    host.profile(&p.desktop).deploy(deploy).spec(spec(i, Role::Workstation, false, Some(gpu)))
                }
                _ => host.profile(&p.laptop).secrets::<Wifi>().deploy(Deploy::ssh(address).allow_local()).spec(spec(
                    i,
                    Role::Laptop,
                    false,
                    Some(Gpu::Intel),
                )),
            };
            let host = if i % 13 == 5 { host.state_version("24.11") } else { host };
            let host = if i.is_multiple_of(11) { host.set("boot.kernelParams", ["mitigations=auto"]) } else { host };
            fleet.host(host)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn age_keys_are_valid_and_distinct() {
        let (a, b) = (age_key(0), age_key(1));
        assert_eq!(fleet_dsl::rules::age::check_age_key(&a), Ok(()));
        assert_ne!(a, b);
        assert_eq!(a, age_key(0));
    }
}
