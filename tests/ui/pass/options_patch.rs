//! The patch type `#[derive(NixOptions)]` declares with a path: only the fields set are values.

use fleet_dsl::prelude::*;
use fleet_dsl::{FleetData, NoSpec, OptionValues, Priority, TypedSetting};

/// GNOME.
#[derive(NixOptions)]
#[options(path = "modules.desktop.gnome")]
pub struct Gnome {
    /// Enable it.
    pub enable: bool,
    /// Wayland session.
    #[spec(rename = "useWayland")]
    pub wayland: bool,
    /// Dock apps.
    pub favorite_apps: Vec<String>,
}

fn main() {
    let patch = GnomePatch { wayland: Some(false), ..Default::default() };
    let values = patch.values();
    assert_eq!(values.keys().collect::<Vec<_>>(), ["useWayland"]);
    assert_eq!(values["useWayland"], NixValue::Bool(false));
    assert!(GnomePatch::default().values().is_empty());
    let whole = Gnome { enable: true, wayland: true, favorite_apps: vec![] };
    assert_eq!(whole.values().len(), 3);
    let t = TypedSetting::of(&GnomePatch { enable: Some(true), ..Default::default() }, Priority::Normal);
    assert_eq!(t.path, "modules.desktop.gnome");
    assert_eq!(t.options.options.len(), 3);
    let fleet: FleetData = Fleet::<NoSpec>::new("f")
        .host(
            Host::nixos("a", System::X86_64Linux)
                .profile(&Profile::nixos("p").options(whole))
                .options(GnomePatch { favorite_apps: Some(vec!["x".into()]), ..Default::default() }),
        )
        .into_data();
    assert_eq!(fleet.hosts[0].config.typed[0].values.len(), 1);
}
