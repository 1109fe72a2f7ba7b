//! The imported fleet as Rust: `src/main.rs` written with the public DSL, as a user would.

use super::eval::Value;
use super::literal::rust_str;
use super::model::{Deploy, Kept, Method, Model, Scope, Setting};
use super::spec::{field_name, variant, variant_renamed, Ty};
use fleet_dsl::{Channel, Os};
use heck::{ToKebabCase, ToSnakeCase};
use indexmap::IndexMap;
use std::fmt::Write as _;

/// Rust names (variables) already used, and the name of each user and profile.
struct Names {
    taken: Vec<String>,
}

impl Names {
    fn var(&mut self, base: &str) -> String {
        let mut v = base.to_snake_case();
        if v.is_empty() || v.starts_with(|c: char| c.is_ascii_digit()) {
            v = format!("p_{v}");
        }
        if matches!(
            v.as_str(),
            "fleet"
                | "main"
                | "self"
                | "type"
                | "mod"
                | "use"
                | "ref"
                | "box"
                | "move"
                | "loop"
                | "match"
                | "fn"
                | "in"
                | "let"
                | "if"
                | "as"
                | "pub"
                | "crate"
                | "super"
                | "struct"
                | "enum"
                | "impl"
                | "trait"
                | "where"
                | "static"
                | "const"
                | "mut"
                | "return"
                | "for"
                | "while"
                | "true"
                | "false"
                | "async"
                | "await"
                | "dyn"
                | "extern"
                | "unsafe"
                | "break"
                | "continue"
                | "else"
        ) {
            v.push('_');
        }
        let mut out = v.clone();
        let mut i = 2;
        while self.taken.contains(&out) {
            out = format!("{v}_{i}");
            i += 1;
        }
        self.taken.push(out.clone());
        out
    }
}

/// A host's module variables and its homes' variables (by user index).
type HostExtras = (Vec<String>, Vec<(usize, String)>);

/// Widest line, as the crate's rustfmt.toml says.
const WIDTH: usize = 120;

/// A method chain laid out as rustfmt lays it out: on one line when it fits in [`WIDTH`]
/// (after `lead` columns, before `tail` more), else one call per line, indented by `indent + 4`.
struct Chain {
    head: String,
    calls: Vec<String>,
}

impl Chain {
    fn new(head: String) -> Self {
        Chain { head, calls: Vec::new() }
    }

    fn call(&mut self, call: String) {
        self.calls.push(call);
    }

    fn render(&self, indent: usize, lead: usize, tail: usize) -> String {
        let one = format!("{}{}", self.head, self.calls.concat());
        if !one.contains('\n') && lead + one.len() + tail <= WIDTH {
            return one;
        }
        let pad = " ".repeat(indent + 4);
        let mut out = self.head.clone();
        for c in &self.calls {
            out.push('\n');
            out.push_str(&pad);
            out.push_str(c);
        }
        out
    }
}

/// `let name = <chain>;` at indent 4.
/// As rustfmt does: on the `let` line when it fits, else alone on the next line when it fits
/// there, else one call per line.
fn let_chain(out: &mut String, name: &str, chain: &Chain) {
    let lead = 4 + "let  = ".len() + name.len();
    let one = chain.render(4, lead, 1);
    if one.contains('\n') {
        let next = chain.render(4, 8, 1);
        if !next.contains('\n') {
            let _ = writeln!(out, "    let {name} =\n        {next};");
            return;
        }
    }
    let _ = writeln!(out, "    let {name} = {one};");
}

