//! Seed 004's fleet, as its author would write it with the DSL: a unified homelab flake with
//! role-based inheritance. Roles (`desktop`, `server`, `pi`, `darwin`, `tablet`) are profiles
//! whose hand-written role modules (kept as Nix, `modules/roles/*.nix`) read typed options the
//! role sets as defaults; a host is minimal — its role, its primary user and its quirks — with
//! `hostSpec.role` and `hostSpec.primaryUser` for the modules. `malphas` is the reference
//! desktop and overrides one role default (host beats role), the Pi `stolas` (aarch64-linux)
//! one of the server role's, the Mac `vassago` one of the darwin role's. sops-nix secrets are
//! shared (`secrets/common.yaml`) and per host (`secrets/<host>.yaml`, the servers' Tailscale
//! keys), with age keys. Every machine rebuilds daily from the published flake (the fleet's
//! auto-upgrade), and new machines join through the inventory file
//! `tests/fixtures/seed_004.toml` (server `bael`, second Pi `orobas`) without any Rust.

use fleet_dsl::prelude::*;
use fleet_dsl::FleetData;

/// The facts every host declares: `hostSpec.role` and `hostSpec.primaryUser`.
#[derive(HostSpec)]
pub struct Seed004Spec {
    /// What kind of machine this is; it matches the role profile the host takes.
    pub role: Role,
    /// Login name of the machine's main user.
    pub primary_user: String,
}

/// The roles of seed 004's `/roles/` directory.
#[derive(NixEnum)]
pub enum Role {
    /// A desktop workstation (gaming, a graphical session).
    Desktop,
    /// A headless server.
    Server,
    /// A Raspberry Pi: a small server on aarch64-linux.
    Pi,
    /// A Mac with nix-darwin.
    Darwin,
    /// A touch-screen tablet.
    Tablet,
}

/// The graphical session of a desktop or tablet.
#[derive(NixEnum)]
pub enum Session {
    /// KDE Plasma 6 with SDDM.
    Plasma,
    /// GNOME with GDM.
    Gnome,
    /// Hyprland.
    Hyprland,
}

/// Settings of every machine (hand-written module `base`, NixOS and nix-darwin).
#[derive(NixOptions)]
#[options(path = "modules.base")]
pub struct Base {
    /// The machine's time zone.
    pub time_zone: String,
}

/// The desktop role's settings (hand-written module `roles/desktop`); the tablet role shares it.
#[derive(NixOptions)]
#[options(path = "modules.roles.desktop")]
pub struct Desktop {
    /// Whether the machine runs a graphical session.
    pub enable: bool,
    /// Which session.
    pub session: Session,
    /// Steam and gamemode (gaming belongs to the desktop role).
    pub gaming: bool,
}

/// The server role's settings (hand-written module `roles/server`); the Pi role builds on it.
#[derive(NixOptions)]
#[options(path = "modules.roles.server")]
pub struct Server {
    /// Whether the machine is a headless server.
    pub enable: bool,
    /// Port sshd listens on.
    #[spec(port)]
    pub ssh_port: u16,
    /// Join the tailnet with the host's own auth key.
    pub tailscale: bool,
}

/// The darwin role's settings (hand-written module `roles/darwin`, nix-darwin options only).
#[derive(NixOptions)]
#[options(path = "modules.roles.darwin")]
pub struct Mac {
    /// Touch ID for sudo.
    pub touch_id_sudo: bool,
    /// Hide the Dock automatically.
    pub dock_autohide: bool,
}

/// Secrets every machine reads: `secrets/common.yaml`.
#[derive(Secrets)]
#[secrets(scope = common)]
pub struct Shared {
    /// Rain's hashed login password (`mkpasswd -m yescrypt`), under `rain: {hashedPassword: …}`.
    #[secret(needed_for_users, key = "rain/hashedPassword")]
    pub rain_password: Secret,
    /// `access-tokens = github.com=…` for the private flake the daily upgrade pulls.
    #[secret(mode = "0400")]
    pub nix_access_tokens: Secret,
}

/// Secrets of one server or Pi: `secrets/<host>.yaml`.
#[derive(Secrets)]
#[secrets(scope = host)]
pub struct ServerKeys {
    /// The host's own Tailscale auth key.
    #[secret(mode = "0400", restart_units = ["tailscaled.service"])]
    pub tailscale_auth_key: Secret,
}

