//! Per-machine features: `hosts/<host>/disko.nix` and automatic upgrades.

use super::nix_file;
use crate::nix::{Binding, Expr};
use crate::plan::schedule::parse_schedule;
use crate::plan::Plan;
use crate::tree::Tree;
use fleet_dsl::{AutoUpgrade, Dataset, Disko, Layout, Os, Subvolume};

pub(super) fn render(plan: &Plan<'_>, tree: &mut Tree) {
    for h in &plan.hosts {
        if h.host.disks.is_empty() {
            continue;
        }
        let disks = if h.host.disks.len() == 1 { "disk" } else { "disks" };
        let mut comment = format!(
            "Disk layout for disko: `nix run github:nix-community/disko -- --mode disko hosts/<host>/disko.nix`\nerases and partitions the {disks} when installing."
        );
        for d in h.host.disks.iter().filter(|d| d.tpm2()) {
            comment.push_str(&format!(
                "\nTPM unlock: once installed, enroll the TPM (the passphrase keeps working):\n  sudo systemd-cryptenroll --tpm2-device=auto {}",
                luks_partition(d)
            ));
        }
        let text = nix_file(&plan.fleet.name, Some(&comment), &disko(&h.host.disks));
        tree.generated(format!("hosts/{}/disko.nix", h.host.name), text);
    }
}

/// The partition holding a disk's LUKS volume, by the GPT label disko gives it.
pub(super) fn luks_partition(d: &Disko) -> String {
    format!("/dev/disk/by-partlabel/disk-{}-{}", d.name, main_partition(&d.layout))
}

/// The name of the main partition of a layout.
fn main_partition(layout: &Layout) -> &'static str {
    match layout {
        Layout::Ext4 | Layout::Btrfs { luks: None, .. } => "root",
        Layout::Btrfs { luks: Some(_), .. } => "luks",
        Layout::Zfs { .. } => "zfs",
    }
}

fn attrs(bindings: Vec<Binding>) -> Expr {
    Expr::Attrs(bindings)
}

fn filesystem(format: &str, mountpoint: &str, options: &[&str]) -> Expr {
    let mut b = vec![
        Binding::new("type", "filesystem"),
        Binding::new("format", format),
        Binding::new("mountpoint", mountpoint),
    ];
    if !options.is_empty() {
        b.push(Binding::new("mountOptions", Expr::strings(options)));
    }
    attrs(b)
}

fn subvolume(s: &Subvolume) -> Binding {
    let mut b = Vec::new();
    if let Some(m) = &s.mountpoint {
        b.push(Binding::new("mountpoint", m.as_str()));
        b.push(Binding::new("mountOptions", Expr::strings(&s.options)));
    }
    if let Some(size) = &s.swapfile {
        b.push(Binding::path(["swap", "swapfile", "size"], size.as_str()));
    }
    Binding::new(s.name.clone(), attrs(b))
}

/// The content of a disk's main partition.
fn main_content(layout: &Layout) -> Expr {
    match layout {
        Layout::Ext4 => filesystem("ext4", "/", &[]),
        Layout::Btrfs { luks, subvolumes } => {
            let btrfs = attrs(vec![
                Binding::new("type", "btrfs"),
                Binding::new("extraArgs", Expr::strings(["-f"])),
                Binding::new("subvolumes", attrs(subvolumes.iter().map(subvolume).collect())),
            ]);
            let Some(luks) = luks else { return btrfs };
            let mut settings = vec![Binding::new("allowDiscards", true)];
            if luks.tpm2 {
                settings.push(Binding::new("crypttabExtraOpts", Expr::strings(["tpm2-device=auto"])));
            }
            attrs(vec![
                Binding::new("type", "luks"),
                Binding::new("name", luks.name.as_str()),
                Binding::new("settings", attrs(settings)),
                Binding::new("content", btrfs),
            ])
        }
        Layout::Zfs { pool, .. } => attrs(vec![Binding::new("type", "zfs"), Binding::new("pool", pool.as_str())]),
    }
}

fn disk(d: &Disko) -> Expr {
    let mut partitions = Vec::new();
    if let Some(size) = &d.esp_size {
        partitions.push(Binding::new(
            "ESP",
            attrs(vec![
                Binding::new("type", "EF00"),
                Binding::new("size", size.as_str()),
                Binding::new("content", filesystem("vfat", "/boot", &["umask=0077"])),
            ]),
        ));
    }
    if let Some(size) = &d.swap_partition {
        let content = attrs(vec![Binding::new("type", "swap"), Binding::new("randomEncryption", true)]);
        partitions.push(Binding::new(
            "swap",
            attrs(vec![Binding::new("size", size.as_str()), Binding::new("content", content)]),
        ));
    }
    partitions.push(Binding::new(
        main_partition(&d.layout),
        attrs(vec![Binding::new("size", "100%"), Binding::new("content", main_content(&d.layout))]),
    ));
    attrs(vec![
        Binding::new("type", "disk"),
        Binding::new("device", d.device.as_str()),
        Binding::new(
            "content",
            attrs(vec![Binding::new("type", "gpt"), Binding::new("partitions", attrs(partitions))]),
        ),
    ])
}