/// The text of `src/main.rs`.
pub fn main_rs(m: &Model, source: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "//! The fleet imported by `fleet import` from `{source}`.");
    if let Some(d) = &m.description {
        let _ = writeln!(out, "//!\n//! {}", d.replace('\n', " "));
    }
    let _ = writeln!(
        out,
        "//!\n//! Edit it and run `cargo run -- generate`. IMPORT.md lists what the import mapped and what it\n//! kept as hand-written modules (under modules/ and home/modules/)."
    );
    out.push('\n');
    let mut spec_src = m.spec.as_ref().map(spec_rs).unwrap_or_default();
    let mut declared: Vec<String> = m
        .spec
        .iter()
        .flat_map(|s| s.fields.iter().flat_map(|f| f.ty.enums().into_iter().map(|(n, _)| n.to_owned())))
        .collect();
    for t in &m.typed_sets {
        spec_src.push_str(&typed_rs(t, &mut declared));
    }
    let mut secrets_src = secrets_rs(m);
    if !m.features.is_empty() {
        secrets_src
            .push_str("/// Feature flags: hosts (and inventory hosts' `features`) get the profiles they map to.\n");
        secrets_src.push_str("#[derive(NixEnum)]\npub enum Feature {\n");
        for (name, _) in &m.features {
            let _ = writeln!(secrets_src, "    /// `{name}`.");
            if variant_renamed(name) {
                let _ = writeln!(secrets_src, "    #[nix(rename = {})]", rust_str(name));
            }
            let _ = writeln!(secrets_src, "    {},", variant(name));
        }
        secrets_src.push_str("}\n\n");
    }
    let mut body = String::new();
    let fleet_type = if m.spec.is_some() { "Spec" } else { "fleet_dsl::NoSpec" };
    let _ = writeln!(body, "/// The fleet.\npub fn fleet() -> Fleet<{fleet_type}> {{");
    let mut names = Names { taken: Vec::new() };
    // Inputs.
    let mut input_vars: IndexMap<String, String> = IndexMap::new();
    for (name, url) in &m.inputs {
        let v = names.var(name);
        let mut chain = Chain::new(format!("fleet_input({}, {})", rust_str(name), rust_str(url)));
        if let Some((flake, follows)) = m.input_specs.get(name) {
            if !flake {
                chain.call(".not_flake()".into());
            }
            for (input, target) in follows {
                if input == "nixpkgs" && target == "nixpkgs" {
                    chain.call(".follows_nixpkgs()".into());
                } else {
                    chain.call(format!(".follows({}, {})", rust_str(input), rust_str(target)));
                }
            }
        }
        let_chain(&mut body, &v, &chain);
        input_vars.insert(name.clone(), v);
    }
    // Hand-written modules, one variable each.
    let mut module_vars: IndexMap<String, String> = IndexMap::new();
    let mut module = |body: &mut String, names: &mut Names, k: &Kept, dir: &str| -> String {
        let key = format!("{dir}/{}", k.path);
        if let Some(v) = module_vars.get(&key) {
            return v.clone();
        }
        let base =
            if dir == "modules" { k.path.replace('/', "_") } else { format!("home_{}", k.path.replace('/', "_")) };
        let v = names.var(&base);
        let mut chain = Chain::new(format!("Module::new({})", rust_str(&k.path)));
        chain.call(format!(".scaffold(include_str!({}))", rust_str(&format!("../{dir}/{}.nix", k.path))));
        let_chain(body, &v, &chain);
        module_vars.insert(key, v.clone());
        v
    };
    let home = |body: &mut String,
                names: &mut Names,
                module: &mut dyn FnMut(&mut String, &mut Names, &Kept, &str) -> String,
                base: &str,
                mods: &[Kept],
                state: Option<&str>,
                settings: &[Setting]|
     -> String {
        let vars: Vec<String> = mods.iter().map(|k| module(body, names, k, "home/modules")).collect();
        let v = names.var(&format!("{base}_home"));
        let mut chain = Chain::new("Home::new()".into());
        if let Some(s) = state {
            chain.call(format!(".state_version({})", rust_str(s)));
        }
        for mv in vars {
            chain.call(format!(".module(&{mv})"));
        }
        settings_rs(&mut chain, settings);
        let_chain(body, &v, &chain);
        v
    };
    // Users.
    let mut user_vars = Vec::new();
    for u in &m.users {
        let home_var = u.home.as_ref().map(|mods| {
            home(&mut body, &mut names, &mut module, &u.name, mods, u.home_state_version.as_deref(), &u.home_settings)
        });
        let v = names.var(&u.name);
        let mut c = Chain::new(format!("User::new({})", rust_str(&u.name)));
        if let Some(d) = &u.description {
            c.call(format!(".description({})", rust_str(d)));
        }
        if !u.groups.is_empty() {
            let g: Vec<String> = u.groups.iter().map(|g| rust_str(g)).collect();
            c.call(format!(".groups([{}])", g.join(", ")));
        }
        match u.shell.as_deref() {
            Some("zsh") => c.call(".shell(Shell::Zsh)".into()),
            Some("fish") => c.call(".shell(Shell::Fish)".into()),
            _ => {}
        }
        for k in &u.ssh_keys {
            c.call(format!(".ssh_key({})", rust_str(k)));
        }
        if let Some(r) = u.password_secret.as_deref().and_then(|s| secret_ref(m, s)) {
            c.call(format!(".password_secret({r})"));
        }
        if let Some(h) = home_var {
            c.call(format!(".home({h})"));
        }
        let_chain(&mut body, &v, &c);
        user_vars.push(v);
    }
    // Profiles, each after the profiles it imports.
    let mut profile_vars: Vec<Option<String>> = vec![None; m.profiles.len()];
    let mut order = Vec::new();
    fn visit(m: &Model, p: usize, seen: &mut Vec<bool>, order: &mut Vec<usize>) {
        if seen[p] {
            return;
        }
        seen[p] = true;
        for q in &m.profiles[p].imports {
            visit(m, *q, seen, order);
        }
        order.push(p);
    }
    let mut seen = vec![false; m.profiles.len()];
    for p in 0..m.profiles.len() {
        visit(m, p, &mut seen, &mut order);
    }
    for p in order {
        let prof = &m.profiles[p];
        if prof.dissolved {
            continue;
        }
        let mvars: Vec<String> = prof.modules.iter().map(|k| module(&mut body, &mut names, k, "modules")).collect();
        let v = names.var(&prof.name);
        let ctor = match prof.target {
            Some(Os::Nixos) => "nixos",
            Some(Os::Darwin) => "darwin",
            None => "any",
        };
        let mut c = Chain::new(format!("Profile::{ctor}({})", rust_str(&prof.name)));
        let what = if prof.from.is_empty() {
            Some("Users declared in hosts' own files.".to_owned())
        } else if m.generated {
            prof.description.clone()
        } else {
            Some(format!("Imported from {}.", prof.from))
        };
        if let Some(what) = what {
            c.call(format!(".description({})", rust_str(&what)));
        }
        for q in &prof.imports {
            if let Some(qv) = &profile_vars[*q] {
                c.call(format!(".import(&{qv})"));
            }
        }
        for u in &prof.users {
            c.call(format!(".user(&{})", user_vars[*u]));
        }
        for (u, groups) in &prof.user_groups {
            let g: Vec<String> = groups.iter().map(|g| rust_str(g)).collect();
            c.call(format!(".user_groups(&{}, [{}])", user_vars[*u], g.join(", ")));
        }
        for s in &prof.secrets {
            c.call(format!(".secrets::<{}>()", m.secret_sets[*s].rust_name));
        }
        for (input, path) in &prof.input_modules {
            c.call(format!(".import_input({})", input_module(&input_vars, input, path, prof.target)));
        }
        for mv in mvars {
            c.call(format!(".module(&{mv})"));
        }
        typed_values_rs(&mut c, m, &prof.typed, 8);
        settings_rs(&mut c, &prof.settings);
        let_chain(&mut body, &v, &c);
        profile_vars[p] = Some(v);
    }
    // Hosts' own modules and homes.
    let mut host_extras: Vec<HostExtras> = Vec::new();
    for host in &m.hosts {
        let mvars: Vec<String> = host.modules.iter().map(|k| module(&mut body, &mut names, k, "modules")).collect();
        let mut homes = Vec::new();
        for (u, mods) in &host.homes {
            let base = format!("{}_{}", host.name, m.users[*u].name);
            homes.push((*u, home(&mut body, &mut names, &mut module, &base, mods, None, &[])));
        }
        for (u, settings) in &host.home_settings {
            let base = format!("{}_{}", host.name, m.users[*u].name);
            homes.push((*u, home(&mut body, &mut names, &mut module, &base, &[], None, settings)));
        }
        host_extras.push((mvars, homes));
    }
    let export_vars: Vec<(String, String)> =
        m.exports.iter().map(|(name, k)| (name.clone(), module(&mut body, &mut names, k, "modules"))).collect();
    if !body.ends_with("{\n") {
        body.push('\n');
    }
    let mut fleet = Chain::new(format!("Fleet::new({})", rust_str(&m.name)));
    if m.channel == Channel::Unstable {
        fleet.call(".channel(Channel::Unstable)".into());
    }
    for (name, key) in &m.admins {
        fleet.call(format!(".admin({}, age_key!({}))", rust_str(name), rust_str(key)));
    }
    for (host, (mvars, homes)) in m.hosts.iter().zip(host_extras) {
        let ctor = if host.os == Os::Darwin { "darwin" } else { "nixos" };
        let mut c = Chain::new(format!("Host::{ctor}({}, System::{:?})", rust_str(&host.name), host.system));
        match (host.channel, m.channel) {
            (Channel::Unstable, Channel::Stable) => c.call(".channel(Channel::Unstable)".into()),
            (Channel::Stable, Channel::Unstable) => c.call(".channel(Channel::Stable)".into()),
            _ => {}
        }
        for p in &host.profiles {
            if let Some(pv) = &profile_vars[*p] {
                c.call(format!(".profile(&{pv})"));
            }
        }
        for s in &host.secrets {
            c.call(format!(".secrets::<{}>()", m.secret_sets[*s].rust_name));
        }
        if let Some(k) = &host.age_key {
            c.call(format!(".age_key(age_key!({}))", rust_str(k)));
        }
        if let Some(f) = &host.age_key_file {
            c.call(format!(".age_key_file({})", rust_str(f)));
        }
        if let (Some(d), Os::Nixos) = (&host.deploy, host.os) {
            c.call(format!(".deploy({})", deploy_rs(d, &host.name)));
        }
        for (input, path) in &host.input_modules {
            c.call(format!(".import_input({})", input_module(&input_vars, input, path, Some(host.os))));
        }
        for mv in mvars {
            c.call(format!(".module(&{mv})"));
        }
        for (u, hv) in homes {
            c.call(format!(".home(&{}, {hv})", user_vars[u]));
        }
        for d in &host.disks {
            let e = disk_rs(d);
            if 16 + ".disko()".len() + e.len() <= WIDTH {
                c.call(format!(".disko({e})"));
            } else {
                let mut chain = Chain::new(String::new());
                let (head, calls) = split_chain(&e);
                chain.head = head;
                chain.calls = calls;
                c.call(format!(".disko(\n                    {},\n                )", chain.render(20, 20, 1)));
            }
        }
        if let Some((flake, schedule, window)) = &host.auto_upgrade {
            let mut e = format!("AutoUpgrade::new({}).at({})", rust_str(flake), rust_str(schedule));
            if let Some((lower, upper)) = window {
                let _ = write!(e, ".allow_reboot({}, {})", rust_str(lower), rust_str(upper));
            }
            c.call(format!(".auto_upgrade({e})"));
        }
        if let Some(spec) = &m.spec {
            let mut fields = Vec::new();
            for f in &spec.fields {
                let (rust, _) = field_name(&f.name);
                let v = host.spec.get(&f.name).or(f.default.as_ref());
                let expr = match v {
                    Some(v) => f.ty.value(v).unwrap_or_else(|| "Default::default()".into()),
                    None => match &f.ty {
                        Ty::NullOr(_) => "None".into(),
                        _ => "Default::default()".into(),
                    },
                };
                fields.push(format!("{rust}: {expr}"));
            }
            let one_line = format!(".spec(Spec {{ {} }})", fields.join(", "));
            if 16 + one_line.len() <= WIDTH {
                c.call(one_line);
            } else {
                let mut e = ".spec(Spec {".to_owned();
                for f in &fields {
                    let _ = write!(e, "\n                    {f},");
                }
                e.push_str("\n                })");
                c.call(e);
            }
        }
        match (&host.state_version, host.os) {
            (Some(Value::Str(s)), Os::Nixos) => c.call(format!(".state_version({})", rust_str(s))),
            (Some(Value::Int(i)), Os::Darwin) if u32::try_from(*i).is_ok() => c.call(format!(".state_version({i})")),
            _ => {}
        }
        typed_values_rs(&mut c, m, &host.typed, 16);
        settings_rs(&mut c, &host.settings);
        let inline = c.render(12, 8 + ".host(".len(), 1);
        if inline.contains('\n') {
            fleet.call(format!(".host(\n            {},\n        )", c.render(12, 12, 1)));
        } else {
            fleet.call(format!(".host({inline})"));
        }
    }
    for (name, profile) in &m.features {
        if let Some(pv) = profile.and_then(|p| profile_vars[p].as_ref()) {
            fleet.call(format!(".feature(Feature::{}, &{pv})", variant(name)));
        }
    }
    for overlay in &m.overlays {
        fleet.call(format!(".overlay(raw_nix({}))", rust_str(overlay)));
    }
    for (kind, name, text) in &m.outputs {
        fleet.call(format!(".{kind}({}, raw_nix({}))", rust_str(name), rust_str(text)));
    }
    for (name, var) in &export_vars {
        fleet.call(format!(".export_module({}, &{var})", rust_str(name)));
    }
    for (u, machine, system, channel, settings) in &m.standalone_homes {
        let mut c =
            Chain::new(format!("StandaloneHome::new(&{}, {}, System::{system:?})", user_vars[*u], rust_str(machine)));
        if *channel == Channel::Unstable {
            c.call(".channel(Channel::Unstable)".into());
        }
        let mut h = Chain::new("Home::new()".into());
        settings_rs(&mut h, settings);
        c.call(format!(".home({})", h.render(16, 16 + 6, 1)));
        let inline = c.render(12, 8 + ".standalone_home(".len(), 1);
        if inline.contains('\n') {
            fleet.call(format!(".standalone_home(\n            {},\n        )", c.render(12, 12, 1)));
        } else {
            fleet.call(format!(".standalone_home({inline})"));
        }
    }
    let _ = writeln!(body, "    {}", fleet.render(4, 4, 0));
    body.push_str("}\n");
    let mut uses = vec!["use fleet_dsl::prelude::*;".to_owned()];
    let all = format!("{spec_src}{body}");
    if all.contains("BTreeMap") {
        uses.push("use std::collections::BTreeMap;".into());
    }
    if all.contains("PathBuf") {
        uses.push("use std::path::PathBuf;".into());
    }
    uses.push("use std::process::ExitCode;".into());
    out.push_str(&uses.join("\n"));
    out.push_str("\n\n");
    out.push_str(&spec_src);
    out.push_str(&secrets_src);
    out.push_str(&body);
    out.push_str("\nfn main() -> ExitCode {\n    fleet_gen::cli::main(fleet())\n}\n");
    out
}

