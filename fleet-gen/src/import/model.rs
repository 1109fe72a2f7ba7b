//! The imported fleet: hosts, profiles (modules several hosts import), users, the typed host
//! spec, secrets, deployment; and what stays hand-written.

use super::eval::{is_static, Builder, Eval, Loc, Prio, Value};
use super::flake::{parse_file, Flake};
use super::modules::{read_module, read_module_with, Def, ModuleInfo, ModuleRef};
use super::sops::SopsConfig;
use super::spec::{self, SpecDecl};
use super::ImportError;
use fleet_dsl::{Channel, Os, System};
use indexmap::{IndexMap, IndexSet};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Who a definition belongs to in the fleet.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Owner {
    /// A host, by index.
    Host(usize),
    /// A profile, by index.
    Profile(usize),
}

/// The Rust method a value is set with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// `.set(path, v)`: a plain definition.
    Set,
    /// `.default(path, v)`: `lib.mkDefault` (profiles).
    Default,
    /// `.add(path, items)`: a plain list.
    Add,
}

/// One untyped value.
#[derive(Clone, Debug)]
pub struct Setting {
    /// How.
    pub method: Method,
    /// The dotted option path (segments quoted where needed).
    pub path: String,
    /// The value.
    pub value: Value,
    /// Where it was written.
    pub loc: Loc,
}

/// A hand-written module kept: its module path and its text.
#[derive(Clone, Debug)]
pub struct Kept {
    /// The module path (`hosts/desktop/default`), below `modules/` (or `home/modules/`).
    pub path: String,
    /// Its text.
    pub text: String,
    /// The file it comes from.
    pub from: String,
    /// Whether it is the whole file (else: the definitions that could not be mapped).
    pub whole: bool,
}

/// A profile.
#[derive(Debug, Default)]
pub struct Profile {
    /// Its name.
    pub name: String,
    /// The file it comes from.
    pub from: String,
    /// Which hosts use it.
    pub target: Option<Os>,
    /// Profiles it imports, by index.
    pub imports: Vec<usize>,
    /// Users it gives, by index.
    pub users: Vec<usize>,
    /// Secret sets it reads, by index.
    pub secrets: Vec<usize>,
    /// Untyped values.
    pub settings: Vec<Setting>,
    /// Hand-written modules it keeps.
    pub modules: Vec<Kept>,
    /// Modules of flake inputs it imports.
    pub input_modules: Vec<(String, Vec<String>)>,
    /// Typed option values (`.options(XPatch { … })`), by set index: option → value.
    pub typed: Vec<(usize, IndexMap<String, Value>)>,
    /// Groups it gives users declared elsewhere (`user_groups`), by user index.
    pub user_groups: Vec<(usize, Vec<String>)>,
    /// Nothing was left in it after mapping: hosts and profiles import its imports instead.
    pub dissolved: bool,
    /// Its description, when its file is one this project generated (the comment below the
    /// header).
    pub description: Option<String>,
}

impl Profile {
    /// Whether it contributes nothing itself.
    fn is_empty(&self) -> bool {
        self.users.is_empty()
            && self.typed.is_empty()
            && self.user_groups.is_empty()
            && self.secrets.is_empty()
            && self.settings.is_empty()
            && self.modules.is_empty()
            && self.input_modules.is_empty()
    }
}

/// colmena's deployment of a host.
#[derive(Clone, Debug, Default)]
pub struct Deploy {
    /// `targetHost`.
    pub target_host: Option<String>,
    /// `targetUser`.
    pub target_user: Option<String>,
    /// `targetPort`.
    pub target_port: Option<i64>,
    /// `tags`.
    pub tags: Vec<String>,
    /// `allowLocalDeployment`.
    pub allow_local: bool,
    /// `buildOnTarget`.
    pub build_on_target: bool,
    /// `targetHost = null`: deployed on the machine itself only.
    pub local: bool,
}

/// A host.
#[derive(Debug)]
pub struct Host {
    /// Its name.
    pub name: String,
    /// Its platform.
    pub os: Os,
    /// Its system.
    pub system: System,
    /// Its channel.
    pub channel: Channel,
    /// Its profiles, by index, in order.
    pub profiles: Vec<usize>,
    /// `system.stateVersion`.
    pub state_version: Option<Value>,
    /// Its `hostSpec` values by option name.
    pub spec: IndexMap<String, Value>,
    /// Secret sets it reads itself, by index.
    pub secrets: Vec<usize>,
    /// Its age key (from `.sops.yaml`).
    pub age_key: Option<String>,
    /// `sops.age.keyFile`.
    pub age_key_file: Option<String>,
    /// colmena deployment.
    pub deploy: Option<Deploy>,
    /// Untyped values.
    pub settings: Vec<Setting>,
    /// Hand-written modules it keeps.
    pub modules: Vec<Kept>,
    /// Modules of flake inputs it imports.
    pub input_modules: Vec<(String, Vec<String>)>,
    /// Its hardware configuration (file, text), kept as the generated repository's
    /// `hosts/<host>/hardware-configuration.nix`.
    pub hardware: Option<(String, String)>,
    /// Per-host home modules, by user index.
    pub homes: Vec<(usize, Vec<Kept>)>,
    /// Per-host home values, by user index (read back from a generated host file).
    pub home_settings: Vec<(usize, Vec<Setting>)>,
    /// Typed option values, as on profiles.
    pub typed: Vec<(usize, IndexMap<String, Value>)>,
    /// Automatic upgrades read back from a generated host file: flake, schedule, reboot window.
    pub auto_upgrade: Option<Upgrade>,
    /// Disk layouts read back from a generated `hosts/<host>/disko.nix`.
    pub disks: Vec<Disk>,
    /// Where it is built in flake.nix.
    pub loc: Loc,
}

/// A user.
#[derive(Debug, Default)]
pub struct User {
    /// Login name.
    pub name: String,
    /// `description`.
    pub description: Option<String>,
    /// `extraGroups`.
    pub groups: Vec<String>,
    /// The shell package name (`zsh`, `fish`).
    pub shell: Option<String>,
    /// `openssh.authorizedKeys.keys`.
    pub ssh_keys: Vec<String>,
    /// The secret of `hashedPasswordFile`, by name.
    pub password_secret: Option<String>,
    /// Home modules shared by every host.
    pub home: Option<Vec<Kept>>,
    /// `home.stateVersion` of its home modules.
    pub home_state_version: Option<String>,
    /// Values of its home (read back from a generated `home/<user>.nix`).
    pub home_settings: Vec<Setting>,
    /// Where it is declared.
    pub locs: Vec<Loc>,
}

/// Where a secret file's secrets are read.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Scope {
    /// `secrets/common.yaml`.
    Common,
    /// `secrets/<host>.yaml`.
    Host,
    /// `secrets/<group>.yaml`.
    Group(String),
}

/// One secret.
#[derive(Clone, Debug, Default)]
pub struct Secret {
    /// Its name.
    pub name: String,
    /// Its options: `key`, `mode`, `owner`, `group`, `format`, `neededForUsers`, `restartUnits`,
    /// `reloadUnits`.
    pub attrs: IndexMap<String, Value>,
}

/// A set of secrets: one `#[derive(Secrets)]` struct.
#[derive(Debug)]
pub struct SecretSet {
    /// The Rust type name.
    pub rust_name: String,
    /// Its scope.
    pub scope: Scope,
    /// Its secrets.
    pub secrets: Vec<Secret>,
    /// The file they come from.
    pub file: String,
}

/// The whole import.
#[derive(Debug, Default)]
pub struct Model {
    /// The fleet's name.
    pub name: String,
    /// The flake's description.
    pub description: Option<String>,
    /// Hosts.
    pub hosts: Vec<Host>,
    /// Profiles.
    pub profiles: Vec<Profile>,
    /// Users.
    pub users: Vec<User>,
    /// The host spec, when `options.hostSpec` was understood.
    pub spec: Option<SpecDecl>,
    /// Secret sets.
    pub secret_sets: Vec<SecretSet>,
    /// Admins' age keys (name, key).
    pub admins: Vec<(String, String)>,
    /// Flake inputs whose modules or files are used: name → url.
    pub inputs: IndexMap<String, String>,
    /// How those inputs are declared: `flake = false`, `follows`.
    pub input_specs: IndexMap<String, (bool, Vec<(String, String)>)>,
    /// Flake outputs besides hosts read back from a generated `parts/dev.nix`: kind
    /// (`dev_shell`, `package`, `check`), name, the expression.
    pub outputs: Vec<(&'static str, String, String)>,
    /// Modules exported for other flakes (`parts/modules.nix`): name, module.
    pub exports: Vec<(String, Kept)>,
    /// The fleet's own overlays (a generated `modules/overlays.nix`), as Nix text.
    pub overlays: Vec<String>,
    /// Feature flags (a generated schema's `features`), each with the profile of its name.
    pub features: Vec<(String, Option<usize>)>,
    /// Constructs not mapped (kept as written, or not imported), with where.
    pub unmapped: Vec<(Loc, String)>,
    /// Notes for the report: what was mapped, merged or left to the generator, with where.
    pub notes: Vec<(Loc, String)>,
    /// Encrypted sops files to copy (repository-relative paths).
    pub secret_files: Vec<String>,
    /// Whether the repository is one this project generated (its flake.nix has the header).
    pub generated: bool,
    /// The fleet's channel, which hosts without their own follow (a generated repository's
    /// schema says it).
    pub channel: Channel,
    /// Typed option sets read back from a generated repository's `modules/options/`.
    pub typed_sets: Vec<TypedSet>,
    /// Standalone homes: user index, machine, system, channel, the machine's own values.
    pub standalone_homes: Vec<(usize, String, System, Channel, Vec<Setting>)>,
}

/// A typed option set (`#[derive(NixOptions)]`), read back from a generated
/// `modules/options/<path>.nix`.
#[derive(Clone, Debug)]
pub struct TypedSet {
    /// The Rust type's name (the file says it: "Declared from `Gnome`").
    pub rust_name: String,
    /// Its option path (`modules.desktop.gnome`), by segment.
    pub path: Vec<String>,
    /// Its options.
    pub fields: Vec<super::spec::Field>,
    /// The struct's doc comment.
    pub doc: Option<String>,
}

/// The fleet name of a file this project generated: its first line is the generated header.
pub fn generated_by(text: &str) -> Option<String> {
    let first = text.lines().next()?;
    let rest = first.strip_prefix(&format!("# {} from fleet \"", crate::tree::MARKER))?;
    rest.split_once("\": ").map(|(name, _)| name.to_owned())
}

/// The comment below the generated header of a file this project generated (a profile's
/// description).
fn generated_comment(text: &str) -> Option<String> {
    generated_by(text)?;
    let lines: Vec<&str> = text.lines().skip(1).take_while(|l| l.starts_with('#')).collect();
    if lines.is_empty() {
        return None;
    }
    Some(lines.iter().map(|l| l.strip_prefix("# ").unwrap_or(l.trim_start_matches('#'))).collect::<Vec<_>>().join("\n"))
}

/// A doc comment's text from the comment lines it was rendered to: a doc comment has no single
/// newline (the derives join a paragraph's lines with spaces), so a line break inside a
/// paragraph was a carriage return; paragraphs are separated by a blank line.
fn doc_text(comment: &str) -> String {
    comment.split("\n\n").map(|p| p.replace('\n', "\r")).collect::<Vec<_>>().join("\n\n")
}

/// A module node of the import graph.
struct Node {
    info: Option<ModuleInfo>,
    file: Option<PathBuf>,
    imports: Vec<String>,
    input_imports: Vec<(String, Vec<String>)>,
    hardware: bool,
}

/// What a module this project generated is, when the importer reads it as the generator's own
/// wiring rather than as a profile.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Infra {
    /// `modules/users.nix` / `modules/users-darwin.nix`: the users, read back.
    Users,
    /// sops-nix, home-manager and overlay wiring: the generator writes it again when needed.
    Wiring,
    /// `modules/options/<path>.nix`: a typed option set's declarations.
    Options,
    /// `hosts/<host>/disko.nix`: the host's disk layouts.
    Disko,
}

/// A btrfs subvolume: name, mount point, mount options, swap file size.
pub type SubvolumeIn = (String, Option<String>, Vec<String>, Option<String>);

