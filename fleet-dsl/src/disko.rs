//! disko: declarative disk layouts for NixOS hosts, rendered to `hosts/<host>/disko.nix`.

use crate::platform::Nixos;

/// A platform disko can partition: NixOS only.
#[diagnostic::on_unimplemented(
    message = "disko cannot partition a `{Self}` host: it lays out disks of NixOS machines only",
    label = "disk layouts are for NixOS hosts",
    note = "remove `.disko(..)` from the host; macOS manages its own disk"
)]
pub trait Partitionable {}

impl Partitionable for Nixos {}

/// A btrfs subvolume: its name (e.g. `/home`), mount point and mount options.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Subvolume {
    /// Subvolume name, starting with `/`.
    pub name: String,
    /// Where it is mounted.
    pub mountpoint: String,
    /// Mount options.
    pub options: Vec<String>,
}

/// A ZFS dataset of the root pool, mounted (legacy) at a path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dataset {
    /// Dataset name below the pool, e.g. `root`.
    pub name: String,
    /// Where it is mounted.
    pub mountpoint: String,
}

/// What goes on the disk after the EFI system partition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Layout {
    /// GPT, ESP, one ext4 root.
    Ext4,
    /// GPT, ESP, LUKS, btrfs with subvolumes.
    LuksBtrfs {
        /// The LUKS mapping name.
        name: String,
        /// The subvolumes.
        subvolumes: Vec<Subvolume>,
    },
    /// GPT, ESP, a ZFS pool with legacy-mounted datasets.
    Zfs {
        /// Pool name.
        pool: String,
        /// Datasets.
        datasets: Vec<Dataset>,
        /// `networking.hostId`: 8 hex digits, required by ZFS.
        host_id: String,
    },
}

/// One disk's layout.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Disko {
    /// The device, e.g. `/dev/disk/by-id/nvme-…` (stable names are safer than `/dev/sda`).
    pub device: String,
    /// Size of the EFI system partition, e.g. `512M`.
    pub esp_size: String,
    /// The layout.
    pub layout: Layout,
}

impl Disko {
    fn with(device: impl Into<String>, layout: Layout) -> Self {
        Disko { device: device.into(), esp_size: "512M".into(), layout }
    }

    /// GPT with an EFI system partition and one ext4 root filling the disk.
    pub fn gpt_ext4(device: impl Into<String>) -> Self {
        Disko::with(device, Layout::Ext4)
    }

    /// GPT, ESP, LUKS-encrypted btrfs with `/root` at `/`, `/home` and `/nix` (zstd, noatime);
    /// add subvolumes with [`LuksBtrfs::subvolume`].
    pub fn luks_btrfs(device: impl Into<String>) -> LuksBtrfs {
        let disko = Disko::with(device, Layout::LuksBtrfs { name: "crypted".into(), subvolumes: Vec::new() });
        LuksBtrfs(disko).subvolume("/root", "/").subvolume("/home", "/home").subvolume("/nix", "/nix")
    }

    /// GPT, ESP, a ZFS pool `zroot` with `root`, `nix`, `var` and `home` datasets. ZFS needs a
    /// unique `networking.hostId` (8 hex digits, e.g. `head -c4 /dev/urandom | od -A none -t x4`).
    pub fn zfs(device: impl Into<String>, host_id: impl Into<String>) -> Self {
        let ds = |name: &str, mountpoint: &str| Dataset { name: name.into(), mountpoint: mountpoint.into() };
        let datasets = vec![ds("root", "/"), ds("nix", "/nix"), ds("var", "/var"), ds("home", "/home")];
        Disko::with(device, Layout::Zfs { pool: "zroot".into(), datasets, host_id: host_id.into() })
    }

    /// Sets the size of the EFI system partition (default `512M`).
    pub fn esp_size(mut self, size: impl Into<String>) -> Self {
        self.esp_size = size.into();
        self
    }
}

/// A LUKS + btrfs layout being built: [`Disko::luks_btrfs`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LuksBtrfs(Disko);

impl LuksBtrfs {
    /// Adds a subvolume mounted at `mountpoint` (zstd compression, noatime).
    pub fn subvolume(mut self, name: impl Into<String>, mountpoint: impl Into<String>) -> Self {
        if let Layout::LuksBtrfs { subvolumes, .. } = &mut self.0.layout {
            subvolumes.push(Subvolume {
                name: name.into(),
                mountpoint: mountpoint.into(),
                options: vec!["compress=zstd".into(), "noatime".into()],
            });
        }
        self
    }

    /// Sets the size of the EFI system partition (default `512M`).
    pub fn esp_size(self, size: impl Into<String>) -> Self {
        LuksBtrfs(self.0.esp_size(size))
    }
}

impl From<LuksBtrfs> for Disko {
    fn from(b: LuksBtrfs) -> Self {
        b.0
    }
}