fn spec_rs(spec: &super::spec::SpecDecl) -> String {
    let mut out = String::new();
    match &spec.doc {
        Some(doc) => {
            out.push_str(&doc_rs(doc, ""));
        }
        None => {
            let _ = writeln!(
                out,
                "/// Facts every host declares (`options.hostSpec` of {}); modules read them as\n/// `config.hostSpec.*`.",
                spec.file
            );
        }
    }
    out.push_str("#[derive(HostSpec)]\npub struct Spec {\n");
    let mut enums: IndexMap<String, Vec<String>> = IndexMap::new();
    for f in &spec.fields {
        for (name, values) in f.ty.enums() {
            enums.insert(name.to_owned(), values.to_vec());
        }
        match &f.description {
            Some(d) => {
                out.push_str(&doc_rs(d.trim(), "    "));
            }
            None => {
                let _ = writeln!(out, "    /// `{}`.", f.name);
            }
        }
        let (rust, renamed) = field_name(&f.name);
        let mut attrs = Vec::new();
        if renamed {
            attrs.push(format!("rename = {}", rust_str(&f.name)));
        }
        if f.ty == Ty::Port {
            attrs.push("port".into());
        }
        match &f.default {
            None | Some(Value::Null) => {}
            Some(Value::List(items)) if items.is_empty() => attrs.push("default".into()),
            Some(Value::Attrs(items)) if items.is_empty() => attrs.push("default".into()),
            Some(Value::Str(s)) if f.ty == Ty::Str || f.ty == Ty::Path => {
                attrs.push(format!("default = {}", rust_str(s)))
            }
            Some(v) => {
                if let Some(e) = f.ty.value(v) {
                    attrs.push(format!("default = {e}"));
                }
            }
        }
        if !attrs.is_empty() {
            let _ = writeln!(out, "    #[spec({})]", attrs.join(", "));
        }
        let _ = writeln!(out, "    pub {rust}: {},", f.ty.rust());
    }
    out.push_str("}\n\n");
    for (name, values) in enums {
        let _ = writeln!(
            out,
            "/// The values of `hostSpec.{}`.",
            heck::ToLowerCamelCase::to_lower_camel_case(name.as_str())
        );
        out.push_str("#[derive(NixEnum)]\n");
        let _ = writeln!(out, "pub enum {name} {{");
        for v in values {
            let _ = writeln!(out, "    /// `{v}`.");
            if variant_renamed(&v) {
                let _ = writeln!(out, "    #[nix(rename = {})]", rust_str(&v));
            }
            let _ = writeln!(out, "    {},", variant(&v));
        }
        out.push_str("}\n\n");
    }
    out
}