/// One disk of a host, as `Disko` builds it.
#[derive(Clone, Debug, Default)]
pub struct Disk {
    /// `disko.devices.disk.<name>`.
    pub name: String,
    /// The device.
    pub device: String,
    /// The EFI system partition's size, when there is one.
    pub esp: Option<String>,
    /// A swap partition's size.
    pub swap: Option<String>,
    /// `ext4`, `btrfs` or `zfs` (with the host id).
    pub layout: String,
    /// The LUKS mapping name, and whether the TPM unlocks it (btrfs).
    pub luks: Option<(String, bool)>,
    /// Subvolumes: name, mount point, mount options, swap file size (btrfs).
    pub subvolumes: Vec<SubvolumeIn>,
    /// `networking.hostId` (ZFS).
    pub host_id: Option<String>,
    /// Mount points needed at boot.
    pub needed_for_boot: Vec<String>,
}

/// The disks of a generated `disko.nix`, or `None` when it is not the generator's shape.
fn read_disko(info: &ModuleInfo) -> Option<Vec<Disk>> {
    let mut root: IndexMap<String, Value> = IndexMap::new();
    for d in &info.defs {
        let mut v = d.value.clone();
        for seg in d.path.iter().rev() {
            v = Value::Attrs(std::iter::once((seg.clone(), v)).collect());
        }
        if let Value::Attrs(m) = v {
            merge_attrs(&mut root, m);
        }
    }
    let at = |v: &Value, path: &[&str]| -> Option<Value> {
        let mut cur = v.clone();
        for p in path {
            cur = match cur {
                Value::Attrs(m) => m.get(*p)?.clone(),
                _ => return None,
            };
        }
        Some(cur)
    };
    let str_at = |v: &Value, path: &[&str]| match at(v, path) {
        Some(Value::Str(s)) => Some(s),
        _ => None,
    };
    let root = Value::Attrs(root);
    let host_id = str_at(&root, &["networking", "hostId"]);
    let mut needed = Vec::new();
    if let Some(Value::Attrs(fs)) = at(&root, &["fileSystems"]) {
        for (mp, v) in fs {
            if matches!(at(&v, &["neededForBoot"]), Some(Value::Bool(true))) {
                needed.push(mp);
            }
        }
    }
    let Some(Value::Attrs(disks)) = at(&root, &["disko", "devices", "disk"]) else { return None };
    let mut out = Vec::new();
    for (name, v) in disks {
        let mut disk = Disk { name, device: str_at(&v, &["device"])?, ..Disk::default() };
        let Some(Value::Attrs(parts)) = at(&v, &["content", "partitions"]) else { return None };
        for (pname, p) in parts {
            match pname.as_str() {
                "ESP" => disk.esp = str_at(&p, &["size"]),
                "swap" => disk.swap = str_at(&p, &["size"]),
                _ => {
                    let mut content = at(&p, &["content"])?;
                    if str_at(&content, &["type"]).as_deref() == Some("luks") {
                        let tpm2 = at(&content, &["settings", "crypttabExtraOpts"]).is_some();
                        disk.luks = Some((str_at(&content, &["name"])?, tpm2));
                        content = at(&content, &["content"])?;
                    }
                    match str_at(&content, &["type"])?.as_str() {
                        "filesystem" => disk.layout = "ext4".into(),
                        "zfs" => {
                            disk.layout = "zfs".into();
                            disk.host_id.clone_from(&host_id);
                        }
                        "btrfs" => {
                            disk.layout = "btrfs".into();
                            if let Some(Value::Attrs(subs)) = at(&content, &["subvolumes"]) {
                                for (sname, s) in subs {
                                    let options = match at(&s, &["mountOptions"]) {
                                        Some(Value::List(items)) => strings(&items)?,
                                        _ => Vec::new(),
                                    };
                                    let swap = str_at(&s, &["swap", "swapfile", "size"]);
                                    disk.subvolumes.push((sname, str_at(&s, &["mountpoint"]), options, swap));
                                }
                            }
                        }
                        _ => return None,
                    }
                }
            }
        }
        out.push(disk);
    }
    // Each disk's own mount points are needed at boot on that disk.
    for mp in needed {
        let owner = out.iter().position(|d| d.subvolumes.iter().any(|s| s.1.as_deref() == Some(mp.as_str())));
        let i = owner.unwrap_or(0);
        if let Some(d) = out.get_mut(i) {
            d.needed_for_boot.push(mp);
        }
    }
    Some(out)
}

/// The users of a generated `modules/users.nix`: each `lib.mkIf (lib.elem "<name>"
/// config.fleet.users) { … }` block, read as a module.
fn read_generated_users(ev: &Eval, info: &ModuleInfo) -> Vec<(String, Vec<Def>)> {
    use rnix::ast;
    use rowan::ast::AstNode;
    let mut out = Vec::new();
    let Some(root) = rnix::Root::parse(&info.src.text).tree().expr() else { return out };
    for node in root.syntax().descendants() {
        let Some(app) = ast::Apply::cast(node) else { continue };
        let (Some(ast::Expr::Apply(head)), Some(body)) = (app.lambda(), app.argument()) else { continue };
        let is_mkif = head.lambda().is_some_and(|f| f.syntax().text() == "lib.mkIf");
        let Some(cond) = head.argument() else { continue };
        if !is_mkif || !cond.syntax().text().to_string().contains("config.fleet.users") {
            continue;
        }
        let name = cond
            .syntax()
            .descendants()
            .find_map(ast::Str::cast)
            .and_then(|s| ev.string(&s, &Default::default(), &info.src));
        let Some(name) = name else { continue };
        let mut args = HashMap::new();
        args.insert("config".to_owned(), Value::Config(Vec::new()));
        args.insert("lib".to_owned(), Value::Lib(Vec::new()));
        args.insert("pkgs".to_owned(), Value::Pkg(Vec::new()));
        let env = super::eval::Env::default().with_names(args);
        let block = read_module(ev, body, &env, &info.src, &HashMap::new());
        out.push((name, block.defs));
    }
    out
}

/// The generator's own wiring modules, by repository path.
fn infra_of(rel: &str, text: &str) -> Option<Infra> {
    generated_by(text)?;
    match rel {
        "modules/users.nix" | "modules/users-darwin.nix" => Some(Infra::Users),
        "modules/secrets.nix" | "modules/secrets-darwin.nix" | "modules/home-manager.nix" | "modules/overlays.nix" => {
            Some(Infra::Wiring)
        }
        _ if rel.starts_with("modules/options/") => Some(Infra::Options),
        _ if rel.starts_with("hosts/") && rel.ends_with("/disko.nix") => Some(Infra::Disko),
        _ => None,
    }
}

/// The typed option set declared by a generated `modules/options/<path>.nix`.
fn read_typed_set(ev: &Eval, root: &Path, info: &ModuleInfo) -> Result<TypedSet, (Loc, String)> {
    let at = Loc { file: info.src.rel.clone(), line: 1 };
    let (src, expr) = parse_file(root, &info.src.path).map_err(|e| (at.clone(), e.to_string()))?;
    let read = read_module_with(ev, expr, &Default::default(), &src, &HashMap::new(), true);
    let decls: Vec<(String, Def)> = read.defs.into_iter().map(|d| (String::new(), d)).collect();
    let path: Vec<String> = match decls.first() {
        Some((_, d)) if d.path.len() > 2 => d.path[1..d.path.len() - 1].to_vec(),
        _ => return Err((at, "no option declarations".into())),
    };
    if decls.iter().any(|(_, d)| d.path.len() != path.len() + 2 || d.path[1..d.path.len() - 1] != path[..]) {
        return Err((at, "options at more than one path".into()));
    }
    let fields = super::spec::read(ev, &decls)?.fields;
    let comment = generated_comment(&src.text).map(|c| doc_text(&c)).unwrap_or_default();
    let (doc, declared) = comment.rsplit_once("\rDeclared from `").unwrap_or(("", &comment));
    let rust_name = declared
        .split('`')
        .next()
        .filter(|n| !n.is_empty())
        .map_or_else(|| upper_camel(&path.join("-")), str::to_owned);
    let doc = (!doc.is_empty() && doc != format!("Options of `{rust_name}`.")).then(|| doc.to_owned());
    Ok(TypedSet { rust_name, path, fields, doc })
}

