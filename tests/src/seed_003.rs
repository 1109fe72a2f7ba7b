//! Seed 003 as its author would write it with this DSL: `slax` (desktop workstation, KDE),
//! `brix` (mini PC for gaming and media), `snix` (AMD laptop: LUKS + btrfs with `@`
//! subvolumes unlocked by the TPM, `/persist` needed at boot, a travel router) and
//! `nixtv-player` (a media appliance). Hosts declare feature flags (`development`,
//! `multimedia`, `security`, `gaming`) that the fleet maps to profiles; secrets come from sops
//! (`user/hashedPassword` as sops-nix nests it); one user with a home-manager home, also used
//! standalone on a work machine; stable hosts take single packages from unstable; the flake
//! exports its own modules and a Rust dev shell.

use fleet_dsl::prelude::*;
use fleet_dsl::FleetData;

/// What kind of machine a host is (the seed's `hostType`).
#[derive(NixEnum, Clone, Copy)]
pub enum HostType {
    /// A desktop workstation.
    Desktop,
    /// A laptop.
    Laptop,
    /// A small form factor PC.
    MiniPc,
    /// A single-purpose appliance.
    Appliance,
}

/// Facts every host declares (`lib/constants.nix` in the seed).
#[derive(HostSpec)]
pub struct Spec {
    /// What kind of machine this is.
    pub host_type: HostType,
    /// The machine's owner, who logs in.
    pub primary_user: String,
}

/// The seed's `hostFeatures`.
#[derive(NixEnum, Clone, Copy)]
pub enum Feature {
    /// Compilers, containers and VMs.
    Development,
    /// Media playback and the media stack.
    Multimedia,
    /// Hardening and the TPM.
    Security,
    /// Steam and game mode.
    Gaming,
}

/// Secrets every host reads: `secrets/common.yaml`.
#[derive(Secrets)]
#[secrets(scope = common)]
pub struct UserSecrets {
    /// The user's hashed password, nested as sops-nix reads it (`user: {hashedPassword: …}`).
    #[secret(key = "user/hashedPassword", needed_for_users)]
    pub user_password: Secret,
}

/// The laptop's own secrets: `secrets/snix.yaml`.
#[derive(Secrets)]
#[secrets(scope = host)]
pub struct TravelSecrets {
    /// The access point's passphrase, as an environment file for hostapd.
    #[secret(mode = "0400", restart_units = ["hostapd.service"])]
    pub ap_env: Secret,
}

/// The travel router module's options (`modules/travel-router.nix` is hand-written).
#[derive(NixOptions)]
#[options(path = "travelRouter")]
pub struct TravelRouter {
    /// Turn the laptop into a Wi-Fi access point with a VPN uplink.
    #[spec(default = false)]
    pub enable: bool,
    /// The interface the access point runs on.
    pub ap_interface: String,
    /// Serve the management web interface.
    #[spec(default = false)]
    pub web_ui: bool,
}

/// The escape hatches of [`seed_003_fleet`], each with why no typed API covers it.
pub const SEED_003_ESCAPE_HATCHES: &[(&str, &str)] = &[(
    "fleet: devShell rust",
    "a dev shell is a derivation built by pkgs.mkShell; the DSL has no typed shell builder",
)];

const BASE: &str = r#"# Hand-written: what every machine of the seed shares (hosts/common/base.nix).
{
  nix.settings.experimental-features = ["nix-command" "flakes"];
  networking.networkmanager.enable = true;
  time.timeZone = "Europe/Berlin";
}
"#;

const KDE: &str = r#"# Hand-written: Plasma with SDDM (hosts/common/sddm.nix).
{
  services = {
    displayManager.sddm = {
      enable = true;
      wayland.enable = true;
    };
    desktopManager.plasma6.enable = true;
  };
}
"#;

const TPM: &str = r#"# Hand-written: the TPM for LUKS unlocking and keys (hosts/common/tpm.nix).
{
  security.tpm2 = {
    enable = true;
    pkcs11.enable = true;
  };
}
"#;

const GAMING: &str = r#"# Hand-written: Steam and game mode (profiles/features/gaming.nix).
{
  programs = {
    steam.enable = true;
    gamemode.enable = true;
  };
}
"#;

const VIRTUALISATION: &str = r#"# Hand-written: containers and VMs (modules/virtualization.nix).
{
  virtualisation = {
    podman.enable = true;
    libvirtd.enable = true;
  };
}
"#;

const MEDIA: &str = r#"# Hand-written: the media player (profiles/features/multimedia.nix).
{
  services.pipewire = {
    enable = true;
    pulse.enable = true;
  };
}
"#;

const HARDENING: &str = r#"# Hand-written: security hardening (hosts/common/security.nix).
{
  security = {
    sudo.execWheelOnly = true;
    apparmor.enable = true;
  };
}
"#;

const TRAVEL_ROUTER: &str = r#"# Hand-written: the travel router; its options are declared by fleet-gen from `TravelRouter`.
{
  config,
  lib,
  ...
}: let
  cfg = config.travelRouter;
in {
  config = lib.mkIf cfg.enable {
    services.hostapd.enable = true;
    systemd.services.hostapd.serviceConfig.EnvironmentFile = config.sops.secrets.ap-env.path;
    environment.etc."travel-router/interface".text = cfg.apInterface;
    networking.firewall.allowedTCPPorts = lib.mkIf cfg.webUi [80];
  };
}
"#;

