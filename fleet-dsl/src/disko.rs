//! disko: declarative disk layouts for NixOS hosts, rendered to `hosts/<host>/disko.nix`.
//!
//! A host has one or more disks ([`Host::disko`](crate::Host::disko) once per disk). Each disk
//! is GPT with an optional EFI system partition, an optional swap partition, and one main
//! partition: ext4, btrfs with subvolumes (optionally inside LUKS, optionally unlocked by the
//! TPM), or a ZFS pool.
//!
//! ```
//! use fleet_dsl::{Disko, Subvolume};
//! // The subvolumes of an existing disk, as its installer named them.
//! let disk = Disko::luks_btrfs("/dev/disk/by-id/nvme-a")
//!     .subvolumes([
//!         Subvolume::new("@", "/"),
//!         Subvolume::new("@home", "/home"),
//!         Subvolume::new("@nix", "/nix"),
//!         Subvolume::new("@persist", "/persist"),
//!         Subvolume::new("@swap", "/.swapvol").swapfile("16G"),
//!     ])
//!     .tpm2()
//!     .needed_for_boot("/persist");
//! let data = Disko::btrfs("/dev/disk/by-id/ata-b").name("data").no_esp().subvolume("@data", "/data");
//! # let _ = (Disko::from(disk), Disko::from(data));
//! ```

use crate::platform::Nixos;

/// A platform disko can partition: NixOS only.
#[diagnostic::on_unimplemented(
    message = "disko cannot partition a `{Self}` host: it lays out disks of NixOS machines only",
    label = "disk layouts are for NixOS hosts",
    note = "remove `.disko(..)` from the host; macOS manages its own disk"
)]
pub trait Partitionable {}

impl Partitionable for Nixos {}

/// Mount options of a subvolume unless set: zstd compression, no access times.
pub const DEFAULT_MOUNT_OPTIONS: [&str; 2] = ["compress=zstd", "noatime"];

/// A btrfs subvolume: its name (any btrfs path such as `@`, `@home`, `/root` or
/// `nix/store`), where it is mounted, its mount options and an optional swap file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Subvolume {
    /// Subvolume name (disko's attribute name: `@home`, `/home`).
    pub name: String,
    /// Where it is mounted; `None` leaves it unmounted (a parent for snapshots, say).
    pub mountpoint: Option<String>,
    /// Mount options (`mountOptions`), [`DEFAULT_MOUNT_OPTIONS`] unless set.
    pub options: Vec<String>,
    /// Size of a swap file in the subvolume (disko's `swap.swapfile.size`, e.g. `16G`).
    pub swapfile: Option<String>,
}

impl Subvolume {
    /// A subvolume `name` mounted at `mountpoint` with [`DEFAULT_MOUNT_OPTIONS`].
    pub fn new(name: impl Into<String>, mountpoint: impl Into<String>) -> Self {
        Subvolume {
            name: name.into(),
            mountpoint: Some(mountpoint.into()),
            options: DEFAULT_MOUNT_OPTIONS.map(String::from).to_vec(),
            swapfile: None,
        }
    }

    /// A subvolume that is created but not mounted.
    pub fn unmounted(name: impl Into<String>) -> Self {
        Subvolume { name: name.into(), mountpoint: None, options: Vec::new(), swapfile: None }
    }

    /// Replaces the mount options (`["compress=zstd:1", "noatime", "space_cache=v2"]`).
    pub fn mount_options<S: Into<String>>(mut self, options: impl IntoIterator<Item = S>) -> Self {
        self.options = options.into_iter().map(Into::into).collect();
        self
    }

    /// Puts a swap file of `size` (`16G`) in the subvolume, used as swap (`swapDevices`).
    /// Give a swap subvolume its own mount point (`/.swapvol`) and no compression.
    pub fn swapfile(mut self, size: impl Into<String>) -> Self {
        self.swapfile = Some(size.into());
        self
    }
}