/// Builds the model of the repository at `root`.
pub fn build(ev: &Eval, root: &Path, flake: Flake, sops: Option<SopsConfig>) -> Result<Model, ImportError> {
    let mut b = Builder2 {
        ev,
        root,
        nodes: IndexMap::new(),
        notes: Vec::new(),
        flake_inputs: flake.inputs_value.clone(),
        generated: std::fs::read_to_string(root.join("flake.nix")).is_ok_and(|t| generated_by(&t).is_some()),
    };
    let mut host_roots: Vec<Vec<String>> = Vec::new();
    for fh in &flake.hosts {
        let mut roots = Vec::new();
        for (i, m) in fh.modules.iter().enumerate() {
            if let Some(key) = b.node(m, &fh.name, i, &fh.loc)? {
                roots.push(key);
            }
        }
        host_roots.push(roots);
    }
    for (loc, what) in &flake.skipped {
        b.notes.push((loc.clone(), format!("not imported: {what}")));
    }
    // Closures, in first-seen order.
    let closures: Vec<Vec<String>> = host_roots.iter().map(|r| b.closure(r)).collect();
    let mut hosts_of: HashMap<String, Vec<usize>> = HashMap::new();
    for (h, c) in closures.iter().enumerate() {
        for k in c {
            hosts_of.entry(k.clone()).or_default().push(h);
        }
    }
    let os_of = |h: usize| match flake.hosts[h].builder {
        Builder::Nixos => Os::Nixos,
        Builder::Darwin => Os::Darwin,
    };
    // Host directories: the directory of a host's root file, unless it is the repository's.
    let host_dirs: Vec<Vec<PathBuf>> = host_roots
        .iter()
        .enumerate()
        .map(|(h, roots)| {
            let name = &flake.hosts[h].name;
            roots
                .iter()
                .filter_map(|k| b.nodes.get(k).and_then(|n| n.file.clone()))
                .filter(|f| named_after(f, name))
                .filter_map(|f| f.parent().map(Path::to_owned))
                .filter(|d| d != root)
                .collect()
        })
        .collect();
    let flake_text = std::fs::read_to_string(root.join("flake.nix")).unwrap_or_default();
    let generated_name = generated_by(&flake_text);
    let mut model = Model {
        name: generated_name.clone().unwrap_or_else(|| fleet_name(root)),
        generated: generated_name.is_some(),
        description: flake.description.clone(),
        ..Model::default()
    };
    // Owners of modules.
    let mut owner_of: IndexMap<String, Owner> = IndexMap::new();
    let mut order: Vec<String> = Vec::new();
    for c in &closures {
        for k in c {
            if !order.contains(k) {
                order.push(k.clone());
            }
        }
    }
    for (h, fh) in flake.hosts.iter().enumerate() {
        let system = fh.system.as_deref().and_then(|s| s.parse::<System>().ok()).unwrap_or(if os_of(h) == Os::Darwin {
            System::Aarch64Darwin
        } else {
            System::X86_64Linux
        });
        let url = flake.inputs.get(&fh.input).cloned().unwrap_or_default();
        let channel =
            if url.contains("unstable") || fh.input.contains("unstable") { Channel::Unstable } else { Channel::Stable };
        model.hosts.push(Host {
            name: fh.name.clone(),
            os: os_of(h),
            system,
            channel,
            profiles: Vec::new(),
            state_version: None,
            spec: IndexMap::new(),
            secrets: Vec::new(),
            age_key: None,
            age_key_file: None,
            deploy: fh.deployment.as_ref().map(deploy_of),
            settings: Vec::new(),
            modules: Vec::new(),
            input_modules: Vec::new(),
            hardware: None,
            homes: Vec::new(),
            home_settings: Vec::new(),
            typed: Vec::new(),
            auto_upgrade: None,
            disks: Vec::new(),
            loc: fh.loc.clone(),
        });
    }
    let mut profile_names: IndexSet<String> = IndexSet::new();
    // Hand-written modules of a generated repository: every importer imports the module itself.
    let mut hand_written: IndexSet<String> = IndexSet::new();
    let mut also_imported_by: Vec<(String, Owner)> = Vec::new();
    let mut generated_users: Vec<(String, Vec<Def>)> = Vec::new();
    let mut disk_layouts: Vec<(usize, Vec<Disk>)> = Vec::new();
    for k in &order {
        let hosts = &hosts_of[k];
        let node = &b.nodes[k];
        let infra = node.info.as_ref().and_then(|i| infra_of(&i.src.rel, &i.src.text));
        if let (Some(infra), Some(info)) = (infra, &node.info) {
            match infra {
                Infra::Users => generated_users.extend(read_generated_users(ev, info)),
                Infra::Options => match read_typed_set(ev, root, info) {
                    Ok(set) => model.typed_sets.push(set),
                    Err((loc, why)) => b.notes.push((loc, format!("typed options not read back: {why}"))),
                },
                Infra::Disko => match (read_disko(info), hosts.first()) {
                    (Some(disks), Some(h)) => disk_layouts.push((*h, disks)),
                    _ => {
                        b.notes.push((Loc { file: info.src.rel.clone(), line: 1 }, "disk layout not read back".into()))
                    }
                },
                Infra::Wiring => {}
            }
            continue;
        }
        if node.info.is_none() && node.file.is_none() {
            // A flake input's module listed in a host's `modules`: the host imports it.
            for h in hosts {
                for (input, path) in &node.input_imports {
                    if !generator_input(input) {
                        if let Some(url) = flake.inputs.get(input) {
                            model.inputs.insert(input.clone(), url.clone());
                        }
                        model.hosts[*h].input_modules.push((input.clone(), path.clone()));
                    }
                }
            }
            continue;
        }
        // A hand-written module of a generated repository belongs to the generated file that
        // imports it.
        let importer = node.file.as_ref().filter(|_| b.generated).and_then(|f| {
            let text = node.info.as_ref().map(|i| i.src.text.as_str()).unwrap_or_default();
            generated_by(text).is_none().then_some(f)?;
            order.iter().find(|o| b.nodes[*o].imports.contains(k)).and_then(|o| owner_of.get(o).copied())
        });
        if let Some(owner) = importer {
            owner_of.insert(k.clone(), owner);
            hand_written.insert(k.clone());
            continue;
        }
        let own = if hosts.len() == 1 {
            let h = hosts[0];
            let in_dir = node.file.as_ref().is_some_and(|f| host_dirs[h].iter().any(|d| f.starts_with(d)));
            let named = node.file.as_ref().is_some_and(|f| named_after(f, &flake.hosts[h].name));
            (node.file.is_none() || in_dir || named).then_some(h)
        } else {
            None
        };
        if let Some(h) = own {
            owner_of.insert(k.clone(), Owner::Host(h));
            continue;
        }
        let rel = node.file.as_ref().map(|f| rel_of(root, f)).unwrap_or_default();
        let name = unique_name(&profile_name(&rel), &mut profile_names);
        let oses: IndexSet<Os> = hosts.iter().map(|h| os_of(*h)).collect();
        let target = if oses.len() == 1 { oses.first().copied() } else { None };
        let description = node.info.as_ref().and_then(|i| generated_comment(&i.src.text));
        model.profiles.push(Profile { name, from: rel, target, description, ..Profile::default() });
        owner_of.insert(k.clone(), Owner::Profile(model.profiles.len() - 1));
    }
    // Imports: profiles import profiles; hosts get the profiles their own modules import.
    for k in &order {
        let Some(&owner) = owner_of.get(k) else { continue };
        let node = &b.nodes[k];
        for imp in &node.imports {
            let Some(&target) = owner_of.get(imp) else { continue };
            if hand_written.contains(imp) {
                if target != owner {
                    also_imported_by.push((imp.clone(), owner));
                }
                continue;
            }
            match (owner, target) {
                (Owner::Profile(p), Owner::Profile(q)) if p != q && !model.profiles[p].imports.contains(&q) => {
                    model.profiles[p].imports.push(q);
                }
                (Owner::Host(h), Owner::Profile(q)) if !model.hosts[h].profiles.contains(&q) => {
                    model.hosts[h].profiles.push(q);
                }
                _ => {}
            }
        }
        for (input, path) in &node.input_imports {
            if generator_input(input) {
                continue;
            }
            if let Some(url) = flake.inputs.get(input) {
                model.inputs.insert(input.clone(), url.clone());
            }
            match owner {
                Owner::Host(h) => model.hosts[h].input_modules.push((input.clone(), path.clone())),
                Owner::Profile(p) => model.profiles[p].input_modules.push((input.clone(), path.clone())),
            }
        }
    }
    // Host roots that are profiles (a shared file listed in the flake's `modules`).
    for (h, roots) in host_roots.iter().enumerate() {
        for k in roots {
            if let Some(Owner::Profile(q)) = owner_of.get(k) {
                if !model.hosts[h].profiles.contains(q) {
                    model.hosts[h].profiles.push(*q);
                }
            }
        }
    }
    // Definitions.
    let mut defs: Vec<(Owner, String, Def)> = Vec::new();
    for k in &order {
        let Some(&owner) = owner_of.get(k) else { continue };
        let node = &b.nodes[k];
        if node.hardware {
            if let (Owner::Host(h), Some(f)) = (owner, &node.file) {
                let text =
                    std::fs::read_to_string(f).map_err(|source| ImportError::Read { path: f.clone(), source })?;
                // The system, when the flake does not say it: the hardware configuration's
                // `nixpkgs.hostPlatform` (nixos-generate-config writes it under lib.mkDefault).
                if flake.hosts[h].system.is_none() {
                    if let Ok((src, expr)) = parse_file(root, f) {
                        let info = read_module(ev, expr, &Default::default(), &src, &HashMap::new());
                        let platform =
                            info.defs.iter().find(|d| d.path == ["nixpkgs", "hostPlatform"]).map(|d| &d.value);
                        let platform = match platform {
                            Some(Value::Prio(Prio::Default, v)) => Some(&**v),
                            other => other,
                        };
                        if let Some(system) = platform.and_then(|v| match v {
                            Value::Str(s) => s.parse::<System>().ok(),
                            _ => None,
                        }) {
                            model.hosts[h].system = system;
                        }
                    }
                }
                model.hosts[h].hardware = Some((rel_of(root, f), text));
            }
            continue;
        }
        if let Some(info) = &node.info {
            if info.verbatim.is_none() {
                for d in &info.defs {
                    defs.push((owner, k.clone(), d.clone()));
                }
            }
        }
    }
    let mut kept: HashMap<String, Vec<(Def, &'static str)>> = HashMap::new();
    let mut mapper =
        Mapper { ev, root, model: &mut model, closures: &closures, owner_of: &owner_of, kept: &mut kept, sops };
    mapper.generated_users(generated_users);
    for (h, disks) in disk_layouts {
        mapper.model.hosts[h].disks = disks;
    }
    mapper.map_all(defs);
    mapper.standalone_homes(&flake.homes);
    mapper.finish()?;
    // Kept modules.
    for k in &order {
        let node = &b.nodes[k];
        if node.hardware {
            continue;
        }
        let Some(info) = &node.info else { continue };
        let Some(&owner) = owner_of.get(k) else { continue };
        let kept_defs = kept.remove(k).unwrap_or_default();
        let path = match &node.file {
            Some(f) => module_path(&rel_of(root, f), "modules/"),
            None => format!("{}/inline", inline_dir(k)),
        };
        let keep = match &info.verbatim {
            Some(_) if model.generated && generated_by(&info.src.text).is_none() => Some(info.src.text.clone()),
            Some(v) => {
                model.unmapped.push((v.loc.clone(), format!("{}: kept whole in modules/{path}.nix", v.reason)));
                Some(verbatim_text(info))
            }
            None if kept_defs.is_empty() => None,
            None => {
                for (d, why) in &kept_defs {
                    let what = format!("`{}` ({why}): kept in modules/{path}.nix", d.path.join("."));
                    model.unmapped.push((d.loc.clone(), what));
                }
                let defs: Vec<Def> = kept_defs.into_iter().map(|(d, _)| d).collect();
                Some(residual_text(info, &defs))
            }
        };
        let Some(text) = keep else { continue };
        let from = info.src.rel.clone();
        let whole = info.verbatim.is_some();
        let kept = Kept { path, text, from, whole };
        let owners = std::iter::once(owner).chain(also_imported_by.iter().filter(|(m, _)| m == k).map(|(_, o)| *o));
        for owner in owners {
            match owner {
                Owner::Host(h) => model.hosts[h].modules.push(kept.clone()),
                Owner::Profile(p) => model.profiles[p].modules.push(kept.clone()),
            }
        }
    }
    dissolve_empty(&mut model);
    // Inputs whose files are values.
    let mut files = Vec::new();
    for s in model.hosts.iter().flat_map(|h| &h.settings).chain(model.profiles.iter().flat_map(|p| &p.settings)) {
        input_files(&s.value, &mut files);
    }
    for input in files {
        if let Some(url) = flake.inputs.get(&input) {
            model.inputs.insert(input, url.clone());
        }
    }
    model.input_specs = flake.input_specs.clone();
    if model.generated {
        read_flake_parts(root, &mut model);
    }
    if model.generated {
        own_tags(&mut model);
        // The fleet's host order, which flake outputs (NixOS, then nix-darwin) do not keep: the
        // generated README's hosts table has it.
        let readme = std::fs::read_to_string(root.join("README.md")).unwrap_or_default();
        let at = |name: &str| readme.find(&format!("| `{name}` |")).unwrap_or(usize::MAX);
        model.hosts.sort_by_key(|h| at(&h.name));
        let schema = std::fs::read_to_string(root.join("fleet.schema.json")).unwrap_or_default();
        if schema.contains("without it, the fleet's channel (`unstable`)") {
            model.channel = Channel::Unstable;
        }
    }
    model.unmapped.append(&mut b.notes);
    model.unmapped.sort();
    model.unmapped.dedup();
    model.notes.sort();
    model.notes.dedup();
    Ok(model)
}

/// Profiles left empty by the mapping (a module that only declared `options.hostSpec`, say)
/// are dissolved: whoever imports one imports its imports instead.
fn dissolve_empty(model: &mut Model) {
    for p in &mut model.profiles {
        p.dissolved = p.is_empty();
    }
    fn expand(profiles: &[Profile], list: &[usize], out: &mut Vec<usize>, depth: usize) {
        for &p in list {
            if profiles[p].dissolved && depth < 64 {
                expand(profiles, &profiles[p].imports, out, depth + 1);
            } else if !out.contains(&p) {
                out.push(p);
            }
        }
    }
    for i in 0..model.profiles.len() {
        let mut out = Vec::new();
        expand(&model.profiles, &model.profiles[i].imports, &mut out, 0);
        out.retain(|q| *q != i);
        model.profiles[i].imports = out;
    }
    for h in 0..model.hosts.len() {
        let mut out = Vec::new();
        expand(&model.profiles, &model.hosts[h].profiles, &mut out, 0);
        model.hosts[h].profiles = out;
    }
}

/// Whether a flake input is one the generator wires itself when the fleet needs it.
fn generator_input(input: &str) -> bool {
    matches!(
        input,
        "nixpkgs"
            | "nixpkgs-unstable"
            | "nixpkgs-darwin"
            | "flake-parts"
            | "nix-darwin"
            | "nix-darwin-unstable"
            | "home-manager"
            | "home-manager-unstable"
            | "sops-nix"
            | "disko"
            | "colmena"
    )
}

/// In a generated repository, colmena tags hold the host's profiles and `nixos` before its own:
/// only its own are read back.
fn own_tags(model: &mut Model) {
    for h in 0..model.hosts.len() {
        let mut names: Vec<String> = vec!["nixos".into()];
        let mut stack = model.hosts[h].profiles.clone();
        while let Some(p) = stack.pop() {
            if !names.contains(&model.profiles[p].name) {
                names.push(model.profiles[p].name.clone());
                stack.extend(model.profiles[p].imports.iter().copied());
            }
        }
        if let Some(d) = &mut model.hosts[h].deploy {
            d.tags.retain(|t| !names.contains(t));
        }
    }
}

/// Whether a file is named after a host: `hosts/<host>.nix` or `hosts/<host>/…`.
fn named_after(f: &Path, host: &str) -> bool {
    let dir = f.parent().and_then(Path::file_name).map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    let in_hosts_dir = matches!(dir.as_str(), "hosts" | "machines" | "systems" | "nixos" | "darwin");
    (in_hosts_dir && f.file_stem().is_some_and(|s| s.to_string_lossy() == host)) || dir == host
}

fn inline_dir(key: &str) -> String {
    // `inline:<host>:<index>`
    let mut parts = key.splitn(3, ':').skip(1);
    let host = parts.next().unwrap_or("host");
    let i = parts.next().unwrap_or("0");
    format!("hosts/{host}/flake-{i}")
}

/// The module path of a repository file: without `.nix` and a leading `strip`.
pub fn module_path(rel: &str, strip: &str) -> String {
    let p = rel.strip_suffix(".nix").unwrap_or(rel);
    let p = p.strip_suffix("/default").unwrap_or(p);
    p.strip_prefix(strip).unwrap_or(p).to_owned()
}

/// A path relative to the repository.
pub fn rel_of(root: &Path, f: &Path) -> String {
    f.strip_prefix(root).unwrap_or(f).display().to_string()
}

fn fleet_name(root: &Path) -> String {
    let raw = root.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "fleet".into());
    let name: String =
        raw.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '-' }).collect();
    let name = name.trim_matches('-').to_owned();
    if name.is_empty() {
        "fleet".into()
    } else {
        name
    }
}

