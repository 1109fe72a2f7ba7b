//! The fixture fleet of the typed extras: partial typed option sets (a host overrides one option
//! of a profile's with the derive's patch type), disks as people lay them out (seed 003's `@`
//! subvolumes, a swap file and a swap partition, LUKS unlocked by the TPM, `/persist` needed at
//! boot, a second disk), secrets as values (`config.sops.secrets.<name>.path` on NixOS and
//! nix-darwin, a nested sops key) and groups a profile gives a user defined elsewhere.

use fleet_dsl::prelude::*;
use fleet_dsl::{FleetData, NoSpec};

/// The options of the hand-written GNOME module (`modules/desktop/gnome.nix`, scaffolded).
#[derive(NixOptions)]
#[options(path = "modules.desktop.gnome")]
pub struct Gnome {
    /// Enable the GNOME desktop.
    pub enable: bool,
    /// Run the session on Wayland.
    pub wayland: bool,
    /// Apps pinned to the dock.
    pub favorite_apps: Vec<String>,
    /// Text scaling factor in percent.
    pub scale: u16,
}

/// Secrets every host reads: `secrets/common.yaml`.
#[derive(Secrets)]
#[secrets(scope = common)]
pub struct Common {
    /// Jay's hashed password, under the nested key `jay: {hashedPassword: …}`.
    #[secret(needed_for_users, key = "jay/hashedPassword")]
    pub jay_password: Secret,
    /// Token of the backup service, as an environment file.
    #[secret(key = "backup/env")]
    pub backup_env: Secret,
}

/// Secrets of one host: `secrets/<host>.yaml`.
#[derive(Secrets)]
#[secrets(scope = host)]
pub struct Wifi {
    /// The Wi-Fi passwords as `wpa_supplicant` secrets (`psk_home=…`).
    #[secret(restart_units = ["wpa_supplicant.service"])]
    pub wifi_env: Secret,
}

/// The fixture (see the module documentation): NixOS hosts `laptop` (desktop, gaming,
/// development; two disks, TPM unlock, a host patch of [`Gnome`]) and `desktop` (desktop,
/// gaming; ext4 with a swap partition), and the Mac `mac` (common) that reads a secret's path.
pub fn typed_extras_fleet() -> FleetData {
    let jay =
        User::new("jay").description("Jay").groups(["wheel"]).shell(Shell::Zsh).password_secret(Common::jay_password());
    let common = Profile::any("common")
        .description("Every machine: Jay, the common secrets, backups with a token file.")
        .user(&jay)
        .secrets::<Common>()
        .set("environment.variables.FLEET_BACKUP_ENV", Common::backup_env());
    let desktop = Profile::nixos("desktop")
        .description("GNOME, as defaults a host can override one by one.")
        .import(&common)
        .module(Module::new("desktop/gnome").scaffold(GNOME_MODULE))
        .options(Gnome {
            enable: true,
            wayland: true,
            favorite_apps: vec!["firefox.desktop".into(), "org.gnome.Console.desktop".into()],
            scale: 100,
        });
    let gaming = Profile::nixos("gaming")
        .description("Games: Jay may use gamemode.")
        .import(&common)
        .user_groups(&jay, ["gamemode"])
        .set("programs.gamemode.enable", true);
    let development = Profile::nixos("development")
        .description("Development: every user runs containers, Jay virtual machines too.")
        .import(&common)
        .groups_for_users(["docker"])
        .user_groups(&jay, ["libvirtd"])
        .set("virtualisation.docker.enable", true);
    let laptop_disk = Disko::luks_btrfs("/dev/disk/by-id/nvme-laptop")
        .esp_size("1G")
        .subvolumes([
            Subvolume::new("@", "/"),
            Subvolume::new("@home", "/home"),
            Subvolume::new("@nix", "/nix").mount_options(["compress=zstd:1", "noatime", "space_cache=v2"]),
            Subvolume::new("@persist", "/persist"),
            Subvolume::unmounted("@snapshots"),
            Subvolume::new("@swap", "/.swapvol").mount_options(["noatime"]).swapfile("16G"),
        ])
        .tpm2()
        .needed_for_boot("/persist");
    let data_disk = Disko::btrfs("/dev/disk/by-id/ata-laptop-data")
        .name("data")
        .no_esp()
        .subvolumes([Subvolume::new("/data", "/data"), Subvolume::new("/media", "/srv/media")]);
    Fleet::<NoSpec>::new("typed-extras")
        .admin("alice", age_key!("age1dk6h2nx83hkghl5dph0j68s6tplnp7n65swu4crt6574fcztv4msukywz0"))
        .host(
            Host::nixos("laptop", System::X86_64Linux)
                .profile(&desktop)
                .profile(&gaming)
                .profile(&development)
                .secrets::<Wifi>()
                .set("networking.wireless.secretsFile", Wifi::wifi_env())
                .options(GnomePatch { wayland: Some(false), scale: Some(125), ..Default::default() })
                .disko(laptop_disk)
                .disko(data_disk)
                .age_key(age_key!("age1gmkp5g8ffy9gc567394w6ez3kve6gmrljnfd87rutxzu8pse256qu9teuc")),
        )
        .host(
            Host::nixos("desktop", System::X86_64Linux)
                .profile(&desktop)
                .profile(&gaming)
                .disko(Disko::gpt_ext4("/dev/disk/by-id/nvme-desktop").swap_partition("32G"))
                .age_key(age_key!("age1k4hn4ztxrrrlxj6js6fvevl6pkx7jlc6agnmkrz8vm0gfn94fs8sjn4xj4")),
        )
        .host(
            Host::darwin("mac", System::Aarch64Darwin)
                .profile(&common)
                .set("launchd.user.agents.sync.serviceConfig.EnvironmentVariables.TOKEN_FILE", Common::backup_env())
                .age_key(age_key!("age18q3xkrl8h0vptpmgpz2c36cuapen44ev3wycvpchtp7tr8d0qfpsyhwgnj")),
        )
        .into_data()
}

/// The scaffold of `modules/desktop/gnome.nix`: it declares nothing (the options come from
/// [`Gnome`]) and reads them.
const GNOME_MODULE: &str = "{\n  config,\n  lib,\n  ...\n}: {\n  config = lib.mkIf config.modules.desktop.gnome.enable {\n    services.desktopManager.gnome.enable = true;\n  };\n}\n";
