//! `flake.nix`: its inputs, and its hosts (`nixosConfigurations` / `darwinConfigurations`
//! built with `nixosSystem` / `darwinSystem`, directly, through a local builder function, or
//! in flake-parts parts), and colmena's `deployment` of each.

use super::error::ImportError;
use super::eval::{Builder, Env, Eval, Loc, Source, Value};
use super::modules::{module_ref, ModuleRef};
use indexmap::IndexMap;
use rnix::ast::{self, HasEntry};
use std::path::Path;
use std::rc::Rc;

/// A host as the flake builds it.
#[derive(Debug)]
pub struct FlakeHost {
    /// Its attribute name.
    pub name: String,
    /// NixOS or nix-darwin.
    pub builder: Builder,
    /// The input whose builder is called (`nixpkgs`, `nixpkgs-unstable`, `nix-darwin`).
    pub input: String,
    /// `system = "…"`, when given.
    pub system: Option<String>,
    /// Its modules, in order.
    pub modules: Vec<ModuleRef>,
    /// Where it is built.
    pub loc: Loc,
    /// colmena's `deployment` of the host, evaluated.
    pub deployment: Option<Value>,
}

/// What the importer reads from `flake.nix`.
#[derive(Debug)]
pub struct Flake {
    /// `description`.
    pub description: Option<String>,
    /// Inputs by name: their `url`.
    pub inputs: IndexMap<String, String>,
    /// The hosts.
    pub hosts: Vec<FlakeHost>,
    /// The value of `inputs` for modules (`inputs.<name>`).
    pub inputs_value: Value,
    /// Things of `outputs` the importer does not carry over, with where they are.
    pub skipped: Vec<(Loc, String)>,
    /// How each input is declared besides its URL: `flake = false`, and its `follows`
    /// (its input → the fleet's input).
    pub input_specs: IndexMap<String, (bool, Vec<(String, String)>)>,
    /// Standalone homes (`homeConfigurations."user@machine"` built with
    /// `homeManagerConfiguration`): name, the home-manager input, the system, the modules.
    pub homes: Vec<(String, String, Option<String>, Vec<ModuleRef>)>,
}

/// Reads and parses a Nix file.
pub fn parse_file(root: &Path, path: &Path) -> Result<(Rc<Source>, ast::Expr), ImportError> {
    let text = std::fs::read_to_string(path).map_err(|source| ImportError::Read { path: path.to_owned(), source })?;
    let rel = path.strip_prefix(root).unwrap_or(path).display().to_string();
    let parsed = rnix::Root::parse(&text);
    let src = Rc::new(Source { path: path.to_owned(), rel: rel.clone(), text });
    if let Some(e) = parsed.errors().first() {
        let at = crate::nix::raw::error_offset(e, src.text.len());
        return Err(ImportError::Parse { file: rel, line: src.line(at), message: e.to_string() });
    }
    let expr = parsed.tree().expr().ok_or(ImportError::Parse { file: rel, line: 1, message: "empty file".into() })?;
    Ok((src, expr))
}