fn profile_name(rel: &str) -> String {
    let p = rel.strip_suffix(".nix").unwrap_or(rel);
    let p = p.strip_suffix("/default").unwrap_or(p);
    let last = p.rsplit('/').next().unwrap_or(p);
    let name: String =
        last.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '-' }).collect();
    if name.is_empty() {
        "profile".into()
    } else {
        name
    }
}

fn unique_name(base: &str, taken: &mut IndexSet<String>) -> String {
    let mut name = base.to_owned();
    let mut i = 2;
    while taken.contains(&name) {
        name = format!("{base}-{i}");
        i += 1;
    }
    taken.insert(name.clone());
    name
}

fn deploy_of(v: &Value) -> Deploy {
    let get = |k: &str| match v {
        Value::Attrs(m) => m.get(k).cloned(),
        _ => None,
    };
    let s = |k: &str| match get(k) {
        Some(Value::Str(s)) => Some(s),
        _ => None,
    };
    Deploy {
        local: matches!(get("targetHost"), Some(Value::Null)),
        target_host: s("targetHost"),
        target_user: s("targetUser"),
        target_port: match get("targetPort") {
            Some(Value::Int(i)) => Some(i),
            _ => None,
        },
        tags: match get("tags") {
            Some(Value::List(items)) => {
                items.iter().filter_map(|i| if let Value::Str(s) = i { Some(s.clone()) } else { None }).collect()
            }
            _ => Vec::new(),
        },
        allow_local: matches!(get("allowLocalDeployment"), Some(Value::Bool(true))),
        build_on_target: matches!(get("buildOnTarget"), Some(Value::Bool(true))),
    }
}

struct Builder2<'a> {
    ev: &'a Eval,
    root: &'a Path,
    nodes: IndexMap<String, Node>,
    notes: Vec<(Loc, String)>,
    flake_inputs: Value,
    /// Whether the repository is one this project generated: its hand-written modules are
    /// then kept exactly as they are, imports included.
    generated: bool,
}

impl Builder2<'_> {
    fn args(&self) -> HashMap<String, Value> {
        let mut args = HashMap::new();
        args.insert("inputs".to_owned(), self.flake_inputs.clone());
        args
    }

    /// The node of a module reference, read (with its imports) when new.
    fn node(&mut self, m: &ModuleRef, host: &str, index: usize, at: &Loc) -> Result<Option<String>, ImportError> {
        match m {
            ModuleRef::File(p) => self.file_node(p, at).map(Some),
            ModuleRef::Inline(v) => {
                let key = format!("inline:{host}:{index}");
                if self.nodes.contains_key(&key) {
                    return Ok(Some(key));
                }
                let Value::Lazy(t) = v else { return Ok(None) };
                let info = read_module(self.ev, t.expr().clone(), t.env(), t.src(), &self.args());
                self.insert_node(key.clone(), None, info, at)?;
                Ok(Some(key))
            }
            ModuleRef::Input(input, path) => {
                // Recorded on the host's first root instead: a pseudo node.
                let key = format!("input:{input}:{}", path.join("."));
                if !self.nodes.contains_key(&key) {
                    self.nodes.insert(
                        key.clone(),
                        Node {
                            info: None,
                            file: None,
                            imports: Vec::new(),
                            input_imports: vec![(input.clone(), path.clone())],
                            hardware: false,
                        },
                    );
                }
                Ok(Some(key))
            }
            ModuleRef::Opaque(loc, text) => {
                self.notes.push((loc.clone(), format!("module `{}` is not a file or an input module the importer can follow: add it to the fleet by hand", text.trim())));
                Ok(None)
            }
        }
    }

    fn file_node(&mut self, p: &Path, at: &Loc) -> Result<String, ImportError> {
        let file = if p.is_dir() { p.join("default.nix") } else { p.to_owned() };
        let key = file.display().to_string();
        if self.nodes.contains_key(&key) {
            return Ok(key);
        }
        if !file.is_file() {
            return Err(ImportError::MissingModule { from: at.to_string(), path: file });
        }
        if file.file_name().is_some_and(|n| n == "hardware-configuration.nix") {
            self.nodes.insert(
                key.clone(),
                Node { info: None, file: Some(file), imports: Vec::new(), input_imports: Vec::new(), hardware: true },
            );
            return Ok(key);
        }
        let (src, expr) = parse_file(self.root, &file)?;
        let mut info = read_module(self.ev, expr, &Default::default(), &src, &self.args());
        if self.generated && generated_by(&src.text).is_none() {
            // A hand-written module of a generated repository: the user's file, as it is.
            info.imports.clear();
            info.imports_range = None;
            info.verbatim =
                Some(super::modules::Verbatim { loc: Loc { file: src.rel.clone(), line: 1 }, reason: String::new() });
        }
        self.insert_node(key.clone(), Some(file), info, at)?;
        Ok(key)
    }

    fn insert_node(
        &mut self,
        key: String,
        file: Option<PathBuf>,
        info: ModuleInfo,
        _at: &Loc,
    ) -> Result<(), ImportError> {
        let refs = info.imports.clone();
        let from = Loc { file: info.src.rel.clone(), line: 1 };
        self.nodes.insert(
            key.clone(),
            Node { info: Some(info), file, imports: Vec::new(), input_imports: Vec::new(), hardware: false },
        );
        let mut imports = Vec::new();
        let mut input_imports = Vec::new();
        for (i, r) in refs.iter().enumerate() {
            match r {
                ModuleRef::Input(input, path) => input_imports.push((input.clone(), path.clone())),
                other => {
                    if let Some(k) = self.node(other, &key.replace(':', "-"), 100 + i, &from)? {
                        imports.push(k);
                    }
                }
            }
        }
        if let Some(n) = self.nodes.get_mut(&key) {
            n.imports = imports;
            n.input_imports = input_imports;
        }
        Ok(())
    }

    fn closure(&self, roots: &[String]) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        let mut stack: Vec<String> = roots.iter().rev().cloned().collect();
        while let Some(k) = stack.pop() {
            if out.contains(&k) {
                continue;
            }
            if let Some(n) = self.nodes.get(&k) {
                stack.extend(n.imports.iter().rev().cloned());
            }
            out.push(k);
        }
        out
    }
}

/// The text of a module kept whole: the file without its `imports` (which became profile
/// imports).
fn verbatim_text(info: &ModuleInfo) -> String {
    let text =
        if info.formals.is_some() || info.src.text.trim_start().starts_with('{') { &info.src.text } else { &info.text };
    let body = match info.imports_range {
        Some((start, end)) if text.len() >= end => {
            format!("{}{}", &text[..start], text[end..].trim_start_matches(' '))
        }
        _ => text.clone(),
    };
    let mut out = format!("# Kept by `fleet import` from {}.\n", info.src.rel);
    out.push_str(&body);
    if !out.ends_with('\n') {
        out.push('\n');
    }
    out
}

/// The text of the definitions of a module that could not be mapped, as a module.
fn residual_text(info: &ModuleInfo, defs: &[Def]) -> String {
    let mut out = format!("# Kept by `fleet import` from {}: the definitions it could not map.\n", info.src.rel);
    if let Some(f) = &info.formals {
        out.push_str(f);
        out.push_str(":\n");
    }
    if let Some(l) = &info.let_text {
        out.push_str("let\n  ");
        out.push_str(l);
        out.push_str("\nin\n");
    }
    out.push_str("{\n");
    for d in defs {
        out.push_str("  ");
        out.push_str(&dotted(&d.path));
        out.push_str(" = ");
        out.push_str(&d.text);
        out.push_str(";\n");
    }
    out.push_str("}\n");
    out
}

/// A Nix attribute path, segments quoted where they are not identifiers.
pub fn dotted(path: &[String]) -> String {
    path.iter().map(|s| nix_attr(s)).collect::<Vec<_>>().join(".")
}

fn nix_attr(s: &str) -> String {
    let ident = s.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && s.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '\''))
        && !matches!(s, "if" | "then" | "else" | "let" | "in" | "with" | "rec" | "inherit" | "assert" | "or");
    if ident {
        s.to_owned()
    } else {
        format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\"").replace("${", "\\${"))
    }
}

/// Maps definitions to the fleet.
struct Mapper<'a> {
    ev: &'a Eval,
    root: &'a Path,
    model: &'a mut Model,
    closures: &'a [Vec<String>],
    owner_of: &'a IndexMap<String, Owner>,
    kept: &'a mut HashMap<String, Vec<(Def, &'static str)>>,
    sops: Option<SopsConfig>,
}

/// An automatic upgrade: the flake, the schedule, and the reboot window (lower, upper).
pub type Upgrade = (String, String, Option<(String, String)>);

/// A secret declared in a module: its owner, the module's key, its name, its options, and the
/// definition (for its place).
type SecretSite = (Owner, String, String, IndexMap<String, Value>, Def);

/// A home given in a module: its owner, its modules, and their `home.stateVersion`.
type HomeSite = (Owner, Vec<Kept>, Option<String>);

/// A user's definitions in one module.
struct UserSite {
    owner: Owner,
    key: String,
    attrs: IndexMap<String, (Value, Def)>,
}

