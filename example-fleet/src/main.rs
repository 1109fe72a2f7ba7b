//! The example fleet, drawn from the seeds: seed 000's desktop, laptop and server sharing one
//! user, seed 003's MacBook, and a Raspberry Pi server. Edit it and run `cargo run -- generate`.

use fleet_dsl::prelude::*;
use std::path::PathBuf;
use std::process::ExitCode;

/// Facts every host declares; modules read them as `config.hostSpec.*`.
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
    /// Directories backed up every night.
    #[spec(default)]
    pub backup_paths: Vec<String>,
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

/// Secrets every host may read: secrets/common.yaml.
#[derive(Secrets)]
#[secrets(scope = common)]
pub struct Shared {
    /// Hashed login password of the main user (`mkpasswd -m yescrypt`).
    #[secret(needed_for_users)]
    pub user_password: Secret,
}

/// Secrets of one host only: secrets/<host>.yaml.
#[derive(Secrets)]
#[secrets(scope = host)]
pub struct Wifi {
    /// wpa_supplicant environment file holding the Wi-Fi password (seed 000, phase 5).
    #[secret(mode = "0400", restart_units = ["wpa_supplicant.service"])]
    pub wifi_password: Secret,
}

/// Secrets of the hosts that build on the desktop: secrets/build-clients.yaml.
#[derive(Secrets)]
#[secrets(scope = group("build-clients"))]
pub struct BuildClients {
    /// Private ssh key for logging in to the build machine as `nixbuild`.
    #[secret(mode = "0400")]
    pub builder_ssh_key: Secret,
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

/// The media server (hand-written module `services/media`).
#[derive(NixOptions)]
#[options(path = "modules.services.media")]
pub struct Media {
    /// Whether to run the media server.
    #[spec(default = false)]
    pub enable: bool,
    /// Where the library and its metadata live.
    pub data_dir: PathBuf,
    /// Open the server's ports in the firewall.
    #[spec(default = false)]
    pub open_firewall: bool,
}

/// The fleet.
pub fn fleet() -> Fleet<Spec> {
    let notroot = User::new("notroot")
        .description("Main user")
        .groups(["wheel", "networkmanager", "video", "audio"])
        .shell(Shell::Zsh)
        .password_secret(Shared::user_password())
        .home(
            Home::new()
                .module(Module::new("editor").scaffold(include_str!("../home/modules/editor.nix")))
                .program(Git {
                    user_name: "Not Root".into(),
                    user_email: "notroot@example.org".into(),
                    default_branch: Some("main".into()),
                    ..Git::default()
                })
                .program(Zsh { aliases: [("ll".to_owned(), "ls -l".to_owned())].into(), ..Zsh::default() })
                .set("programs.direnv.enable", true),
        )
        .ssh_key("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMu7mC7rd1hm8sq7cW4oLb6QWj7w3uD0Lf3hH0pWq9vZ notroot@desktop");

    let nixbuild = User::new("nixbuild")
        .description("Remote builds from the other hosts")
        .ssh_key("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHb5Pz4B2bLbf8v0W3Q1m2mJ2n7xgS8mS1q8b1y0c9Xk nixbuild");

    let gnome = Module::new("desktop/gnome").scaffold(include_str!("../modules/desktop/gnome.nix"));
    let media = Module::new("services/media").scaffold(include_str!("../modules/services/media.nix"));

    let common = Profile::any("common")
        .description("Every machine: the main user, flakes, the time zone.")
        .user(&notroot)
        .secrets::<Shared>()
        .add("nix.settings.experimental-features", ["nix-command", "flakes"])
        .default("time.timeZone", "Europe/Berlin");

    let linux = Profile::nixos("linux")
        .description("Every NixOS machine: ssh and NetworkManager.")
        .import(&common)
        .secrets::<BuildClients>()
        .default("services.openssh.enable", true)
        .default("networking.networkmanager.enable", true);

    let desktop = Profile::nixos("desktop")
        .description("Desktop workstation: GNOME on Wayland, Waydroid, PipeWire.")
        .import(&linux)
        .user(&nixbuild)
        .module(&gnome)
        .options(Gnome { enable: true, wayland: true })
        .default("virtualisation.waydroid.enable", true)
        .default("services.pipewire.enable", true);

    let laptop = Profile::nixos("laptop")
        .description("Laptop: GNOME on X11 for its Intel/NVIDIA graphics, power savings.")
        .import(&linux)
        .module(&gnome)
        .options(Gnome { enable: true, wayland: false })
        .default(r#"boot.kernel.sysctl."vm.laptop_mode""#, 5)
        .default("zramSwap.enable", true)
        .default("powerManagement.powertop.enable", true);

    let server = Profile::nixos("server")
        .description("Headless server for services: the media server, no graphics.")
        .import(&linux)
        .module(&media)
        .options(Media { enable: true, data_dir: "/srv/media".into(), open_firewall: true })
        .default("hardware.graphics.enable", false);

    let mac = Profile::darwin("mac")
        .description("Macs with nix-darwin: Touch ID for sudo, a tidy Dock.")
        .import(&common)
        .default("security.pam.services.sudo_local.touchIdAuth", true)
        .default("system.defaults.dock.autohide", true);

    // An extra flake input: emitted in flake.nix because the laptop imports one of its modules.
    let hardware = fleet_input("nixos-hardware", "github:NixOS/nixos-hardware");

    let spec =
        |role, headless, gpu| Spec { primary_user: "notroot".into(), role, headless, gpu, backup_paths: Vec::new() };

    Fleet::new("homelab")
        .inventory(concat!(env!("CARGO_MANIFEST_DIR"), "/fleet.toml"))
        .admin("alice", age_key!("age190vqdjtlpcq27xslcveglfmr4ynfwg7gmw86cnun4acakxrdd6gq9e9dqx"))
        .host(
            Host::nixos("desktop", System::X86_64Linux)
                .channel(Channel::Unstable)
                .profile(&desktop)
                .age_key(age_key!("age1dp5n6q4tf7ajxvdcesuez5ezuj8xrurdf5dnre73nyfjq2zhhj9qm3cxy5"))
                .deploy(Deploy::local())
                .build_machine(
                    BuildMachine::new("desktop.lan", [System::X86_64Linux, System::Aarch64Linux])
                        .max_jobs(8)
                        .speed_factor(2)
                        .features(["big-parallel", "kvm"])
                        .ssh_user("nixbuild")
                        .ssh_key_secret(BuildClients::builder_ssh_key()),
                )
                .set("boot.binfmt.emulatedSystems", ["aarch64-linux"])
                .spec(Spec {
                    backup_paths: vec!["/home/notroot".into()],
                    ..spec(Role::Workstation, false, Some(Gpu::Amd))
                }),
        )
        .host(
            Host::nixos("laptop", System::X86_64Linux)
                .profile(&laptop)
                .secrets::<Wifi>()
                .import_input(hardware.nixos_module("common-cpu-intel"))
                // A stable host with one package from nixpkgs-unstable (`pkgs.unstable.zed-editor`).
                .add("environment.systemPackages", [pkg_unstable("zed-editor")])
                .disko(Disko::luks_btrfs("/dev/disk/by-id/nvme-laptop-ssd").subvolume("/swap", "/swap"))
                .age_key(age_key!("age1tmkqm3qe42pn00mjtupxlk5u0rquk8ry9m40l8twzyf0xaura9pqaanndc"))
                .deploy(Deploy::ssh("laptop.lan").allow_local())
                .spec(spec(Role::Laptop, false, Some(Gpu::Intel)))
                .state_version("25.05"),
        )
        .host(
            Host::nixos("server", System::X86_64Linux)
                .profile(&server)
                .age_key(age_key!("age1k04v6v6r8vcm2ffr2ypjexe70gh84fmn34w7ehcd6mrzdqy98srqwn0qm2"))
                .deploy(Deploy::ssh("server.lan").user("root").tag("media"))
                .disko(Disko::zfs("/dev/disk/by-id/ata-server-disk", "8425e349"))
                .auto_upgrade(AutoUpgrade::new("github:notroot/homelab").at("Sun 04:40").allow_reboot("03:00", "05:00"))
                .spec(Spec {
                    backup_paths: vec!["/srv/media".into(), "/var/lib".into()],
                    ..spec(Role::Server, true, None)
                }),
        )
        .host(
            Host::nixos("pi", System::Aarch64Linux)
                .profile(&server)
                .age_key(age_key!("age1sk6zu9czsa7g284hgyh7jkxgldz8cvs8k3ucltdtgt4g2wgydnssehwz00"))
                .deploy(Deploy::ssh("pi.lan").user("root").port(2222).tag("media").build_on_target())
                .auto_upgrade(AutoUpgrade::new("github:notroot/homelab").at("05:15"))
                .spec(spec(Role::Server, true, None))
                .options(Media { enable: false, data_dir: "/srv/media".into(), open_firewall: false })
                .set("boot.loader.generic-extlinux-compatible.enable", true),
        )
        .host(
            Host::darwin("macbook", System::Aarch64Darwin)
                .profile(&mac)
                // Remote Login (sshd) is off on this Mac: it decrypts with its own age key file.
                .age_key(age_key!("age1y668yz2p8ethdw9r9w003xa5wvf2wkr4har46wd83edwfhxqjhesvw4neq"))
                .age_key_file("/var/lib/sops-nix/key.txt")
                .auto_upgrade(AutoUpgrade::new("github:notroot/homelab").at("12:30"))
                .spec(spec(Role::Laptop, false, None)),
        )
}

fn main() -> ExitCode {
    fleet_gen::cli::main(fleet())
}