/// Doc comment lines giving the derives exactly `text` back: `///` lines, and a `#[doc = "…"]`
/// for a paragraph holding what a `///` line cannot (a carriage return, a control character).
fn doc_rs(text: &str, indent: &str) -> String {
    let mut out = String::new();
    for (i, paragraph) in text.split("\n\n").enumerate() {
        if i > 0 {
            let _ = writeln!(out, "{indent}///");
        }
        if paragraph.chars().any(|c| c.is_control() && c != '\t' && c != '\n') {
            let _ = writeln!(out, "{indent}#[doc = {}]", rust_str(paragraph));
        } else {
            for line in paragraph.lines() {
                let _ = writeln!(out, "{indent}/// {}", line.trim_end());
            }
        }
    }
    out
}

/// A `#[derive(NixOptions)]` struct of a typed option set (its enums too, unless the spec has
/// them).
fn typed_rs(t: &super::model::TypedSet, declared: &mut Vec<String>) -> String {
    let decl = super::spec::SpecDecl { fields: t.fields.clone(), file: String::new(), doc: t.doc.clone() };
    let text = spec_rs(&decl);
    // `spec_rs` writes a host spec: make it this struct.
    let text = text.replacen(
        "#[derive(HostSpec)]\npub struct Spec {",
        &format!(
            "#[derive(NixOptions)]\n#[options(path = {})]\npub struct {} {{",
            rust_str(&t.path.join(".")),
            t.rust_name
        ),
        1,
    );
    let text = match &t.doc {
        Some(_) => text,
        None => {
            let body = text.split_once("#[derive(NixOptions)]").map(|(_, b)| b).unwrap_or(&text);
            format!(
                "/// The options `{}` (modules/options/{}.nix).\n#[derive(NixOptions)]{body}",
                t.path.join("."),
                t.path.join("-")
            )
        }
    };
    // Enums declared already (by the host spec or another set) are not declared twice.
    let prefix = t.path.join(".");
    let blocks: Vec<String> = text
        .split("\n\n")
        .filter(|b| !b.is_empty())
        .filter_map(|b| {
            let name = b.split_once("pub enum ").map(|(_, r)| r.split(' ').next().unwrap_or_default().to_owned());
            match name {
                Some(n) if declared.contains(&n) => None,
                Some(n) => {
                    declared.push(n);
                    Some(b.replace("/// The values of `hostSpec.", &format!("/// The values of `{prefix}.")))
                }
                None => Some(b.to_owned()),
            }
        })
        .collect();
    let mut text = blocks.join("\n\n");
    text.push_str("\n\n");
    text
}

