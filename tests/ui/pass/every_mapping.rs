//! Every supported field type, attribute and default, checked at run time.

use fleet_dsl::{HostSpec, ModuleOptions, NixEnum, NixOptions, NixType, NixValue, OptionDecl, OptionSet, OptionType};
use indexmap::IndexMap;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// Graphics vendor.
#[derive(NixEnum, Clone, Copy, Debug, PartialEq)]
pub enum Gpu {
    Amd,
    IntelArc,
    #[nix(rename = "NVIDIA")]
    Nvidia,
}

/// Backup settings.
#[derive(NixOptions, Clone, Debug, Default)]
pub struct Backup {
    /// Whether backups run.
    pub enable: bool,
    /// Where they go.
    pub target_dir: Option<PathBuf>,
}

/// The GNOME desktop.
///
/// Second paragraph,
/// over two lines.
#[derive(NixOptions, Clone, Debug)]
#[options(path = "modules.desktop.gnome")]
pub struct Gnome {
    #[spec(default = true)]
    pub enable: bool,
    #[spec(default = vec!["firefox".to_owned()])]
    pub favorite_apps: Vec<String>,
}

/// Facts every host declares.
#[derive(HostSpec, Clone, Debug)]
pub struct Spec {
    /// The user who owns the machine.
    pub primary_user: String,
    #[spec(default = false)]
    pub is_laptop: bool,
    #[spec(rename = "cpuCores", default = 4)]
    pub cores: u8,
    pub offset: i16,
    pub big: i32,
    pub huge: i64,
    pub small: u32,
    pub unsigned: u64,
    pub tiny: i8,
    /// The SSH port.
    #[spec(port, default = 22)]
    pub ssh_port: u16,
    pub plain_u16: u16,
    #[spec(default = 3)]
    pub backup_hour: Option<u8>,
    #[spec(default = -5)]
    pub nice: i64,
    pub home: PathBuf,
    pub gpu: Option<Gpu>,
    #[spec(default = Gpu::Amd)]
    pub fallback_gpu: Gpu,
    #[spec(default = "UTC")]
    pub time_zone: String,
    #[spec(default)]
    pub tags: Vec<String>,
    pub groups: BTreeMap<String, Vec<String>>,
    pub mounts: IndexMap<String, PathBuf>,
    pub backup: Backup,
    pub r#type: String,
}

fn decl(set: &OptionSet, name: &str) -> OptionDecl {
    match set.options.iter().find(|d| d.name == name) {
        Some(d) => d.clone(),
        None => panic!("no option {name} in {set:#?}"),
    }
}