impl Mapper<'_> {
    /// Values of typed option sets: a profile's under `lib.mkDefault`, a host's plain, each
    /// fitting its option's type; any other goes the untyped way.
    fn typed(&mut self, sites: Vec<(Owner, String, usize, String, Def)>) {
        for (owner, key, t, field, d) in sites {
            let (prio, value) = match &d.value {
                Value::Prio(p, v) => (Some(*p), (**v).clone()),
                v => (None, v.clone()),
            };
            let fits = self.model.typed_sets[t]
                .fields
                .iter()
                .find(|f| f.name == field)
                .is_some_and(|f| f.ty.value(&value).is_some());
            let list = match (owner, prio) {
                (Owner::Profile(p), Some(Prio::Default)) if fits => &mut self.model.profiles[p].typed,
                (Owner::Host(h), None) if fits => &mut self.model.hosts[h].typed,
                _ => {
                    self.setting(owner, &key, d);
                    continue;
                }
            };
            match list.iter_mut().find(|(i, _)| *i == t) {
                Some((_, values)) => match (values.get_mut(&field), value) {
                    (Some(Value::Attrs(old)), Value::Attrs(new)) => merge_attrs(old, new),
                    (_, value) => {
                        values.insert(field, value);
                    }
                },
                None => list.push((t, std::iter::once((field, value)).collect())),
            }
        }
    }

    /// Users read back from a generated `modules/users.nix`.
    fn generated_users(&mut self, users: Vec<(String, Vec<Def>)>) {
        for (name, defs) in users {
            let mut attrs: IndexMap<String, (Value, Def)> = IndexMap::new();
            let mut home_file: Option<PathBuf> = None;
            let Some(first) = defs.first().cloned() else { continue };
            attrs.insert("__name".into(), (Value::Str(name.clone()), first));
            for d in defs {
                let p: Vec<&str> = d.path.iter().map(String::as_str).collect();
                match p.as_slice() {
                    ["users", "users", n] if *n == name => {
                        if let Value::Attrs(m) = &d.value {
                            for (k, v) in m {
                                // nix-darwin's home directory is the generator's.
                                if k == "home" && matches!(v, Value::Str(h) if *h == format!("/Users/{name}")) {
                                    continue;
                                }
                                attrs.insert(k.clone(), (v.clone(), d.clone()));
                            }
                        }
                    }
                    ["programs", _, "enable"] => {}
                    ["home-manager", "users", n] if *n == name => match &d.value {
                        Value::Path(p) | Value::Import(p) => home_file = Some(p.clone()),
                        _ => self
                            .model
                            .unmapped
                            .push((d.loc.clone(), format!("home of generated user `{name}` is not read back"))),
                    },
                    _ => self.model.unmapped.push((
                        d.loc.clone(),
                        format!("`{}` of generated user `{name}` is not read back", d.path.join(".")),
                    )),
                }
            }
            if self.model.users.iter().any(|u| u.name == name) {
                // Declared again for the other platform (users.nix and users-darwin.nix).
                continue;
            }
            let site = UserSite { owner: Owner::Host(0), key: String::new(), attrs };
            let mut u = self.new_user(&name, &site);
            if let Some(f) = home_file {
                self.generated_home(&mut u, &f);
            }
            self.model.users.push(u);
        }
    }

    /// Standalone homes of a generated repository: the user (from its generated home file, when
    /// no host has the user) and the machine's own values.
    fn standalone_homes(&mut self, homes: &[(String, String, Option<String>, Vec<ModuleRef>)]) {
        for (name, input, system, modules) in homes {
            let at = Loc { file: "flake.nix".into(), line: 0 };
            let Some((user, machine)) = name.split_once('@') else {
                self.model.unmapped.push((at, format!("home `{name}` is not named `user@machine`")));
                continue;
            };
            let system = system.as_deref().and_then(|s| s.parse::<System>().ok());
            let (Some(system), true) = (system, self.model.generated) else {
                self.model.unmapped.push((at, format!("home `{name}` is not read back")));
                continue;
            };
            let u = match self.model.users.iter().position(|u| u.name == user) {
                Some(u) => u,
                None => {
                    let mut u = User { name: user.to_owned(), ..User::default() };
                    if let Some(ModuleRef::File(f)) = modules.first() {
                        self.generated_home(&mut u, f);
                    }
                    self.model.users.push(u);
                    self.model.users.len() - 1
                }
            };
            let mut settings = Vec::new();
            for m in modules.iter().skip(2) {
                if let ModuleRef::Inline(Value::Lazy(t)) = m {
                    let d = Def {
                        path: Vec::new(),
                        value: Value::Null,
                        loc: t.src().at(t.expr()),
                        text: String::new(),
                        expr: t.expr().clone(),
                        env: t.env().clone(),
                        src: std::rc::Rc::clone(t.src()),
                    };
                    settings.extend(self.inline_home(&d).unwrap_or_default());
                }
            }
            let channel = if input.ends_with("-unstable") { Channel::Unstable } else { Channel::Stable };
            self.model.standalone_homes.push((u, machine.to_owned(), system, channel, settings));
        }
    }

    /// A host's addition to a user's home, written inline in a generated host file: its values.
    fn inline_home(&mut self, d: &Def) -> Option<Vec<Setting>> {
        generated_by(&d.src.text)?;
        let info = read_module(self.ev, d.expr.clone(), &d.env, &d.src, &HashMap::new());
        if info.verbatim.is_some() || !info.imports.is_empty() {
            return None;
        }
        let mut out = Vec::new();
        for d in info.defs {
            let value = if is_static(&d.value) { d.value.clone() } else { raw_value(&d, None) };
            let method = if matches!(value, Value::List(_)) { Method::Add } else { Method::Set };
            out.push(Setting { method, path: dotted(&d.path), value, loc: d.loc.clone() });
        }
        Some(out)
    }

    /// A generated `home/<user>.nix`: its hand-written modules, state version and values.
    fn generated_home(&mut self, u: &mut User, file: &Path) {
        let Ok((src, expr)) = parse_file(self.root, file) else {
            self.model.unmapped.push((Loc { file: rel_of(self.root, file), line: 1 }, "home cannot be read".into()));
            return;
        };
        let mut args = HashMap::new();
        args.insert("inputs".to_owned(), Value::Opaque(Loc { file: src.rel.clone(), line: 1 }));
        let info = read_module(self.ev, expr, &Default::default(), &src, &args);
        if let Some(v) = &info.verbatim {
            self.model.unmapped.push((v.loc.clone(), format!("home not read back: {}", v.reason)));
            return;
        }
        let mut mods = Vec::new();
        for r in &info.imports {
            if let ModuleRef::File(p) = r {
                let rel = rel_of(self.root, p);
                let text = std::fs::read_to_string(p).unwrap_or_default();
                mods.push(Kept { path: module_path(&rel, "home/modules/"), text, from: rel, whole: true });
            }
        }
        for d in info.defs {
            if d.path == ["home", "stateVersion"] {
                if !is_fleet_default(&d.value) {
                    if let Value::Str(s) = &d.value {
                        u.home_state_version = Some(s.clone());
                    }
                }
                continue;
            }
            let value = if is_static(&d.value) { d.value.clone() } else { raw_value(&d, None) };
            let method = if matches!(value, Value::List(_)) { Method::Add } else { Method::Set };
            u.home_settings.push(Setting { method, path: dotted(&d.path), value, loc: d.loc.clone() });
        }
        u.home = Some(mods);
    }

    /// Whether `value`, defined by `owner` in a generated repository, is the
    /// `nix.settings.trusted-users` the generator writes for the host's deployment user: root,
    /// then that user.
    fn generated_trusted_users(&self, owner: Owner, value: &Value) -> bool {
        let Owner::Host(h) = owner else { return false };
        let Some(user) = self.model.hosts[h].deploy.as_ref().and_then(|d| d.target_user.as_deref()) else {
            return false;
        };
        let Value::List(items) = value else { return false };
        user != "root" && strings(items).is_some_and(|users| users == ["root", user])
    }

    fn keep(&mut self, key: &str, d: Def) {
        self.keep_because(key, d, "not a static value");
    }

    fn keep_because(&mut self, key: &str, d: Def, why: &'static str) {
        self.kept.entry(key.to_owned()).or_default().push((d, why));
    }

    fn map_all(&mut self, defs: Vec<(Owner, String, Def)>) {
        let mut spec_decls: Vec<(String, Def)> = Vec::new();
        let mut spec_values: Vec<(Owner, String, Def)> = Vec::new();
        let mut user_sites: Vec<UserSite> = Vec::new();
        let mut secret_sites: Vec<SecretSite> = Vec::new();
        let mut default_files: HashMap<(Owner, String), Value> = HashMap::new();
        let mut home_sites: Vec<(Owner, String, String, Def)> = Vec::new();
        let mut typed_sites: Vec<(Owner, String, usize, String, Def)> = Vec::new();
        let mut upgrades: IndexMap<usize, Vec<(String, Def)>> = IndexMap::new();
        for (owner, key, d) in defs {
            let p: Vec<&str> = d.path.iter().map(String::as_str).collect();
            let upgrade = matches!(
                p.as_slice(),
                ["system", "autoUpgrade", ..] | ["launchd", "daemons", "fleet-auto-upgrade", ..]
            );
            if let (true, true, Owner::Host(h)) = (upgrade, self.model.generated, owner) {
                upgrades.entry(h).or_default().push((key, d));
                continue;
            }
            let typed = self.model.typed_sets.iter().position(|t| {
                d.path.len() > t.path.len()
                    && d.path[..t.path.len()] == t.path[..]
                    && t.fields.iter().any(|f| f.name == d.path[t.path.len()])
            });
            if let Some(t) = typed {
                let depth = self.model.typed_sets[t].path.len();
                let field = d.path[depth].clone();
                // An attribute-set option written key by key: its keys, nested again.
                let mut d = d;
                if d.path.len() > depth + 1 {
                    let (prio, mut v) = match &d.value {
                        Value::Prio(p, v) => (Some(*p), (**v).clone()),
                        v => (None, v.clone()),
                    };
                    for seg in d.path[depth + 1..].iter().rev() {
                        v = Value::Attrs(std::iter::once((seg.clone(), v)).collect());
                    }
                    d.value = match prio {
                        Some(p) => Value::Prio(p, Box::new(v)),
                        None => v,
                    };
                    d.path.truncate(depth + 1);
                }
                typed_sites.push((owner, key, t, field, d));
                continue;
            }
            let p: Vec<&str> = d.path.iter().map(String::as_str).collect();
            match p.as_slice() {
                ["fleet", "users"] if self.model.generated => {
                    let names = match &d.value {
                        Value::List(items) => strings(items).unwrap_or_default(),
                        _ => Vec::new(),
                    };
                    for n in names {
                        match (owner, self.model.users.iter().position(|u| u.name == n)) {
                            (Owner::Profile(p), Some(u)) => self.model.profiles[p].users.push(u),
                            _ => self.model.unmapped.push((d.loc.clone(), format!("user `{n}` of `fleet.users` is not read back"))),
                        }
                    }
                }
                ["system", "primaryUser"]
                    if self.model.generated && matches!(&d.value, Value::Str(u) if self.model.users.iter().any(|x| x.name == *u)) => {}
                ["networking", "hostName"] => {
                    match (owner, &d.value) {
                        (Owner::Host(h), Value::Str(s)) if *s == self.model.hosts[h].name => {}
                        (Owner::Host(h), Value::Str(s)) => self.model.notes.push((d.loc.clone(), format!("`networking.hostName = \"{s}\"` differs from the host's name `{}`: the fleet names it `{}`", self.model.hosts[h].name, self.model.hosts[h].name))),
                        _ => self.model.notes.push((d.loc.clone(), "`networking.hostName` is set from the host's name by the fleet".into())),
                    }
                }
                ["system", "stateVersion"] if self.model.generated && is_fleet_default(&d.value) => {}
                ["system", "stateVersion"] => match owner {
                    Owner::Host(h) if is_static(&d.value) => self.model.hosts[h].state_version = Some(d.value.clone()),
                    Owner::Profile(_) if is_static(&d.value) => {
                        for h in 0..self.model.hosts.len() {
                            if self.model.hosts[h].state_version.is_none() && self.host_has(h, &key) {
                                self.model.hosts[h].state_version = Some(d.value.clone());
                            }
                        }
                    }
                    _ => self.keep(&key, d),
                },
                ["nixpkgs", "hostPlatform"] => match (owner, &d.value) {
                    (Owner::Host(h), Value::Str(s)) if s.parse::<System>().is_ok() => {
                        self.model.hosts[h].system = s.parse::<System>().unwrap_or(self.model.hosts[h].system);
                    }
                    _ => self.keep(&key, d),
                },
                ["options", "hostSpec", ..] => spec_decls.push((key, d)),
                ["hostSpec", ..] if p.len() >= 2 => spec_values.push((owner, key, d)),
                ["users", "users", name, rest @ ..] => {
                    let name = (*name).to_owned();
                    let site = match user_sites.iter_mut().find(|s| s.owner == owner && s.key == key && s.attrs.get("__name").is_some_and(|(v, _)| matches!(v, Value::Str(n) if *n == name))) {
                        Some(s) => s,
                        None => {
                            let mut attrs = IndexMap::new();
                            attrs.insert("__name".to_owned(), (Value::Str(name.clone()), d.clone()));
                            user_sites.push(UserSite { owner, key: key.clone(), attrs });
                            let last = user_sites.len() - 1;
                            &mut user_sites[last]
                        }
                    };
                    if rest.is_empty() {
                        if let Value::Attrs(m) = &d.value {
                            for (k, v) in m {
                                site.attrs.insert(k.clone(), (v.clone(), d.clone()));
                            }
                        } else {
                            self.keep(&key, d);
                        }
                    } else {
                        let mut v = d.value.clone();
                        for seg in rest[1..].iter().rev() {
                            v = Value::Attrs(std::iter::once(((*seg).to_owned(), v)).collect());
                        }
                        site.attrs.insert(rest[0].to_owned(), (v, d.clone()));
                    }
                }
                ["sops", "secrets", name, rest @ ..] => {
                    let name = (*name).to_owned();
                    let mut attrs = IndexMap::new();
                    if rest.is_empty() {
                        match &d.value {
                            Value::Attrs(m) => attrs = m.clone(),
                            _ => {
                                self.keep(&key, d);
                                continue;
                            }
                        }
                    } else {
                        attrs.insert(rest.join("."), d.value.clone());
                    }
                    match secret_sites.iter_mut().find(|s| s.0 == owner && s.2 == name) {
                        Some(s) => s.3.extend(attrs),
                        None => secret_sites.push((owner, key, name, attrs, d)),
                    }
                }
                ["sops", "defaultSopsFile"] => {
                    default_files.insert((owner, key.clone()), d.value.clone());
                }
                ["sops", "age", "keyFile"] => match (owner, &d.value) {
                    (Owner::Host(h), Value::Str(s)) => self.model.hosts[h].age_key_file = Some(s.clone()),
                    _ => self.keep(&key, d),
                },
                ["sops", "age", "sshKeyPaths"] | ["sops", "age", "generateKey"] => {
                    self.model.notes.push((d.loc.clone(), format!("`{}`: the fleet's modules/secrets.nix sets how hosts decrypt", d.path.join("."))));
                }
                ["home-manager", "useGlobalPkgs" | "useUserPackages" | "backupFileExtension"] => {
                    self.model.notes.push((d.loc.clone(), format!("`{}`: the fleet's home-manager wiring sets it", d.path.join("."))));
                }
                ["home-manager", "users", name] => home_sites.push((owner, key, (*name).to_owned(), d)),
                // What the generator states for a host colmena deploys as another user than root.
                ["nix", "settings", "trusted-users"]
                    if self.model.generated && self.generated_trusted_users(owner, &d.value) => {}
                ["deployment", attr] => match owner {
                    Owner::Host(h) => {
                        let deploy = self.model.hosts[h].deploy.get_or_insert_with(Deploy::default);
                        match (*attr, &d.value) {
                            ("targetHost", Value::Str(s)) => deploy.target_host = Some(s.clone()),
                            ("targetUser", Value::Str(s)) => deploy.target_user = Some(s.clone()),
                            ("targetPort", Value::Int(i)) => deploy.target_port = Some(*i),
                            ("allowLocalDeployment", Value::Bool(b)) => deploy.allow_local = *b,
                            ("buildOnTarget", Value::Bool(b)) => deploy.build_on_target = *b,
                            ("tags", Value::List(items)) => deploy.tags.extend(items.iter().filter_map(|i| if let Value::Str(s) = i { Some(s.clone()) } else { None })),
                            _ => self.keep(&key, d),
                        }
                    }
                    Owner::Profile(_) => self.keep(&key, d),
                },
                _ => self.setting(owner, &key, d),
            }
        }
        self.typed(typed_sites);
        for (h, defs) in upgrades {
            match auto_upgrade_of(&self.model.hosts[h].name, &defs) {
                Some(u) => self.model.hosts[h].auto_upgrade = Some(u),
                None => {
                    for (key, d) in defs {
                        self.setting(Owner::Host(h), &key, d);
                    }
                }
            }
        }
        self.users(user_sites);
        self.homes(home_sites);
        self.secrets(secret_sites, &default_files);
        self.spec(spec_decls, spec_values);
    }

    /// Whether host `h`'s closure has module `key`.
    fn host_has(&self, h: usize, key: &str) -> bool {
        self.closures[h].iter().any(|k| k == key)
    }

    fn setting(&mut self, owner: Owner, key: &str, d: Def) {
        let (prio, value) = match &d.value {
            Value::Prio(p, v) => (Some(*p), (**v).clone()),
            v => (None, v.clone()),
        };
        // A file this project generated: what it computes was raw Nix in the fleet.
        // `with pkgs; [ … ]` is only ever raw Nix in a generated file.
        let with = matches!(super::modules::unparen(d.expr.clone()), rnix::ast::Expr::With(_));
        let value = if (with || !is_static(&value)) && generated_by(&d.src.text).is_some() {
            raw_value(&d, prio)
        } else {
            value
        };
        if !is_static(&value) {
            self.keep(key, d);
            return;
        }
        let is_list = matches!(value, Value::List(_));
        let method = match (prio, owner, is_list) {
            (Some(Prio::Force), ..) => {
                self.keep_because(key, d, "lib.mkForce");
                return;
            }
            (Some(Prio::Default), Owner::Profile(_), _) => Method::Default,
            (Some(Prio::Default), Owner::Host(_), _) => {
                self.keep_because(key, d, "lib.mkDefault on a host");
                return;
            }
            // A generated file lists its definitions in the order the generator wrote them:
            // plain definitions keep that order (`.add` would move a list to the end).
            (None, _, true) if generated_by(&d.src.text).is_some() => Method::Set,
            (None, _, true) => Method::Add,
            (None, _, false) => Method::Set,
        };
        let s = Setting { method, path: dotted(&d.path), value, loc: d.loc.clone() };
        match owner {
            Owner::Host(h) => self.model.hosts[h].settings.push(s),
            Owner::Profile(p) => self.model.profiles[p].settings.push(s),
        }
    }

    fn users(&mut self, sites: Vec<UserSite>) {
        let mut by_user: IndexMap<String, Vec<UserSite>> = IndexMap::new();
        for s in sites {
            let name = match &s.attrs["__name"].0 {
                Value::Str(n) => n.clone(),
                _ => continue,
            };
            by_user.entry(name).or_default().push(s);
        }
        for (name, sites) in by_user {
            let declares = |s: &UserSite| s.attrs.contains_key("isNormalUser") || s.attrs.contains_key("isSystemUser");
            let mut canonical: Option<usize> = None;
            let mut user_profiles: Vec<Owner> = Vec::new();
            for s in sites {
                if !declares(&s) || matches!(s.attrs.get("isSystemUser"), Some((Value::Bool(true), _))) {
                    // A generated profile's `user_groups`: groups of a user declared elsewhere.
                    let known = self.model.users.iter().position(|u| u.name == name);
                    if let (true, Owner::Profile(p), Some(u), [(k, (Value::List(items), _))]) = (
                        self.model.generated,
                        s.owner,
                        known,
                        s.attrs.iter().filter(|(k, _)| *k != "__name").collect::<Vec<_>>().as_slice(),
                    ) {
                        if *k == "extraGroups" && self.model.profiles[p].target == Some(Os::Nixos) {
                            if let Some(groups) = strings(items) {
                                self.model.profiles[p].user_groups.push((u, groups));
                                continue;
                            }
                        }
                    }
                    for (attr, (v, d)) in s.attrs.iter().filter(|(k, _)| *k != "__name") {
                        let mut d = d.clone();
                        d.path = vec!["users".into(), "users".into(), name.clone(), attr.clone()];
                        d.value = v.clone();
                        self.setting(s.owner, &s.key, d);
                    }
                    continue;
                }
                let idx = match canonical {
                    None => {
                        let u = self.new_user(&name, &s);
                        self.model.users.push(u);
                        let i = self.model.users.len() - 1;
                        canonical = Some(i);
                        i
                    }
                    Some(i) => {
                        self.compare_user(i, &s);
                        i
                    }
                };
                user_profiles.push(s.owner);
                match s.owner {
                    Owner::Profile(p) => {
                        if !self.model.profiles[p].users.contains(&idx) {
                            self.model.profiles[p].users.push(idx);
                        }
                    }
                    Owner::Host(_) => {}
                }
            }
            // Hosts declaring the user in their own modules get a profile with the user.
            let hosts: Vec<usize> =
                user_profiles.iter().filter_map(|o| if let Owner::Host(h) = o { Some(*h) } else { None }).collect();
            if let (Some(idx), false) = (canonical, hosts.is_empty()) {
                let oses: IndexSet<Os> = hosts.iter().map(|h| self.model.hosts[*h].os).collect();
                let target = if oses.len() == 1 { oses.first().copied() } else { None };
                let mut taken: IndexSet<String> = self.model.profiles.iter().map(|p| p.name.clone()).collect();
                let pname = unique_name(&format!("user-{name}"), &mut taken);
                self.model.profiles.push(Profile {
                    name: pname,
                    from: String::new(),
                    target,
                    users: vec![idx],
                    ..Profile::default()
                });
                let p = self.model.profiles.len() - 1;
                for h in hosts {
                    if !self.model.hosts[h].profiles.contains(&p) {
                        self.model.hosts[h].profiles.insert(0, p);
                    }
                }
            }
        }
    }

    fn new_user(&mut self, name: &str, s: &UserSite) -> User {
        let mut u = User { name: name.to_owned(), ..User::default() };
        u.locs.push(s.attrs["__name"].1.loc.clone());
        for (attr, (v, d)) in &s.attrs {
            let mapped = match (attr.as_str(), v) {
                ("__name", _) => true,
                ("isNormalUser", Value::Bool(true)) => true,
                ("description", Value::Str(t)) => {
                    u.description = Some(t.clone());
                    true
                }
                ("extraGroups", Value::List(items)) => match strings(items) {
                    Some(g) => {
                        u.groups = g;
                        true
                    }
                    None => false,
                },
                ("shell", Value::Pkg(p))
                    if p.len() == 1 && matches!(p[0].as_str(), "zsh" | "fish" | "bash" | "bashInteractive") =>
                {
                    u.shell = Some(p[0].clone());
                    true
                }
                ("openssh", Value::Attrs(m)) => match m.get("authorizedKeys") {
                    Some(Value::Attrs(a)) if a.len() == 1 => match a.get("keys") {
                        Some(Value::List(items)) => match strings(items) {
                            Some(k) => {
                                u.ssh_keys = k;
                                m.len() == 1
                            }
                            None => false,
                        },
                        _ => false,
                    },
                    _ => false,
                },
                ("hashedPasswordFile", Value::Config(p))
                    if p.len() == 4 && p[0] == "sops" && p[1] == "secrets" && p[3] == "path" =>
                {
                    u.password_secret = Some(p[2].clone());
                    true
                }
                _ => false,
            };
            if !mapped {
                let mut d = d.clone();
                d.path = vec!["users".into(), "users".into(), name.to_owned(), attr.clone()];
                d.value = v.clone();
                self.setting(s.owner, &s.key, d);
            }
        }
        u
    }

    fn compare_user(&mut self, i: usize, s: &UserSite) {
        let loc = s.attrs["__name"].1.loc.clone();
        let first = self.model.users[i].locs.first().cloned();
        self.model.users[i].locs.push(loc.clone());
        let other = self.new_user(&self.model.users[i].name.clone(), s);
        let u = &self.model.users[i];
        let mut diffs = Vec::new();
        let extra: Vec<String> = other.groups.iter().filter(|g| !u.groups.contains(g)).cloned().collect();
        let missing: Vec<String> = u.groups.iter().filter(|g| !other.groups.contains(g)).cloned().collect();
        if !missing.is_empty() {
            diffs.push(format!("lacks groups {missing:?} (it gets them too now)"));
        }
        if other.description.is_some() && other.description != u.description {
            diffs.push(format!("description {:?} (kept {:?})", other.description, u.description));
        }
        if other.shell.is_some() && other.shell != u.shell {
            diffs.push(format!("shell {:?} (kept {:?})", other.shell, u.shell));
        }
        if !other.ssh_keys.is_empty() && other.ssh_keys != u.ssh_keys {
            diffs.push("other ssh keys (kept the first's)".into());
        }
        if !extra.is_empty() {
            let d = s.attrs["__name"].1.clone();
            let mut d = d;
            d.path = vec!["users".into(), "users".into(), u.name.clone(), "extraGroups".into()];
            d.value = Value::List(extra.iter().map(|g| Value::Str(g.clone())).collect());
            diffs.push(format!("more groups {extra:?} (added where it is declared)"));
            self.setting(s.owner, &s.key, d);
        }
        let name = self.model.users[i].name.clone();
        let first = first.map(|l| l.to_string()).unwrap_or_default();
        if diffs.is_empty() {
            self.model
                .notes
                .push((loc, format!("user `{name}` declared again, the same as at {first}: one `User` now")));
        } else {
            self.model
                .notes
                .push((loc, format!("user `{name}` declared again, differing from {first}: {}", diffs.join("; "))));
        }
    }

    fn homes(&mut self, sites: Vec<(Owner, String, String, Def)>) {
        // Home files per user and host.
        let mut per_user: IndexMap<String, Vec<HomeSite>> = IndexMap::new();
        for (owner, key, name, d) in sites {
            let file = match &d.value {
                Value::Path(p) | Value::Import(p) => Some(p.clone()),
                _ => None,
            };
            let Some(file) = file else {
                match (owner, self.inline_home(&d), self.model.users.iter().position(|u| u.name == name)) {
                    (Owner::Host(h), Some(settings), Some(u)) => self.model.hosts[h].home_settings.push((u, settings)),
                    _ => self.keep(&key, d),
                }
                continue;
            };
            match self.home_modules(&file, &d.loc) {
                Some((mods, sv)) => per_user.entry(name).or_default().push((owner, mods, sv)),
                None => self.keep(&key, d),
            }
        }
        for (name, sites) in per_user {
            let Some(u) = self.model.users.iter().position(|u| u.name == name) else {
                if let Some((_, _, _)) = sites.first() {
                    self.model.unmapped.push((
                        Loc { file: "flake.nix".into(), line: 0 },
                        format!("home of `{name}`, who is not declared as a normal user: not imported"),
                    ));
                }
                continue;
            };
            // Modules every site has go to the user; the rest to hosts.
            let common: Vec<Kept> = sites[0]
                .1
                .iter()
                .filter(|m| sites.iter().all(|s| s.1.iter().any(|x| x.path == m.path)))
                .cloned()
                .collect();
            self.model.users[u].home = Some(common.clone());
            self.model.users[u].home_state_version = sites.iter().find_map(|s| s.2.clone());
            for (owner, mods, _) in sites {
                let rest: Vec<Kept> = mods.into_iter().filter(|m| !common.iter().any(|c| c.path == m.path)).collect();
                if rest.is_empty() {
                    continue;
                }
                let hosts: Vec<usize> = match owner {
                    Owner::Host(h) => vec![h],
                    Owner::Profile(p) => {
                        let key = self
                            .owner_of
                            .iter()
                            .find(|(_, o)| **o == Owner::Profile(p))
                            .map(|(k, _)| k.clone())
                            .unwrap_or_default();
                        (0..self.model.hosts.len()).filter(|h| self.host_has(*h, &key)).collect()
                    }
                };
                for h in hosts {
                    self.model.hosts[h].homes.push((u, rest.clone()));
                }
            }
        }
    }

    /// A home file and the files it imports, each kept whole (minus imports), and its
    /// `home.stateVersion`.
    fn home_modules(&mut self, file: &Path, at: &Loc) -> Option<(Vec<Kept>, Option<String>)> {
        let mut out = Vec::new();
        let mut state = None;
        let mut stack = vec![file.to_owned()];
        let mut seen: Vec<PathBuf> = Vec::new();
        while let Some(f) = stack.pop() {
            let f = if f.is_dir() { f.join("default.nix") } else { f };
            if seen.contains(&f) {
                continue;
            }
            seen.push(f.clone());
            let Ok((src, expr)) = parse_file(self.root, &f) else {
                self.model.unmapped.push((at.clone(), format!("home module {} cannot be read", f.display())));
                return None;
            };
            let info = read_module(self.ev, expr, &Default::default(), &src, &HashMap::new());
            for d in &info.defs {
                if d.path == ["home", "stateVersion"] {
                    if let Value::Str(s) = &d.value {
                        state = Some(s.clone());
                    }
                }
            }
            for r in info.imports.iter().rev() {
                match r {
                    ModuleRef::File(p) => stack.push(p.clone()),
                    ModuleRef::Input(i, p) => self.model.unmapped.push((
                        Loc { file: src.rel.clone(), line: 1 },
                        format!("home module imports `inputs.{i}.{}`: add it to the home by hand", p.join(".")),
                    )),
                    ModuleRef::Inline(_) | ModuleRef::Opaque(..) => self.model.unmapped.push((
                        Loc { file: src.rel.clone(), line: 1 },
                        "home module imports something the importer cannot follow".into(),
                    )),
                }
            }
            let rel = rel_of(self.root, &f);
            let mut info = info;
            info.verbatim.get_or_insert(super::modules::Verbatim {
                loc: Loc { file: rel.clone(), line: 1 },
                reason: String::new(),
            });
            out.push(Kept { path: module_path(&rel, "home/"), text: verbatim_text(&info), from: rel, whole: true });
        }
        Some((out, state))
    }

    fn secrets(&mut self, sites: Vec<SecretSite>, defaults: &HashMap<(Owner, String), Value>) {
        let mut sets: IndexMap<(Owner, Scope), usize> = IndexMap::new();
        for (owner, key, name, attrs, d) in sites {
            let file = match attrs.get("sopsFile") {
                Some(v) => Some(v.clone()),
                None => {
                    defaults.iter().find(|((o, _), _)| *o == owner).map(|(_, v)| v.clone()).or_else(|| match owner {
                        Owner::Host(h) => {
                            defaults.iter().find(|((_, k), _)| self.host_has(h, k)).map(|(_, v)| v.clone())
                        }
                        Owner::Profile(_) => None,
                    })
                }
            };
            let rel = match &file {
                Some(Value::Path(p)) => rel_of(self.root, p),
                // The generated secrets module's default file is the host's own.
                None if self.model.generated => "secrets/<host>.yaml".to_owned(),
                _ => {
                    self.model.unmapped.push((
                        d.loc.clone(),
                        format!("secret `{name}`: its sops file is not a path the importer can read; kept as written"),
                    ));
                    self.keep(&key, d);
                    continue;
                }
            };
            let stem = Path::new(&rel).file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
            let scope = if rel == "secrets/<host>.yaml" {
                Scope::Host
            } else if stem == "common" || stem == "secrets" {
                Scope::Common
            } else if self.model.hosts.iter().any(|h| h.name == stem) {
                Scope::Host
            } else {
                Scope::Group(stem.clone())
            };
            let expected = match &scope {
                Scope::Common => "secrets/common.yaml".to_owned(),
                Scope::Host => format!("secrets/{stem}.yaml"),
                Scope::Group(g) => format!("secrets/{g}.yaml"),
            };
            if rel == "secrets/<host>.yaml" {
                // Each host's own file, in a generated repository: nothing to move or copy.
            } else if rel != expected {
                self.model.notes.push((d.loc.clone(), format!("secret `{name}` is read from {rel}; the fleet reads it from {expected}: move the file (`git mv {rel} {expected}`)")));
            } else if !self.model.secret_files.contains(&rel) {
                self.model.secret_files.push(rel.clone());
            }
            let mut kept_attrs = IndexMap::new();
            for (k, v) in &attrs {
                match k.as_str() {
                    "sopsFile" => {}
                    "key" | "mode" | "owner" | "group" | "path" | "format" | "neededForUsers" | "restartUnits"
                    | "reloadUnits"
                        if is_static(v) =>
                    {
                        kept_attrs.insert(k.clone(), v.clone());
                    }
                    other => self
                        .model
                        .unmapped
                        .push((d.loc.clone(), format!("secret `{name}`: `{other}` is not carried over"))),
                }
            }
            let idx = match sets.get(&(owner, scope.clone())) {
                Some(i) => *i,
                None => {
                    let base = match owner {
                        Owner::Host(h) => self.model.hosts[h].name.clone(),
                        Owner::Profile(p) => self.model.profiles[p].name.clone(),
                    };
                    let suffix = match &scope {
                        Scope::Common if matches!(owner, Owner::Host(_)) => "Common",
                        Scope::Group(g) if *g != base => g.as_str(),
                        _ => "",
                    };
                    let rust_name = format!("{}{}Secrets", upper_camel(&base), upper_camel(suffix));
                    self.model.secret_sets.push(SecretSet {
                        rust_name,
                        scope: scope.clone(),
                        secrets: Vec::new(),
                        file: expected.clone(),
                    });
                    let i = self.model.secret_sets.len() - 1;
                    sets.insert((owner, scope.clone()), i);
                    match owner {
                        Owner::Host(h) => self.model.hosts[h].secrets.push(i),
                        Owner::Profile(p) => self.model.profiles[p].secrets.push(i),
                    }
                    i
                }
            };
            self.model.secret_sets[idx].secrets.push(Secret { name, attrs: kept_attrs });
        }
    }

    fn spec(&mut self, decls: Vec<(String, Def)>, values: Vec<(Owner, String, Def)>) {
        if decls.is_empty() {
            for (owner, key, d) in values {
                self.setting(owner, &key, d);
            }
            return;
        }
        match spec::read(self.ev, &decls) {
            Ok(mut decl) => {
                if self.model.generated {
                    let text = decls.first().map(|(_, d)| d.src.text.clone()).unwrap_or_default();
                    decl.doc = generated_comment(&text).map(|c| {
                        let c = c.trim_end_matches("Each host sets its values in hosts/<host>/default.nix.");
                        doc_text(c.trim_end_matches('\n'))
                    });
                }
                for (h, host) in self.model.hosts.iter_mut().enumerate() {
                    // Highest priority wins: plain over `lib.mkDefault`, hosts' own over profiles'.
                    let mut best: IndexMap<String, (u8, Value)> = IndexMap::new();
                    for (_, key, d) in &values {
                        if !self.closures[h].contains(key) {
                            continue;
                        }
                        let (rank, v) = match &d.value {
                            Value::Prio(Prio::Default, v) => (1, (**v).clone()),
                            Value::Prio(Prio::Force, v) => (3, (**v).clone()),
                            v => (2, v.clone()),
                        };
                        let field = d.path[1].clone();
                        let v = if d.path.len() > 2 {
                            let mut v = v;
                            for seg in d.path[2..].iter().rev() {
                                v = Value::Attrs(std::iter::once((seg.clone(), v)).collect());
                            }
                            v
                        } else {
                            v
                        };
                        match best.get_mut(&field) {
                            // An attribute set written key by key: its parts merge.
                            Some((r, Value::Attrs(old))) if *r == rank => {
                                if let Value::Attrs(new) = v {
                                    merge_attrs(old, new);
                                }
                            }
                            Some((r, _)) if *r >= rank => {}
                            _ => {
                                best.insert(field, (rank, v));
                            }
                        }
                    }
                    host.spec = best.into_iter().map(|(k, (_, v))| (k, v)).collect();
                }
                self.model.spec = Some(decl);
            }
            Err((loc, why)) => {
                self.model.unmapped.push((loc, format!("`options.hostSpec` kept as written: {why}")));
                for (key, d) in decls {
                    self.keep(&key, d);
                }
                for (owner, key, d) in values {
                    self.setting(owner, &key, d);
                }
            }
        }
    }

    fn finish(&mut self) -> Result<(), ImportError> {
        // Age keys from .sops.yaml.
        let Some(sops) = self.sops.take() else { return Ok(()) };
        let host_names: Vec<String> = self.model.hosts.iter().map(|h| h.name.clone()).collect();
        let mut host_keys: HashMap<String, String> = HashMap::new();
        for (anchor, key) in &sops.keys {
            let a = anchor.as_deref().unwrap_or("");
            let bare = a.trim_start_matches("host_").trim_start_matches("server_").trim_start_matches("machine_");
            if let Some(h) = host_names.iter().find(|h| h.as_str() == bare || h.as_str() == a) {
                host_keys.insert(h.clone(), key.clone());
            }
        }
        // A rule for `<host>.yaml` whose keys are the admins' and one more: that one is the host's.
        let admins: Vec<String> = sops
            .keys
            .iter()
            .filter(|(_, k)| !host_keys.values().any(|hk| hk == k))
            .filter(|(_, k)| sops.rules.iter().all(|(_, keys)| keys.contains(k)))
            .map(|(_, k)| k.clone())
            .collect();
        for (regex, keys) in &sops.rules {
            for h in &host_names {
                if regex.contains(&format!("{h}\\.yaml")) || regex.contains(&format!("{h}.yaml")) {
                    let own: Vec<&String> = keys.iter().filter(|k| !admins.contains(k)).collect();
                    if let [k] = own.as_slice() {
                        host_keys.entry(h.clone()).or_insert_with(|| (*k).clone());
                    }
                }
            }
        }
        for (i, k) in admins.iter().enumerate() {
            let name = sops
                .anchor(k)
                .map(|a| a.trim_start_matches("admin_").trim_start_matches("user_").to_owned())
                .unwrap_or_else(|| format!("admin{}", i + 1));
            match fleet_dsl::rules::age::check_age_key(k) {
                Ok(()) => self.model.admins.push((name, k.clone())),
                Err(e) => self.model.unmapped.push((
                    Loc { file: ".sops.yaml".into(), line: 0 },
                    format!("admin key `{k}` is not an age key ({e}): left out"),
                )),
            }
        }
        for host in &mut self.model.hosts {
            if let Some(k) = host_keys.get(&host.name) {
                match fleet_dsl::rules::age::check_age_key(k) {
                    Ok(()) => host.age_key = Some(k.clone()),
                    Err(e) => self.model.unmapped.push((
                        Loc { file: ".sops.yaml".into(), line: 0 },
                        format!("age key of `{}` is not valid ({e}): left out", host.name),
                    )),
                }
            }
        }
        Ok(())
    }
}