/// `.options(XPatch { … })` for each typed set an owner sets.
fn typed_values_rs(c: &mut Chain, m: &Model, typed: &[(usize, IndexMap<String, Value>)], indent: usize) {
    for (t, values) in typed {
        let set = &m.typed_sets[*t];
        let mut fields = Vec::new();
        for f in &set.fields {
            if let Some(v) = values.get(&f.name) {
                let (rust, _) = field_name(&f.name);
                if let Some(e) = f.ty.value(v) {
                    fields.push(format!("{rust}: Some({e})"));
                }
            }
        }
        let all = fields.len() == set.fields.len();
        let rest = if all { String::new() } else { ", ..Default::default()".to_owned() };
        let one = format!(".options({}Patch {{ {}{rest} }})", set.rust_name, fields.join(", "));
        if indent + one.len() <= WIDTH {
            c.call(one);
        } else {
            let pad = " ".repeat(indent + 4);
            let mut e = format!(".options({}Patch {{", set.rust_name);
            for f in &fields {
                let _ = write!(e, "\n{pad}{f},");
            }
            if !all {
                let _ = write!(e, "\n{pad}..Default::default()");
            }
            let _ = write!(e, "\n{}}})", " ".repeat(indent));
            c.call(e);
        }
    }
}

fn secrets_rs(m: &Model) -> String {
    let mut out = String::new();
    for set in &m.secret_sets {
        let scope = match &set.scope {
            Scope::Common => "common".to_owned(),
            Scope::Host => "host".to_owned(),
            Scope::Group(g) => format!("group({})", rust_str(g)),
        };
        let _ = writeln!(
            out,
            "/// Secrets of {}.",
            match &set.scope {
                Scope::Host => "each host reading them: secrets/<host>.yaml".to_owned(),
                _ => set.file.clone(),
            }
        );
        let _ = writeln!(out, "#[derive(Secrets)]\n#[secrets(scope = {scope})]\npub struct {} {{", set.rust_name);
        for s in &set.secrets {
            let _ = writeln!(out, "    /// `{}`.", s.name);
            let field = s.name.to_snake_case();
            let field = if field.is_empty() || field.starts_with(|c: char| c.is_ascii_digit()) {
                format!("s_{field}")
            } else {
                field
            };
            let mut attrs = Vec::new();
            if field.to_kebab_case() != s.name {
                attrs.push(format!("rename = {}", rust_str(&s.name)));
            }
            for (k, v) in &s.attrs {
                let a = match (k.as_str(), v) {
                    ("neededForUsers", Value::Bool(true)) => "needed_for_users".to_owned(),
                    ("neededForUsers", _) => continue,
                    ("format", Value::Str(t)) if t.chars().all(|c| c.is_ascii_alphanumeric()) => {
                        format!("format = {t}")
                    }
                    ("key" | "mode" | "owner" | "group" | "path", Value::Str(t)) => format!("{k} = {}", rust_str(t)),
                    ("restartUnits" | "reloadUnits", Value::List(items)) => {
                        let units: Vec<String> = items
                            .iter()
                            .filter_map(|i| if let Value::Str(s) = i { Some(rust_str(s)) } else { None })
                            .collect();
                        format!("{} = [{}]", k.to_snake_case(), units.join(", "))
                    }
                    _ => continue,
                };
                attrs.push(a);
            }
            if !attrs.is_empty() {
                let _ = writeln!(out, "    #[secret({})]", attrs.join(", "));
            }
            let _ = writeln!(out, "    pub {field}: Secret,");
        }
        out.push_str("}\n\n");
    }
    out
}

