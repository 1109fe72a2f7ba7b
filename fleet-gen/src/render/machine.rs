//! Per-machine features: `hosts/<host>/disko.nix` and automatic upgrades.

use super::nix_file;
use crate::nix::{Binding, Expr};
use crate::tree::Tree;
use crate::validate::machine::parse_schedule;
use crate::view::View;
use fleet_dsl::{AutoUpgrade, Disko, Layout, Os};

pub(super) fn render(view: &View<'_>, tree: &mut Tree) {
    for h in &view.hosts {
        if let Some(d) = &h.host.disko {
            let comment = "Disk layout for disko: `nix run github:nix-community/disko -- --mode disko hosts/<host>/disko.nix`\nerases and partitions the disk when installing.";
            let text = nix_file(&view.fleet.name, Some(comment), &disko(d));
            tree.generated(format!("hosts/{}/disko.nix", h.host.name), text);
        }
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

fn disko(d: &Disko) -> Expr {
    let esp = attrs(vec![
        Binding::new("type", "EF00"),
        Binding::new("size", d.esp_size.as_str()),
        Binding::new("content", filesystem("vfat", "/boot", &["umask=0077"])),
    ]);
    let (main_name, main_content) = match &d.layout {
        Layout::Ext4 => ("root", filesystem("ext4", "/", &[])),
        Layout::LuksBtrfs { name, subvolumes } => {
            let subs = subvolumes
                .iter()
                .map(|s| {
                    Binding::new(
                        s.name.clone(),
                        attrs(vec![
                            Binding::new("mountpoint", s.mountpoint.as_str()),
                            Binding::new("mountOptions", Expr::strings(&s.options)),
                        ]),
                    )
                })
                .collect();
            let btrfs = attrs(vec![
                Binding::new("type", "btrfs"),
                Binding::new("extraArgs", Expr::strings(["-f"])),
                Binding::new("subvolumes", attrs(subs)),
            ]);
            let luks = attrs(vec![
                Binding::new("type", "luks"),
                Binding::new("name", name.as_str()),
                Binding::path(["settings", "allowDiscards"], true),
                Binding::new("content", btrfs),
            ]);
            ("luks", luks)
        }
        Layout::Zfs { pool, .. } => {
            ("zfs", attrs(vec![Binding::new("type", "zfs"), Binding::new("pool", pool.as_str())]))
        }
    };
    let partitions = attrs(vec![
        Binding::new("ESP", esp),
        Binding::new(main_name, attrs(vec![Binding::new("size", "100%"), Binding::new("content", main_content)])),
    ]);
    let disk = attrs(vec![
        Binding::new("type", "disk"),
        Binding::new("device", d.device.as_str()),
        Binding::new("content", attrs(vec![Binding::new("type", "gpt"), Binding::new("partitions", partitions)])),
    ]);
    let mut devices = vec![Binding::path(["disk", "main"], disk)];
    let mut top = Vec::new();
    if let Layout::Zfs { pool, datasets, host_id } = &d.layout {
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
        let zpool = attrs(vec![
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
        ]);
        devices.push(Binding::path(["zpool", pool.as_str()], zpool));
        top.push(Binding::path(["networking", "hostId"], host_id.as_str()));
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