/// The flake every machine upgrades from daily.
pub const SEED_004_FLAKE: &str = "github:rain/nix";

/// The inventory file of machines added without Rust.
pub const SEED_004_INVENTORY: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/seed_004.toml");

/// Each escape hatch of [`seed_004_fleet`] (as [`crate::escape_hatches`] lists it), with the
/// reason no typed API covers it.
pub const SEED_004_ESCAPE_HATCHES: &[(&str, &str)] = &[
    (
        "host malphas: .set(boot.binfmt.emulatedSystems)",
        "malphas builds the Pis' aarch64-linux systems under QEMU emulation; `BuildMachine` \
         describes remote builders, and no typed API declares binfmt emulation",
    ),
    (
        "host malphas: .set(networking.interfaces.enp5s0.wakeOnLan.enable)",
        "Wake-on-LAN for the wake → pull → rebuild → sleep updates is a setting of one network \
         card, named by the hardware (`enp5s0`): a host quirk no typed API models",
    ),
];

/// Seed 004's fleet (see the module documentation): NixOS hosts `malphas` (desktop), `seere`
/// (tablet) and `stolas` (Pi), the Mac `vassago`, and the inventory's `bael` and `orobas`.
pub fn seed_004_fleet() -> FleetData {
    let rain = User::new("rain")
        .description("Rain")
        .groups(["wheel", "networkmanager"])
        .shell(Shell::Zsh)
        .password_secret(Shared::rain_password())
        .ssh_key("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFleetSeed004RainKey rain@malphas")
        .home(Home::new().program(Git {
            user_name: "Rain".into(),
            user_email: "rain@example.org".into(),
            default_branch: Some("main".into()),
            ..Git::default()
        }));

    let base = Profile::any("base")
        .description("Every machine: Rain, the shared secrets, flakes, nh and git.")
        .user(&rain)
        .secrets::<Shared>()
        .module(Module::new("base").scaffold(BASE_MODULE))
        .options(Base { time_zone: "Europe/Amsterdam".into() })
        .packages([pkg("nh"), pkg("git")]);

    let desktop = Profile::nixos("desktop")
        .description("Desktop role: Plasma on Wayland, gaming.")
        .import(&base)
        .module(Module::new("roles/desktop").scaffold(DESKTOP_MODULE))
        .options(Desktop { enable: true, session: Session::Plasma, gaming: true });
    let tablet = Profile::nixos("tablet")
        .description("Tablet role: GNOME for touch, rotation sensors, no games.")
        .import(&base)
        .module(Module::new("roles/desktop").scaffold(DESKTOP_MODULE))
        .module(Module::new("roles/tablet").scaffold(TABLET_MODULE))
        .options(Desktop { enable: true, session: Session::Gnome, gaming: false });
    let server = Profile::nixos("server")
        .description("Server role: headless, sshd, the host's Tailscale key.")
        .import(&base)
        .secrets::<ServerKeys>()
        .module(Module::new("roles/server").scaffold(SERVER_MODULE))
        .options(Server { enable: true, ssh_port: 22, tailscale: true });
    let hardware = fleet_input("nixos-hardware", "github:NixOS/nixos-hardware");
    let pi = Profile::nixos("pi")
        .description("Pi role: a server on a Raspberry Pi 4, booted by extlinux.")
        .import(&server)
        .import_input(hardware.nixos_module("raspberry-pi-4"))
        .module(Module::new("roles/pi").scaffold(PI_MODULE));
    let darwin = Profile::darwin("darwin")
        .description("Darwin role: Touch ID for sudo, a hidden Dock.")
        .import(&base)
        .module(Module::new("roles/darwin").scaffold(DARWIN_MODULE))
        .options(Mac { touch_id_sudo: true, dock_autohide: true });

    let spec = |role| Seed004Spec { role, primary_user: "rain".into() };

    Fleet::new("homelab")
        .admin("rain", age_key!("age190vqdjtlpcq27xslcveglfmr4ynfwg7gmw86cnun4acakxrdd6gq9e9dqx"))
        .auto_upgrade(AutoUpgrade::new(SEED_004_FLAKE).at("04:00"))
        .profile(&server)
        .inventory(SEED_004_INVENTORY)
        .host(
            // The reference desktop: role, user, and its quirks.
            Host::nixos("malphas", System::X86_64Linux)
                .profile(&desktop)
                .spec(spec(Role::Desktop))
                .options(DesktopPatch { session: Some(Session::Hyprland), ..Default::default() })
                .set("boot.binfmt.emulatedSystems", ["aarch64-linux"])
                .set("networking.interfaces.enp5s0.wakeOnLan.enable", true)
                .age_key(age_key!("age1dp5n6q4tf7ajxvdcesuez5ezuj8xrurdf5dnre73nyfjq2zhhj9qm3cxy5")),
        )
        .host(
            Host::nixos("seere", System::X86_64Linux)
                .profile(&tablet)
                .spec(spec(Role::Tablet))
                .age_key(age_key!("age1tmkqm3qe42pn00mjtupxlk5u0rquk8ry9m40l8twzyf0xaura9pqaanndc")),
        )
        .host(
            Host::nixos("stolas", System::Aarch64Linux)
                .profile(&pi)
                .spec(spec(Role::Pi))
                .options(ServerPatch { ssh_port: Some(2222), ..Default::default() })
                .auto_upgrade(AutoUpgrade::new(SEED_004_FLAKE).at("05:30").allow_reboot("05:30", "06:30"))
                .age_key(age_key!("age1k04v6v6r8vcm2ffr2ypjexe70gh84fmn34w7ehcd6mrzdqy98srqwn0qm2")),
        )
        .host(
            Host::darwin("vassago", System::Aarch64Darwin)
                .profile(&darwin)
                .spec(spec(Role::Darwin))
                .options(MacPatch { dock_autohide: Some(false), ..Default::default() })
                .age_key(age_key!("age1y668yz2p8ethdw9r9w003xa5wvf2wkr4har46wd83edwfhxqjhesvw4neq")),
        )
        .into_data()
}