fn secret_ref(m: &Model, name: &str) -> Option<String> {
    let set = m.secret_sets.iter().find(|s| s.secrets.iter().any(|x| x.name == name))?;
    Some(format!("{}::{}()", set.rust_name, name.to_snake_case()))
}

fn input_module(vars: &IndexMap<String, String>, input: &str, path: &[String], target: Option<Os>) -> String {
    let v = vars.get(input).cloned().unwrap_or_else(|| input.to_snake_case());
    match (path, target) {
        ([kind, name], Some(Os::Nixos)) if kind == "nixosModules" => format!("{v}.nixos_module({})", rust_str(name)),
        ([kind, name], Some(Os::Darwin)) if kind == "darwinModules" => format!("{v}.darwin_module({})", rust_str(name)),
        _ => format!("{v}.module({})", rust_str(&path.join("."))),
    }
}

/// A `Disko` builder expression of a disk, on one line (see [`split_chain`]).
fn disk_rs(d: &super::model::Disk) -> String {
    let dev = rust_str(&d.device);
    let mut e = match (d.layout.as_str(), &d.luks, &d.host_id) {
        ("ext4", ..) => format!("Disko::gpt_ext4({dev})"),
        ("zfs", _, Some(id)) => format!("Disko::zfs({dev}, {})", rust_str(id)),
        (_, Some((name, _)), _) if name == "crypted" => format!("Disko::luks_btrfs({dev})"),
        (_, Some((name, _)), _) => format!("Disko::btrfs({dev}).luks({})", rust_str(name)),
        _ => format!("Disko::btrfs({dev})"),
    };
    if d.layout == "btrfs" {
        let subs: Vec<String> = d
            .subvolumes
            .iter()
            .map(|(name, mp, options, swap)| {
                let mut s = match mp {
                    Some(mp) => format!("Subvolume::new({}, {})", rust_str(name), rust_str(mp)),
                    None => format!("Subvolume::unmounted({})", rust_str(name)),
                };
                if mp.is_some() && options.iter().map(String::as_str).ne(fleet_dsl::disko::DEFAULT_MOUNT_OPTIONS) {
                    let o: Vec<String> = options.iter().map(|o| rust_str(o)).collect();
                    let _ = write!(s, ".mount_options([{}])", o.join(", "));
                }
                if let Some(size) = swap {
                    let _ = write!(s, ".swapfile({})", rust_str(size));
                }
                s
            })
            .collect();
        let _ = write!(e, ".subvolumes([{}])", subs.join(", "));
        if d.luks.as_ref().is_some_and(|(_, tpm2)| *tpm2) {
            e.push_str(".tpm2()");
        }
    }
    if d.name != "main" {
        let _ = write!(e, ".name({})", rust_str(&d.name));
    }
    match &d.esp {
        None => e.push_str(".no_esp()"),
        Some(s) if s != "512M" => {
            let _ = write!(e, ".esp_size({})", rust_str(s));
        }
        Some(_) => {}
    }
    if let Some(s) = &d.swap {
        let _ = write!(e, ".swap_partition({})", rust_str(s));
    }
    for mp in &d.needed_for_boot {
        let _ = write!(e, ".needed_for_boot({})", rust_str(mp));
    }
    e
}