/// See the module documentation.
pub fn seed_003_fleet() -> FleetData {
    let me = User::new("me")
        .description("Owner")
        .groups(["wheel", "networkmanager"])
        .shell(Shell::Zsh)
        .password_secret(UserSecrets::user_password())
        .home(
            Home::new()
                .program(Git {
                    user_name: "Me".into(),
                    user_email: "me@example.org".into(),
                    default_branch: Some("main".into()),
                    ..Git::default()
                })
                .program(Zsh { init: Some("bindkey -e\nsetopt autocd\n".into()), ..Zsh::default() })
                .program(Starship::default())
                .program(Direnv::default())
                .packages([pkg("ripgrep"), pkg("fd"), pkg("jq")]),
        );
    let hardware = fleet_input("nixos-hardware", "github:NixOS/nixos-hardware");
    let microvm = fleet_input("microvm", "github:microvm-nix/microvm.nix").follows_nixpkgs();

    let base = Profile::nixos("base")
        .description("Every machine: the owner, the common secrets, the shared base.")
        .user(&me)
        .secrets::<UserSecrets>()
        .module(Module::new("common/base").scaffold(BASE))
        .packages([pkg("git"), pkg("vim"), pkg("htop")]);
    let kde = Profile::nixos("kde")
        .description("Plasma 6 with SDDM.")
        .import(&base)
        .module(Module::new("desktop/kde").scaffold(KDE));
    let development = Profile::nixos("development")
        .description("Compilers, containers and VMs.")
        .module(Module::new("virtualization").scaffold(VIRTUALISATION))
        .import_input(microvm.nixos_module("host"))
        .user_groups(&me, ["podman", "libvirtd"])
        .packages([pkg("gcc"), pkg("gnumake")])
        .packages([pkg_unstable("zed-editor")]);
    let multimedia = Profile::nixos("multimedia")
        .description("Playback and the media stack.")
        .module(Module::new("features/multimedia").scaffold(MEDIA))
        .user_groups(&me, ["audio", "video"])
        .packages([pkg("mpv")]);
    let security = Profile::nixos("security")
        .description("Hardening and the TPM.")
        .module(Module::new("common/security").scaffold(HARDENING))
        .module(Module::new("common/tpm").scaffold(TPM));
    let gaming = Profile::nixos("gaming")
        .description("Steam and game mode.")
        .module(Module::new("features/gaming").scaffold(GAMING))
        .user_groups(&me, ["gamemode"]);
    let travel = Module::new("travel-router").scaffold(TRAVEL_ROUTER);

    let spec = |host_type| Spec { host_type, primary_user: "me".into() };
    Fleet::new("seed-003")
        .admin("me", age_key!("age190vqdjtlpcq27xslcveglfmr4ynfwg7gmw86cnun4acakxrdd6gq9e9dqx"))
        .feature(Feature::Development, &development)
        .feature(Feature::Multimedia, &multimedia)
        .feature(Feature::Security, &security)
        .feature(Feature::Gaming, &gaming)
        .host(
            Host::nixos("slax", System::X86_64Linux)
                .profile(&kde)
                .features([Feature::Development, Feature::Multimedia, Feature::Gaming])
                .age_key(age_key!("age1dp5n6q4tf7ajxvdcesuez5ezuj8xrurdf5dnre73nyfjq2zhhj9qm3cxy5"))
                .spec(spec(HostType::Desktop)),
        )
        .host(
            Host::nixos("brix", System::X86_64Linux)
                .profile(&kde)
                .features([Feature::Gaming, Feature::Multimedia])
                .age_key(age_key!("age1k04v6v6r8vcm2ffr2ypjexe70gh84fmn34w7ehcd6mrzdqy98srqwn0qm2"))
                .deploy(Deploy::ssh("brix.lan"))
                .spec(spec(HostType::MiniPc)),
        )
        .host(
            Host::nixos("snix", System::X86_64Linux)
                .profile(&kde)
                .features([Feature::Development, Feature::Multimedia, Feature::Security])
                .import_input(hardware.nixos_module("common-cpu-amd"))
                .disko(
                    Disko::luks_btrfs("/dev/nvme0n1")
                        .subvolumes([
                            Subvolume::new("@", "/"),
                            Subvolume::new("@home", "/home"),
                            Subvolume::new("@nix", "/nix").mount_options(["compress=zstd", "noatime"]),
                            Subvolume::new("@persist", "/persist"),
                            Subvolume::new("@swap", "/.swapvol").mount_options(["noatime"]).swapfile("16G"),
                        ])
                        .tpm2()
                        .needed_for_boot("/persist"),
                )
                .module(&travel)
                .secrets::<TravelSecrets>()
                .options(TravelRouter { enable: true, ap_interface: "wlan0".into(), web_ui: true })
                .home(&me, Home::new().packages([pkg("powertop")]).session_variable("SNIX", "1"))
                .age_key(age_key!("age1tmkqm3qe42pn00mjtupxlk5u0rquk8ry9m40l8twzyf0xaura9pqaanndc"))
                .spec(spec(HostType::Laptop)),
        )
        .host(
            Host::nixos("nixtv-player", System::X86_64Linux)
                .profile(&base)
                .features([Feature::Multimedia])
                .packages([pkg("kodi")])
                .age_key(age_key!("age1sk6zu9czsa7g284hgyh7jkxgldz8cvs8k3ucltdtgt4g2wgydnssehwz00"))
                .deploy(Deploy::ssh("nixtv-player.lan"))
                .auto_upgrade(AutoUpgrade::new("github:me/nixos-config").at("04:00"))
                .spec(spec(HostType::Appliance)),
        )
        .standalone_home(
            StandaloneHome::new(&me, "work", System::X86_64Linux)
                .home(Home::new().packages([pkg("kubectl")]).session_variable("WORK", "1")),
        )
        .export_module("travel-router", &travel)
        .dev_shell("rust", raw_nix("pkgs.mkShell {packages = [pkgs.cargo pkgs.rustc pkgs.rust-analyzer];}"))
        .into_data()
}