/// A ZFS dataset of the root pool, mounted (legacy) at a path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dataset {
    /// Dataset name below the pool, e.g. `root`.
    pub name: String,
    /// Where it is mounted.
    pub mountpoint: String,
}

/// LUKS encryption of a disk's main partition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Luks {
    /// The mapping name (`/dev/mapper/<name>`).
    pub name: String,
    /// Unlock with the TPM (`crypttabExtraOpts = ["tpm2-device=auto"]`, systemd in the
    /// initrd) once a key is enrolled with `systemd-cryptenroll --tpm2-device=auto`; the
    /// passphrase still works.
    pub tpm2: bool,
}

/// What goes on the disk's main partition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Layout {
    /// One ext4 file system mounted at `/`.
    Ext4,
    /// btrfs with subvolumes, optionally inside LUKS.
    Btrfs {
        /// The encryption, when the partition is encrypted.
        luks: Option<Luks>,
        /// The subvolumes.
        subvolumes: Vec<Subvolume>,
    },
    /// A ZFS pool with legacy-mounted datasets.
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
    /// The disk's name in the layout (`disko.devices.disk.<name>`, partition labels
    /// `disk-<name>-…`): `main` unless set.
    pub name: String,
    /// The device, e.g. `/dev/disk/by-id/nvme-…` (stable names are safer than `/dev/sda`).
    pub device: String,
    /// Size of the EFI system partition mounted at `/boot` (`512M`), `None` for a disk without one.
    pub esp_size: Option<String>,
    /// Size of a swap partition (randomly encrypted at each boot), if any.
    pub swap_partition: Option<String>,
    /// The main partition.
    pub layout: Layout,
    /// Mount points the initrd mounts before the system starts
    /// (`fileSystems."<path>".neededForBoot`), e.g. `/persist` for impermanence.
    pub needed_for_boot: Vec<String>,
}

impl Disko {
    fn with(device: impl Into<String>, layout: Layout) -> Self {
        Disko {
            name: "main".into(),
            device: device.into(),
            esp_size: Some("512M".into()),
            swap_partition: None,
            layout,
            needed_for_boot: Vec::new(),
        }
    }

    /// GPT with an EFI system partition and one ext4 root filling the disk.
    pub fn gpt_ext4(device: impl Into<String>) -> Self {
        Disko::with(device, Layout::Ext4)
    }

    /// GPT, ESP, LUKS-encrypted btrfs with subvolumes `/root` at `/`, `/home` and `/nix` (zstd,
    /// noatime). [`Btrfs::subvolume`] adds or replaces one; [`Btrfs::subvolumes`] replaces them
    /// all (`@`, `@home`, …).
    pub fn luks_btrfs(device: impl Into<String>) -> Btrfs {
        Disko::btrfs(device).luks("crypted")
    }

    /// GPT, ESP, btrfs (unencrypted) with the subvolumes of [`Disko::luks_btrfs`].
    pub fn btrfs(device: impl Into<String>) -> Btrfs {
        let disk = Disko::with(device, Layout::Btrfs { luks: None, subvolumes: Vec::new() });
        Btrfs { disk, luks: None, subvolumes: Vec::new() }
            .subvolume("/root", "/")
            .subvolume("/home", "/home")
            .subvolume("/nix", "/nix")
    }

    /// GPT, ESP, a ZFS pool `zroot` with `root`, `nix`, `var` and `home` datasets. ZFS needs a
    /// unique `networking.hostId` (8 hex digits, e.g. `head -c4 /dev/urandom | od -A none -t x4`).
    pub fn zfs(device: impl Into<String>, host_id: impl Into<String>) -> Self {
        let ds = |name: &str, mountpoint: &str| Dataset { name: name.into(), mountpoint: mountpoint.into() };
        let datasets = vec![ds("root", "/"), ds("nix", "/nix"), ds("var", "/var"), ds("home", "/home")];
        Disko::with(device, Layout::Zfs { pool: "zroot".into(), datasets, host_id: host_id.into() })
    }