/// Splits a one-line method chain at its top-level calls: the head and each `.call(..)`.
fn split_chain(e: &str) -> (String, Vec<String>) {
    let mut parts = Vec::new();
    let mut depth = 0i32;
    let mut quoted = false;
    let mut start = 0;
    let bytes = e.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'"' if i == 0 || bytes[i - 1] != b'\\' => quoted = !quoted,
            b'(' | b'[' if !quoted => depth += 1,
            b')' | b']' if !quoted => depth -= 1,
            b'.' if !quoted && depth == 0 && i > 0 && bytes[i - 1] == b')' => {
                parts.push(e[start..i].to_owned());
                start = i;
            }
            _ => {}
        }
    }
    parts.push(e[start..].to_owned());
    let head = parts.remove(0);
    (head, parts)
}

fn deploy_rs(d: &Deploy, host: &str) -> String {
    let mut e = match (&d.target_host, d.local) {
        (None, true) => "Deploy::local()".to_owned(),
        (target, _) => format!("Deploy::ssh({})", rust_str(target.as_deref().unwrap_or(host))),
    };
    if let Some(u) = &d.target_user {
        let _ = write!(e, ".user({})", rust_str(u));
    }
    if let Some(p) = d.target_port {
        let _ = write!(e, ".port({p})");
    }
    for t in &d.tags {
        let _ = write!(e, ".tag({})", rust_str(t));
    }
    if d.allow_local && !d.local {
        e.push_str(".allow_local()");
    }
    if d.build_on_target {
        e.push_str(".build_on_target()");
    }
    e
}