/// Whether a state version is the one a fleet has by default (`Fleet::new`): a generated host
/// states it either way.
fn is_fleet_default(v: &Value) -> bool {
    let defaults = fleet_dsl::Fleet::<fleet_dsl::NoSpec>::new("default").into_data();
    match v {
        Value::Str(s) => *s == defaults.nixos_state_version,
        Value::Int(i) => u32::try_from(*i).is_ok_and(|i| i == defaults.darwin_state_version),
        _ => false,
    }
}

/// The value of a definition in a generated file, as raw Nix where it is not static: a list
/// item by item, else the whole expression (under `lib.mkDefault`, its argument).
fn raw_value(d: &Def, prio: Option<Prio>) -> Value {
    use rowan::ast::AstNode;
    let mut e = super::modules::unparen(d.expr.clone());
    if prio.is_some() {
        if let rnix::ast::Expr::Apply(a) = &e {
            if let Some(arg) = a.argument() {
                e = super::modules::unparen(arg);
            }
        }
    }
    let inner = match &d.value {
        Value::Prio(_, v) => (**v).clone(),
        v => v.clone(),
    };
    match (&e, inner) {
        (rnix::ast::Expr::List(l), Value::List(items)) if l.items().count() == items.len() => {
            Value::List(
                l.items()
                    .zip(items)
                    .map(|(x, v)| {
                        if is_static(&v) {
                            v
                        } else {
                            Value::Raw(super::modules::unparen(x).syntax().text().to_string())
                        }
                    })
                    .collect(),
            )
        }
        _ => Value::Raw(e.syntax().text().to_string()),
    }
}