    /// Names the disk (default `main`); every disk of a host needs its own name.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }

    /// Sets the size of the EFI system partition (default `512M`).
    pub fn esp_size(mut self, size: impl Into<String>) -> Self {
        self.esp_size = Some(size.into());
        self
    }

    /// Leaves out the EFI system partition: for a second disk (one disk of the host has it).
    pub fn no_esp(mut self) -> Self {
        self.esp_size = None;
        self
    }

    /// Adds a swap partition of `size` (`16G`) before the main one, encrypted with a random
    /// key at each boot (disko's `randomEncryption`): swap never reaches the disk in clear, and
    /// the machine cannot hibernate to it.
    pub fn swap_partition(mut self, size: impl Into<String>) -> Self {
        self.swap_partition = Some(size.into());
        self
    }

    /// Mounts `mountpoint` (one of this disk's) in the initrd, before the system starts
    /// (`fileSystems."/persist".neededForBoot = true`): what impermanence's `/persist` needs.
    pub fn needed_for_boot(mut self, mountpoint: impl Into<String>) -> Self {
        self.needed_for_boot.push(mountpoint.into());
        self
    }

    /// The mount points this disk provides: `/boot` for the ESP, then the main partition's.
    pub fn mountpoints(&self) -> Vec<&str> {
        let mut out = Vec::new();
        if self.esp_size.is_some() {
            out.push("/boot");
        }
        match &self.layout {
            Layout::Ext4 => out.push("/"),
            Layout::Btrfs { subvolumes, .. } => out.extend(subvolumes.iter().filter_map(|s| s.mountpoint.as_deref())),
            Layout::Zfs { datasets, .. } => out.extend(datasets.iter().map(|d| d.mountpoint.as_str())),
        }
        out
    }

    /// Whether the main partition is unlocked by the TPM.
    pub fn tpm2(&self) -> bool {
        matches!(&self.layout, Layout::Btrfs { luks: Some(Luks { tpm2: true, .. }), .. })
    }
}

/// A btrfs layout being built: [`Disko::luks_btrfs`], [`Disko::btrfs`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Btrfs {
    /// The disk; its layout is set from the fields below when the builder becomes a [`Disko`].
    disk: Disko,
    luks: Option<Luks>,
    subvolumes: Vec<Subvolume>,
}

/// The builder's former name.
pub type LuksBtrfs = Btrfs;

impl Btrfs {
    fn map(mut self, f: impl FnOnce(Disko) -> Disko) -> Self {
        self.disk = f(self.disk);
        self
    }

    /// Adds a subvolume `name` mounted at `mountpoint` (zstd compression, noatime); it
    /// replaces a subvolume of the same name or at the same mount point, so
    /// `.subvolume("@", "/")` renames the default `/root`.
    pub fn subvolume(self, name: impl Into<String>, mountpoint: impl Into<String>) -> Self {
        self.with_subvolume(Subvolume::new(name, mountpoint))
    }

    /// Adds a subvolume built with [`Subvolume`] (mount options, swap file, unmounted),
    /// replacing one of the same name or at the same mount point.
    pub fn with_subvolume(mut self, subvolume: Subvolume) -> Self {
        let subvolumes = &mut self.subvolumes;
        let same = |s: &Subvolume| {
            s.name == subvolume.name || (s.mountpoint.is_some() && s.mountpoint == subvolume.mountpoint)
        };
        match subvolumes.iter().position(same) {
            Some(i) => subvolumes[i] = subvolume,
            None => subvolumes.push(subvolume),
        }
        self
    }

    /// Replaces every subvolume (the defaults included) with `subvolumes`, in order.
    pub fn subvolumes(mut self, subvolumes: impl IntoIterator<Item = Subvolume>) -> Self {
        self.subvolumes = subvolumes.into_iter().collect();
        self
    }