fn main() {
    assert_eq!(<Gpu as NixEnum>::VARIANTS, ["amd", "intelArc", "NVIDIA"]);
    assert_eq!(Gpu::option_type(), OptionType::Enum(vec!["amd".into(), "intelArc".into(), "NVIDIA".into()]));
    assert_eq!(Gpu::Nvidia.to_nix(), NixValue::Str("NVIDIA".into()));

    assert_eq!(<Gnome as ModuleOptions>::PATH, "modules.desktop.gnome");
    let gnome = Gnome::option_set();
    assert_eq!(gnome.description.as_deref(), Some("The GNOME desktop.\n\nSecond paragraph, over two lines."));
    assert_eq!(decl(&gnome, "enable").default, Some(NixValue::Bool(true)));
    assert_eq!(decl(&gnome, "favoriteApps").default, Some(NixValue::List(vec![NixValue::Str("firefox".into())])));

    let set = Spec::option_set();
    assert_eq!(set.rust_name, "Spec");
    assert_eq!(set.description.as_deref(), Some("Facts every host declares."));
    let names: Vec<&str> = set.options.iter().map(|d| d.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "primaryUser",
            "isLaptop",
            "cpuCores",
            "offset",
            "big",
            "huge",
            "small",
            "unsigned",
            "tiny",
            "sshPort",
            "plainU16",
            "backupHour",
            "nice",
            "home",
            "gpu",
            "fallbackGpu",
            "timeZone",
            "tags",
            "groups",
            "mounts",
            "backup",
            "type",
        ]
    );
    let primary = decl(&set, "primaryUser");
    assert_eq!(primary, OptionDecl::new("primaryUser", OptionType::Str).description("The user who owns the machine."));
    assert_eq!(decl(&set, "isLaptop").default, Some(NixValue::Bool(false)));
    assert_eq!(decl(&set, "cpuCores").ty, OptionType::U8);
    assert_eq!(decl(&set, "cpuCores").default, Some(NixValue::Int(4)));
    assert_eq!(decl(&set, "offset").ty, OptionType::S16);
    assert_eq!(decl(&set, "big").ty, OptionType::S32);
    assert_eq!(decl(&set, "huge").ty, OptionType::Int);
    assert_eq!(decl(&set, "small").ty, OptionType::U32);
    assert_eq!(decl(&set, "unsigned").ty, OptionType::Unsigned);
    assert_eq!(decl(&set, "tiny").ty, OptionType::S8);
    let ssh = decl(&set, "sshPort");
    assert_eq!((ssh.ty, ssh.default), (OptionType::Port, Some(NixValue::Int(22))));
    assert_eq!(ssh.description.as_deref(), Some("The SSH port."));
    assert_eq!(decl(&set, "plainU16").ty, OptionType::U16);
    let hour = decl(&set, "backupHour");
    assert_eq!((hour.ty, hour.default), (OptionType::NullOr(Box::new(OptionType::U8)), Some(NixValue::Int(3))));
    assert_eq!(decl(&set, "nice").default, Some(NixValue::Int(-5)));
    assert_eq!(decl(&set, "home").ty, OptionType::Path);
    let gpu = decl(&set, "gpu");
    assert_eq!(gpu.ty, OptionType::NullOr(Box::new(Gpu::option_type())));
    assert_eq!(gpu.effective_default(), Some(NixValue::Null));
    assert_eq!(decl(&set, "fallbackGpu").default, Some(NixValue::Str("amd".into())));
    assert_eq!(decl(&set, "timeZone").default, Some(NixValue::Str("UTC".into())));
    let tags = decl(&set, "tags");
    assert_eq!((tags.ty, tags.default), (OptionType::ListOf(Box::new(OptionType::Str)), Some(NixValue::List(vec![]))));
    assert_eq!(decl(&set, "groups").ty, OptionType::AttrsOf(Box::new(OptionType::ListOf(Box::new(OptionType::Str)))));
    assert_eq!(decl(&set, "mounts").ty, OptionType::AttrsOf(Box::new(OptionType::Path)));
    let OptionType::Submodule(backup) = decl(&set, "backup").ty else { panic!("backup is not a submodule") };
    assert_eq!(backup, Backup::option_set());
    assert_eq!(backup.options[1].name, "targetDir");
    assert_eq!(backup.options[1].description.as_deref(), Some("Where they go."));
    assert_eq!(decl(&set, "type").description, None);

    let spec = Spec {
        primary_user: "alice".into(),
        is_laptop: true,
        cores: 8,
        offset: -2,
        big: 1,
        huge: 2,
        small: 3,
        unsigned: u64::MAX,
        tiny: -1,
        ssh_port: 2222,
        plain_u16: 7,
        backup_hour: None,
        nice: 0,
        home: PathBuf::from("/home/alice"),
        gpu: Some(Gpu::IntelArc),
        fallback_gpu: Gpu::Amd,
        time_zone: "Europe/Paris".into(),
        tags: vec!["dev".into()],
        groups: BTreeMap::from([("wheel".to_owned(), vec!["alice".to_owned()])]),
        mounts: IndexMap::from([("z".to_owned(), PathBuf::from("/z")), ("a".to_owned(), PathBuf::from("/a"))]),
        backup: Backup::default(),
        r#type: "workstation".into(),
    };
    let values = spec.option_values();
    let keys: Vec<&str> = values.keys().map(String::as_str).collect();
    assert_eq!(keys, names);
    assert_eq!(values["primaryUser"], NixValue::Str("alice".into()));
    assert_eq!(values["cpuCores"], NixValue::Int(8));
    assert_eq!(values["unsigned"], NixValue::Int(i64::MAX));
    assert_eq!(values["sshPort"], NixValue::Int(2222));
    assert_eq!(values["home"], NixValue::Str("/home/alice".into()));
    assert_eq!(values["gpu"], NixValue::Str("intelArc".into()));
    assert_eq!(values["mounts"], NixValue::attrs([("z", "/z"), ("a", "/a")]));
    assert_eq!(values["backup"], NixValue::attrs([("enable", NixValue::Bool(false)), ("targetDir", NixValue::Null)]));
    assert_eq!(spec.to_nix(), NixValue::Attrs(values));

    fn is_host_spec<S: HostSpec>() {}
    is_host_spec::<Spec>();
}