/// The automatic upgrade a generated host file states (`system.autoUpgrade` on NixOS, the
/// `fleet-auto-upgrade` launchd daemon on nix-darwin), as `AutoUpgrade`'s flake, schedule and
/// reboot window; `None` when it is not the generator's shape.
fn auto_upgrade_of(host: &str, defs: &[(String, Def)]) -> Option<Upgrade> {
    const DAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
    let get = |path: &[&str]| {
        defs.iter().find(|(_, d)| d.path.iter().map(String::as_str).eq(path.iter().copied())).map(|(_, d)| &d.value)
    };
    let flake_of = |f: &str| f.strip_suffix(&format!("#{host}")).map(str::to_owned);
    if let Some(Value::Str(flake)) = get(&["system", "autoUpgrade", "flake"]) {
        let flake = flake_of(flake)?;
        let Some(Value::Str(dates)) = get(&["system", "autoUpgrade", "dates"]) else { return None };
        let (day, time) = match dates.strip_suffix(":00")?.rsplit_once(' ') {
            Some(("*-*-*", time)) => (None, time),
            Some((rest, time)) => (Some(rest.strip_suffix(" *-*-*")?), time),
            None => return None,
        };
        let schedule = match day {
            Some(d) => format!("{d} {time}"),
            None => time.to_owned(),
        };
        let window = match (
            get(&["system", "autoUpgrade", "rebootWindow", "lower"]),
            get(&["system", "autoUpgrade", "rebootWindow", "upper"]),
        ) {
            (Some(Value::Str(l)), Some(Value::Str(u))) => Some((l.clone(), u.clone())),
            _ => None,
        };
        return Some((flake, schedule, window));
    }
    let Some(Value::Str(script)) = get(&["launchd", "daemons", "fleet-auto-upgrade", "script"]) else { return None };
    let flake =
        script.strip_prefix("/run/current-system/sw/bin/darwin-rebuild switch --flake '")?.strip_suffix('\'')?;
    let flake = flake_of(flake)?;
    let Some(Value::List(when)) =
        get(&["launchd", "daemons", "fleet-auto-upgrade", "serviceConfig", "StartCalendarInterval"])
    else {
        return None;
    };
    let Some(Value::Attrs(when)) = when.first() else { return None };
    let (Some(Value::Int(hour)), Some(Value::Int(minute))) = (when.get("Hour"), when.get("Minute")) else {
        return None;
    };
    let time = format!("{hour:02}:{minute:02}");
    let schedule = match when.get("Weekday") {
        Some(Value::Int(d)) => format!("{} {time}", DAYS.get(usize::try_from(*d).ok()?)?),
        _ => time,
    };
    Some((flake, schedule, None))
}