/// Reads `flake.nix` of `root`.
pub fn read(ev: &Eval, root: &Path) -> Result<Flake, ImportError> {
    let path = root.join("flake.nix");
    if !path.is_file() {
        return Err(ImportError::NoFlake { path: root.to_owned() });
    }
    let (src, expr) = parse_file(root, &path)?;
    let no_outputs = || ImportError::NoOutputs { file: src.rel.clone() };
    let ast::Expr::AttrSet(top) = super::modules::unparen(expr) else { return Err(no_outputs()) };
    let mut description = None;
    let mut inputs: IndexMap<String, String> = IndexMap::new();
    let mut input_specs: IndexMap<String, (bool, Vec<(String, String)>)> = IndexMap::new();
    let mut outputs = None;
    let env = Env::default();
    for entry in top.entries() {
        let ast::Entry::AttrpathValue(kv) = entry else { continue };
        let Some(names) =
            kv.attrpath().map(|p| p.attrs().filter_map(|a| ev.attr_name(&a, &env, &src)).collect::<Vec<_>>())
        else {
            continue;
        };
        let Some(value) = kv.value() else { continue };
        let v = ev.deep(&Eval::thunk(value.clone(), &env, &src));
        match names.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
            ["description"] => {
                if let Value::Str(s) = v {
                    description = Some(s);
                }
            }
            ["inputs"] => {
                if let Value::Attrs(map) = v {
                    for (name, spec) in map {
                        inputs.insert(name.clone(), input_url(&spec));
                        input_specs.insert(name, input_spec(&spec));
                    }
                }
            }
            ["inputs", name, rest @ ..] => {
                let url = match (rest, &v) {
                    (["url"], Value::Str(s)) => s.clone(),
                    ([], spec) => {
                        input_specs.insert((*name).to_owned(), input_spec(spec));
                        input_url(spec)
                    }
                    _ => String::new(),
                };
                let spec = input_specs.entry((*name).to_owned()).or_insert((true, Vec::new()));
                match (rest, &v) {
                    (["flake"], Value::Bool(b)) => spec.0 = *b,
                    (["inputs", input, "follows"], Value::Str(t)) => spec.1.push(((*input).to_owned(), t.clone())),
                    _ => {}
                }
                let known = inputs.entry((*name).to_owned()).or_default();
                if !url.is_empty() {
                    *known = url;
                }
            }
            ["outputs"] => outputs = Some(value),
            _ => {}
        }
    }
    let outputs = outputs.ok_or_else(no_outputs)?;
    let mut inputs_value: IndexMap<String, Value> =
        inputs.keys().map(|n| (n.clone(), Value::Input(n.clone(), Vec::new()))).collect();
    inputs_value.insert("self".into(), Value::Input("self".into(), Vec::new()));
    let inputs_value = Value::Attrs(inputs_value);
    let f = ev.force(&Eval::thunk(outputs, &env, &src));
    let out = ev.force(&ev.apply(&f, inputs_value.clone(), Loc { file: src.rel.clone(), line: 1 }));
    let mut flake = Flake {
        description,
        inputs,
        input_specs,
        hosts: Vec::new(),
        inputs_value,
        skipped: Vec::new(),
        homes: Vec::new(),
    };
    let mut home_sets: Vec<Value> = Vec::new();
    let mut configs: Vec<(Builder, Value)> = Vec::new();
    let mut colmena: Option<Value> = None;
    let mut collect = |ev: &Eval, out: &Value, flake: &mut Flake| {
        for (attr, builder) in [("nixosConfigurations", Builder::Nixos), ("darwinConfigurations", Builder::Darwin)] {
            if let Some(v) = ev.select(out, attr) {
                configs.push((builder, v));
            }
        }
        if let Some(v) = ev.select(out, "colmena") {
            colmena = Some(v);
        }
        if let Some(v) = ev.select(out, "homeConfigurations") {
            home_sets.push(v);
        }
        if let Value::Attrs(map) = ev.force(out) {
            for k in map.keys() {
                if !matches!(
                    k.as_str(),
                    "nixosConfigurations" | "darwinConfigurations" | "colmena" | "colmenaHive" | "homeConfigurations"
                ) {
                    flake.skipped.push((Loc { file: src.rel.clone(), line: 1 }, format!("flake output `{k}`")));
                }
            }
        }
    };
    match &out {
        Value::Attrs(map) if map.contains_key("__flakeParts") => {
            // flake-parts: `flake.*` of the top module and of every part it imports.
            let module = ev.force(&map["__flakeParts"]);
            let mut parts = vec![module];
            let mut i = 0;
            while i < parts.len() {
                let mut part = ev.force(&parts[i]);
                if let Value::Path(p) | Value::Import(p) = &part {
                    part = ev.import_file(p).map(|v| ev.force(&v)).unwrap_or(Value::Null);
                }
                if let Value::Lambda(_) = part {
                    let args: IndexMap<String, Value> = [
                        ("inputs".to_owned(), flake.inputs_value.clone()),
                        ("self".to_owned(), Value::Input("self".into(), Vec::new())),
                        ("lib".to_owned(), Value::Lib(Vec::new())),
                        ("config".to_owned(), Value::Config(Vec::new())),
                    ]
                    .into_iter()
                    .collect();
                    part = ev.force(&ev.apply(&part, Value::Attrs(args), Loc { file: src.rel.clone(), line: 1 }));
                }
                if let Some(Value::List(items)) = ev.select(&part, "imports").map(|v| ev.force(&v)) {
                    for item in items {
                        parts.push(ev.force(&item));
                    }
                }
                if let Some(fl) = ev.select(&part, "flake") {
                    collect(ev, &fl, &mut flake);
                }
                i += 1;
            }
        }
        Value::Attrs(_) => collect(ev, &out, &mut flake),
        _ => return Err(no_outputs()),
    }
    for (_, set) in configs {
        let Value::Attrs(map) = ev.force(&set) else { continue };
        for (name, v) in map {
            match ev.force(&v) {
                Value::System(b, input, args, loc) => {
                    let args = ev.force(&args);
                    let system = match ev.select(&args, "system").map(|v| ev.force(&v)) {
                        Some(Value::Str(s)) => Some(s),
                        _ => None,
                    };
                    let modules = match ev.select(&args, "modules").map(|v| ev.force(&v)) {
                        Some(Value::List(items)) => items.iter().map(|i| module_ref(ev, i)).collect(),
                        _ => Vec::new(),
                    };
                    flake.hosts.push(FlakeHost { name, builder: b, input, system, modules, loc, deployment: None });
                }
                Value::Opaque(loc) => flake.skipped.push((
                    loc,
                    format!(
                        "host `{name}`: not built by a `nixosSystem` / `darwinSystem` call the importer can follow"
                    ),
                )),
                _ => {
                    flake.skipped.push((Loc { file: src.rel.clone(), line: 1 }, format!("host `{name}`: not a system")))
                }
            }
        }
    }
    for set in home_sets {
        let Value::Attrs(map) = ev.force(&set) else { continue };
        for (name, v) in map {
            let v = ev.force(&v);
            let (Some(args), Some(Value::Str(input))) =
                (ev.select(&v, "__home"), ev.select(&v, "__input").map(|i| ev.force(&i)))
            else {
                flake.skipped.push((
                    Loc { file: src.rel.clone(), line: 1 },
                    format!("home `{name}`: not a `homeManagerConfiguration` call"),
                ));
                continue;
            };
            let system = match ev.select(&args, "pkgs").map(|p| ev.force(&p)) {
                Some(Value::Input(_, p)) if p.len() == 2 && p[0] == "legacyPackages" => Some(p[1].clone()),
                _ => None,
            };
            let modules = match ev.select(&args, "modules").map(|m| ev.force(&m)) {
                Some(Value::List(items)) => items.iter().map(|i| module_ref(ev, i)).collect(),
                _ => Vec::new(),
            };
            flake.homes.push((name, input, system, modules));
        }
    }
    if let Some(Value::Attrs(hive)) = colmena.map(|c| ev.force(&c)) {
        for (node, v) in hive {
            if node == "meta" || node == "defaults" {
                continue;
            }
            if let Some(host) = flake.hosts.iter_mut().find(|h| h.name == node) {
                host.deployment = ev.select(&v, "deployment").map(|d| ev.deep(&d));
            }
        }
    }
    if flake.hosts.is_empty() {
        return Err(ImportError::NoHosts { file: src.rel.clone() });
    }
    Ok(flake)
}

/// `flake = false` and `inputs.<x>.follows` of an input's attribute set.
fn input_spec(spec: &Value) -> (bool, Vec<(String, String)>) {
    let Value::Attrs(m) = spec else { return (true, Vec::new()) };
    let flake = !matches!(m.get("flake"), Some(Value::Bool(false)));
    let mut follows = Vec::new();
    if let Some(Value::Attrs(inputs)) = m.get("inputs") {
        for (input, v) in inputs {
            if let Value::Attrs(f) = v {
                if let Some(Value::Str(t)) = f.get("follows") {
                    follows.push((input.clone(), t.clone()));
                }
            }
        }
    }
    (flake, follows)
}

fn input_url(spec: &Value) -> String {
    match spec {
        Value::Str(s) => s.clone(),
        Value::Attrs(m) => match m.get("url") {
            Some(Value::Str(s)) => s.clone(),
            _ => String::new(),
        },
        _ => String::new(),
    }
}