fn settings_rs(c: &mut Chain, settings: &[Setting]) {
    for s in settings {
        let path = rust_str(&s.path);
        let call = match (s.method, &s.value) {
            (Method::Add, Value::List(items))
                if s.path == "environment.systemPackages" && items.iter().all(|i| matches!(i, Value::Pkg(_))) =>
            {
                format!(".packages({})", items_rs(items))
            }
            (Method::Add, Value::List(items)) => format!(".add({path}, {})", items_rs(items)),
            (Method::Default, v) => format!(".default({path}, {})", value_rs(v)),
            (_, v) => format!(".set({path}, {})", value_rs(v)),
        };
        c.call(call);
    }
}

/// A Rust expression converting into `NixValue`.
pub fn value_rs(v: &Value) -> String {
    match v {
        Value::Null => "NixValue::Null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) if i32::try_from(*i).is_ok() => i.to_string(),
        Value::Int(i) => format!("{i}_i64"),
        Value::Float(f) => format!("raw_nix({})", rust_str(&format!("{f:?}"))),
        Value::Str(s) => rust_str(s),
        Value::Pkg(p) if p.len() > 1 && p[0] == "unstable" => format!("pkg_unstable({})", rust_str(&p[1..].join("."))),
        Value::Pkg(p) => format!("pkg({})", rust_str(&p.join("."))),
        Value::Raw(text) => format!("raw_nix({})", rust_str(text)),
        Value::InputFile(input, path) => format!("{}.file({})", input.to_snake_case(), rust_str(path)),
        Value::List(items) => items_rs(items),
        Value::Attrs(m) if m.is_empty() => "NixValue::Attrs(Default::default())".into(),
        Value::Attrs(m) => {
            let pairs: Vec<String> =
                m.iter().map(|(k, v)| format!("({}, NixValue::from({}))", rust_str(k), value_rs(v))).collect();
            format!("NixValue::attrs([{}])", pairs.join(", "))
        }
        _ => "NixValue::Null".into(),
    }
}

/// Items of a list: an array when they are of one Rust type, else a `vec!` of `NixValue`s.
fn items_rs(items: &[Value]) -> String {
    let kind = |v: &Value| match v {
        Value::Str(_) => 1,
        Value::Pkg(p) if p.len() > 1 && p[0] == "unstable" => 5,
        Value::Pkg(_) => 2,
        Value::Bool(_) => 3,
        Value::Int(i) if i32::try_from(*i).is_ok() => 4,
        _ => 0,
    };
    if items.is_empty() {
        return "Vec::<NixValue>::new()".into();
    }
    let k = kind(&items[0]);
    if k != 0 && items.iter().all(|i| kind(i) == k) {
        let parts: Vec<String> = items.iter().map(value_rs).collect();
        return format!("[{}]", parts.join(", "));
    }
    let parts: Vec<String> = items.iter().map(|i| format!("NixValue::from({})", value_rs(i))).collect();
    format!("vec![{}]", parts.join(", "))
}