fn zpool(datasets: &[Dataset]) -> Expr {
    let sets = datasets
        .iter()
        .map(|ds| {
            Binding::new(
                ds.name.clone(),
                attrs(vec![
                    Binding::new("type", "zfs_fs"),
                    Binding::new("mountpoint", ds.mountpoint.as_str()),
                    Binding::path(["options", "mountpoint"], "legacy"),
                ]),
            )
        })
        .collect();
    attrs(vec![
        Binding::new("type", "zpool"),
        Binding::new(
            "rootFsOptions",
            attrs(vec![
                Binding::new("compression", "zstd"),
                Binding::new("acltype", "posixacl"),
                Binding::new("xattr", "sa"),
                Binding::new("relatime", "on"),
            ]),
        ),
        Binding::path(["options", "ashift"], "12"),
        Binding::new("datasets", attrs(sets)),
    ])
}

/// The disko module of a host: its disks and pools, and what booting from them needs.
fn disko(disks: &[Disko]) -> Expr {
    let mut devices: Vec<Binding> = disks.iter().map(|d| Binding::path(["disk", d.name.as_str()], disk(d))).collect();
    let mut top = Vec::new();
    let mut host_id = None;
    for d in disks {
        if let Layout::Zfs { pool, datasets, host_id: id } = &d.layout {
            devices.push(Binding::path(["zpool", pool.as_str()], zpool(datasets)));
            host_id.get_or_insert(id);
        }
    }
    if disks.iter().any(Disko::tpm2) {
        // `crypttabExtraOpts` is read by systemd-cryptsetup, which only a systemd initrd runs.
        top.push(Binding::path(["boot", "initrd", "systemd", "enable"], true));
    }
    let mut needed: Vec<&str> = Vec::new();
    for m in disks.iter().flat_map(|d| &d.needed_for_boot) {
        if needed.contains(&m.as_str()) {
            continue;
        }
        needed.push(m);
        top.push(Binding::path(["fileSystems", m.as_str(), "neededForBoot"], true));
    }
    if let Some(id) = host_id {
        top.push(Binding::path(["networking", "hostId"], id.as_str()));
    }
    let mut body = vec![Binding::path(["disko", "devices"], attrs(devices))];
    body.extend(top);
    attrs(body)
}

/// The host-file bindings of an automatic upgrade.
pub(super) fn auto_upgrade(os: Os, host: &str, u: &AutoUpgrade) -> Vec<Binding> {
    let flake = format!("{}#{host}", u.flake);
    let Some(schedule) = parse_schedule(&u.schedule) else { return Vec::new() };
    match os {
        Os::Nixos => {
            let day = schedule.weekday.map_or("*-*-*".to_owned(), |(_, name)| format!("{name} *-*-*"));
            let mut b = vec![
                Binding::new("enable", true),
                Binding::new("flake", flake.as_str()),
                Binding::new("dates", Expr::str(format!("{day} {:02}:{:02}:00", schedule.hour, schedule.minute))),
            ];
            if let Some((lower, upper)) = &u.reboot_window {
                b.push(Binding::new("allowReboot", true));
                b.push(Binding::new(
                    "rebootWindow",
                    attrs(vec![Binding::new("lower", lower.as_str()), Binding::new("upper", upper.as_str())]),
                ));
            }
            vec![Binding::path(["system", "autoUpgrade"], attrs(b))]
        }
        Os::Darwin => {
            let mut when = Vec::new();
            if let Some((day, _)) = schedule.weekday {
                when.push(Binding::new("Weekday", Expr::Int(i64::from(day))));
            }
            when.push(Binding::new("Hour", Expr::Int(i64::from(schedule.hour))));
            when.push(Binding::new("Minute", Expr::Int(i64::from(schedule.minute))));
            let log = "/var/log/fleet-auto-upgrade.log";
            let daemon = attrs(vec![
                // The flake reference is validated to hold no shell metacharacters besides those
                // quoted here.
                Binding::new(
                    "script",
                    Expr::str(format!("/run/current-system/sw/bin/darwin-rebuild switch --flake '{flake}'")),
                ),
                Binding::new(
                    "serviceConfig",
                    attrs(vec![
                        Binding::new("StartCalendarInterval", Expr::list([attrs(when)])),
                        Binding::new("StandardOutPath", log),
                        Binding::new("StandardErrorPath", log),
                    ]),
                ),
            ]);
            vec![Binding::path(["launchd", "daemons", "fleet-auto-upgrade"], daemon)]
        }
    }
}