    /// Adds a swap file of `size` in a subvolume `/swap` mounted at `/.swapvol` (no
    /// compression, no access times).
    pub fn swapfile(self, size: impl Into<String>) -> Self {
        let swap = Subvolume::new("/swap", "/.swapvol").mount_options(["noatime"]).swapfile(size);
        self.with_subvolume(swap)
    }

    /// Encrypts the partition with LUKS, mapped as `/dev/mapper/<name>` (`crypted` for
    /// [`Disko::luks_btrfs`]).
    pub fn luks(mut self, name: impl Into<String>) -> Self {
        let name = name.into();
        match &mut self.luks {
            Some(l) => l.name = name,
            None => self.luks = Some(Luks { name, tpm2: false }),
        }
        self
    }

    /// Unlocks the LUKS partition with the TPM (encrypting it, as `crypted`, if it is not yet):
    /// `crypttabExtraOpts = ["tpm2-device=auto"]` and systemd in the initrd. Enroll the TPM
    /// once after installing: `sudo systemd-cryptenroll --tpm2-device=auto
    /// /dev/disk/by-partlabel/disk-<disk>-luks`; until then, and when the TPM refuses, the
    /// passphrase unlocks it.
    pub fn tpm2(mut self) -> Self {
        self.luks.get_or_insert_with(|| Luks { name: "crypted".into(), tpm2: false }).tpm2 = true;
        self
    }

    /// Names the disk (default `main`), see [`Disko::name`].
    pub fn name(self, name: impl Into<String>) -> Self {
        self.map(|d| d.name(name))
    }

    /// Sets the size of the EFI system partition (default `512M`).
    pub fn esp_size(self, size: impl Into<String>) -> Self {
        self.map(|d| d.esp_size(size))
    }

    /// Leaves out the EFI system partition, see [`Disko::no_esp`].
    pub fn no_esp(self) -> Self {
        self.map(|d| d.no_esp())
    }

    /// Adds a swap partition, see [`Disko::swap_partition`].
    pub fn swap_partition(self, size: impl Into<String>) -> Self {
        self.map(|d| d.swap_partition(size))
    }

    /// Mounts `mountpoint` in the initrd, see [`Disko::needed_for_boot`].
    pub fn needed_for_boot(self, mountpoint: impl Into<String>) -> Self {
        self.map(|d| d.needed_for_boot(mountpoint))
    }
}

impl From<Btrfs> for Disko {
    fn from(b: Btrfs) -> Self {
        Disko { layout: Layout::Btrfs { luks: b.luks, subvolumes: b.subvolumes }, ..b.disk }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_subvolume_replaces_one_of_its_name_or_mount_point() {
        let d = Disko::from(Disko::luks_btrfs("/dev/x").subvolume("@", "/").subvolume("/home", "/data"));
        let Layout::Btrfs { subvolumes, luks } = &d.layout else { panic!("not btrfs") };
        let names: Vec<(&str, Option<&str>)> =
            subvolumes.iter().map(|s| (s.name.as_str(), s.mountpoint.as_deref())).collect();
        assert_eq!(names, [("@", Some("/")), ("/home", Some("/data")), ("/nix", Some("/nix"))]);
        assert_eq!(luks.as_ref().map(|l| (l.name.as_str(), l.tpm2)), Some(("crypted", false)));
    }

    #[test]
    fn tpm2_encrypts_and_mount_points_include_the_esp() {
        let d = Disko::from(Disko::btrfs("/dev/x").tpm2().swapfile("8G"));
        assert!(d.tpm2());
        assert_eq!(d.mountpoints(), ["/boot", "/", "/home", "/nix", "/.swapvol"]);
        assert_eq!(Disko::gpt_ext4("/dev/y").no_esp().mountpoints(), ["/"]);
    }
}