/// The inputs whose files a value uses.
fn input_files(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::InputFile(input, _) if !out.contains(input) => out.push(input.clone()),
        Value::List(items) => items.iter().for_each(|i| input_files(i, out)),
        Value::Attrs(m) => m.values().for_each(|i| input_files(i, out)),
        _ => {}
    }
}

/// What a generated repository's flake-parts parts say besides hosts: `parts/dev.nix`'s dev
/// shells (but the default one), packages and checks, `parts/modules.nix`'s exported modules,
/// and `modules/overlays.nix`'s fleet overlays.
fn read_flake_parts(root: &Path, model: &mut Model) {
    use rnix::ast::{self, HasEntry};
    use rowan::ast::AstNode;
    let parse = |rel: &str| -> Option<(String, ast::Expr)> {
        let text = std::fs::read_to_string(root.join(rel)).ok()?;
        generated_by(&text)?;
        let expr = rnix::Root::parse(&text).tree().expr()?;
        Some((text, expr))
    };
    // Every `name = value;` (and `inherit (x) name;`) below `perSystem`, by attribute path.
    fn leaves(set: &ast::AttrSet, prefix: &[String], out: &mut Vec<(Vec<String>, String)>) {
        for entry in set.entries() {
            match entry {
                ast::Entry::AttrpathValue(kv) => {
                    let mut path = prefix.to_vec();
                    let Some(attrpath) = kv.attrpath() else { continue };
                    path.extend(attrpath.attrs().map(|a| a.syntax().text().to_string().trim_matches('"').to_owned()));
                    let Some(value) = kv.value() else { continue };
                    match super::modules::unparen(value.clone()) {
                        ast::Expr::AttrSet(inner) if path.len() < 2 => leaves(&inner, &path, out),
                        _ => out.push((path, value.syntax().text().to_string())),
                    }
                }
                ast::Entry::Inherit(inh) => {
                    let from = inh.from().and_then(|f| f.expr()).map(|e| e.syntax().text().to_string());
                    for a in inh.attrs() {
                        let name = a.syntax().text().to_string();
                        let text = match &from {
                            Some(f) => format!("{f}.{name}"),
                            None => name.clone(),
                        };
                        let mut path = prefix.to_vec();
                        path.push(name);
                        out.push((path, text));
                    }
                }
            }
        }
    }
    if let Some((_, expr)) = parse("parts/dev.nix") {
        let per_system = expr
            .syntax()
            .descendants()
            .filter_map(ast::AttrpathValue::cast)
            .find(|kv| kv.attrpath().is_some_and(|p| p.syntax().text() == "perSystem"));
        let body = per_system.and_then(|kv| kv.value()).and_then(|v| match super::modules::unparen(v) {
            ast::Expr::Lambda(l) => l.body(),
            other => Some(other),
        });
        if let Some(ast::Expr::AttrSet(set)) = body.map(super::modules::unparen) {
            let mut out = Vec::new();
            leaves(&set, &[], &mut out);
            for (path, text) in out {
                let kind = match path.first().map(String::as_str) {
                    Some("devShells") => "dev_shell",
                    Some("packages") => "package",
                    Some("checks") => "check",
                    _ => continue,
                };
                match path.as_slice() {
                    [_, name] if !(kind == "dev_shell" && name == "default") => {
                        model.outputs.push((kind, name.clone(), text))
                    }
                    _ => {}
                }
            }
        }
    }
    if let Some((_, expr)) = parse("parts/modules.nix") {
        for kv in expr.syntax().descendants().filter_map(ast::AttrpathValue::cast) {
            let path = kv.attrpath().map(|p| p.syntax().text().to_string()).unwrap_or_default();
            let Some(name) = path.strip_prefix("flake.nixosModules.") else { continue };
            let Some(ast::Expr::Path(p)) = kv.value() else { continue };
            let Some(file) = super::eval::resolve_path(&root.join("parts/modules.nix"), &p.syntax().text().to_string())
            else {
                continue;
            };
            let rel = rel_of(root, &file);
            let text = std::fs::read_to_string(&file).unwrap_or_default();
            model
                .exports
                .push((name.to_owned(), Kept { path: module_path(&rel, "modules/"), text, from: rel, whole: true }));
        }
    }
    if let Ok(text) = std::fs::read_to_string(root.join("fleet.schema.json")) {
        if let Ok(schema) = serde_json::from_str::<serde_json::Value>(&text) {
            for name in feature_names(&schema) {
                let profile = model.profiles.iter().position(|p| p.name == name && !p.dissolved);
                model.features.push((name, profile));
            }
        }
    }
    if let Some((_, expr)) = parse("modules/overlays.nix") {
        let list = expr
            .syntax()
            .descendants()
            .filter_map(ast::AttrpathValue::cast)
            .find(|kv| kv.attrpath().is_some_and(|p| p.syntax().text() == "nixpkgs.overlays"));
        if let Some(ast::Expr::List(items)) = list.and_then(|kv| kv.value()) {
            for item in items.items() {
                let text = super::modules::unparen(item).syntax().text().to_string();
                // The generator's own overlay: `pkgs.unstable`.
                if !text.contains("unstable = import inputs.nixpkgs-unstable") {
                    model.overlays.push(text);
                }
            }
        }
    }
}

/// The feature names a generated schema lists (`features.items.enum`), the first non-empty list.
fn feature_names(v: &serde_json::Value) -> Vec<String> {
    match v {
        serde_json::Value::Object(m) => {
            if let Some(serde_json::Value::Array(names)) = m.get("features").and_then(|f| f.pointer("/items/enum")) {
                if !names.is_empty() {
                    return names.iter().filter_map(|n| n.as_str().map(str::to_owned)).collect();
                }
            }
            m.values().map(feature_names).find(|n| !n.is_empty()).unwrap_or_default()
        }
        serde_json::Value::Array(items) => items.iter().map(feature_names).find(|n| !n.is_empty()).unwrap_or_default(),
        _ => Vec::new(),
    }
}

/// Merges `new` into `old`, recursively for attribute sets under one name.
fn merge_attrs(old: &mut IndexMap<String, Value>, new: IndexMap<String, Value>) {
    for (k, v) in new {
        match (old.get_mut(&k), v) {
            (Some(Value::Attrs(o)), Value::Attrs(n)) => merge_attrs(o, n),
            (_, v) => {
                old.insert(k, v);
            }
        }
    }
}

fn strings(items: &[Value]) -> Option<Vec<String>> {
    items.iter().map(|i| if let Value::Str(s) = i { Some(s.clone()) } else { None }).collect()
}

/// `desktop-main` → `DesktopMain`.
pub fn upper_camel(s: &str) -> String {
    use heck::ToUpperCamelCase;
    s.to_upper_camel_case()
}