/// `modules/base.nix`: every machine, NixOS and nix-darwin alike.
const BASE_MODULE: &str = r#"{config, ...}: {
  time.timeZone = config.modules.base.timeZone;
  nix = {
    settings.experimental-features = ["nix-command" "flakes"];
    extraOptions = "!include ${config.sops.secrets.nix-access-tokens.path}";
  };
}
"#;

/// `modules/roles/desktop.nix`: the graphical session and gaming.
const DESKTOP_MODULE: &str = r#"{
  config,
  lib,
  ...
}: let
  cfg = config.modules.roles.desktop;
in {
  config = lib.mkIf cfg.enable {
    services = {
      pipewire.enable = true;
      displayManager.sddm.enable = cfg.session == "plasma";
      desktopManager = {
        plasma6.enable = cfg.session == "plasma";
        gnome.enable = cfg.session == "gnome";
      };
    };
    programs = {
      hyprland.enable = cfg.session == "hyprland";
      steam.enable = cfg.gaming;
      gamemode.enable = cfg.gaming;
    };
  };
}
"#;

/// `modules/roles/tablet.nix`: rotation and touch.
const TABLET_MODULE: &str = "{\n  hardware.sensor.iio.enable = true;\n  services.libinput.enable = true;\n}\n";

/// `modules/roles/server.nix`: headless, sshd on the role's port, Tailscale with the host's key.
const SERVER_MODULE: &str = r#"{
  config,
  lib,
  ...
}: let
  cfg = config.modules.roles.server;
in {
  config = lib.mkIf cfg.enable {
    services = {
      openssh = {
        enable = true;
        ports = [cfg.sshPort];
        settings.PasswordAuthentication = false;
      };
      tailscale = lib.mkIf cfg.tailscale {
        enable = true;
        authKeyFile = config.sops.secrets.tailscale-auth-key.path;
      };
    };
    documentation.enable = false;
  };
}
"#;

/// `modules/roles/pi.nix`: a Raspberry Pi boots with extlinux, not GRUB.
const PI_MODULE: &str =
    "{\n  boot.loader = {\n    grub.enable = false;\n    generic-extlinux-compatible.enable = true;\n  };\n}\n";

/// `modules/roles/darwin.nix`: nix-darwin options only.
const DARWIN_MODULE: &str = r#"{config, ...}: let
  cfg = config.modules.roles.darwin;
in {
  security.pam.services.sudo_local.touchIdAuth = cfg.touchIdSudo;
  system.defaults.dock.autohide = cfg.dockAutohide;
}
"#;
