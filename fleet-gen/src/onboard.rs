//! `new-host`: checks a machine against the fleet, prints the Rust that adds it, and creates
//! its user-owned files in the output repository.

use crate::error::WriteError;
use fleet_dsl::{Channel, FleetData, NixValue, OptionType, Os, ProfileData, System};
use heck::ToSnakeCase;
use std::fmt::Write as _;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// What `new-host` was asked for.
pub(crate) struct NewHost {
    pub(crate) name: String,
    pub(crate) os: Os,
    pub(crate) system: System,
    pub(crate) profiles: Vec<String>,
    pub(crate) channel: Channel,
    pub(crate) out: PathBuf,
}

pub(crate) fn new_host(fleet: &FleetData, req: &NewHost, out: &mut dyn Write, err: &mut dyn Write) -> ExitCode {
    // The fleet itself must be valid before a host joins it.
    match crate::with_plan(fleet, &req.out, |plan, _| onboard(plan.fleet, req, &mut *out, &mut *err)) {
        Ok(code) => code,
        Err(problems) => crate::report::invalid(problems, err),
    }
}

/// [`new_host`] in a valid fleet (its inventory hosts merged in).
fn onboard(fleet: &FleetData, req: &NewHost, out: &mut dyn Write, err: &mut dyn Write) -> ExitCode {
    // The profiles the hosts use, then those the fleet offers by name (`Fleet::profile`).
    let known: Vec<&ProfileData> = fleet.profiles_in_use().into_iter().map(AsRef::as_ref).collect();
    let (chosen, problems) = check_new_host(fleet, &known, req);
    if !problems.is_empty() {
        for p in &problems {
            let _ = writeln!(err, "error: {}", crate::shown::tidy(&p.to_string()));
        }
        let _ = writeln!(err, "nothing was written");
        return ExitCode::from(1);
    }

    let shown = req.out.display();
    let hardware = format!("hosts/{}/hardware-configuration.nix", req.name);
    let mut report = String::new();
    if req.os == Os::Nixos {
        match write_if_missing(&req.out, &hardware, &crate::render::hardware_placeholder(&req.name)) {
            Ok(true) => {
                let _ = writeln!(report, "created {shown}/{hardware}: a placeholder, yours from now on");
            }
            Ok(false) => {
                let _ = writeln!(report, "kept {shown}/{hardware}: it exists, and fleet-gen never overwrites it");
            }
            Err(e) => return crate::report::report_write_errors(&[e], err),
        }
    } else {
        let _ = writeln!(report, "nix-darwin hosts have no hardware configuration; no file was needed");
    }

    let files = secret_files(&req.name, &chosen);
    let _ = write!(out, "{}", host_snippet(fleet, req, &chosen, !files.is_empty()));
    let _ = write!(err, "{report}");
    let _ = write!(err, "{}", next_steps(req, &files));
    ExitCode::SUCCESS
}

/// The profiles `new-host` resolved, in the order given, and every problem with the request.
fn check_new_host<'a>(
    fleet: &FleetData,
    known: &[&'a ProfileData],
    req: &NewHost,
) -> (Vec<&'a ProfileData>, Vec<String>) {
    let mut problems = Vec::new();
    let name = &req.name;
    if let Err(reason) = crate::validate::check_hostname(name) {
        problems.push(format!(
            "`{name}` is not a valid host name: {reason} (hostnames follow RFC 1123: 1 to 63 letters, digits or `-`, not starting or ending with `-`)"
        ));
    }
    if fleet.hosts.iter().any(|h| h.name == *name) {
        problems.push(format!("host `{name}` is already in fleet `{}`: choose another name", fleet.name));
    }
    if req.system.os() != req.os {
        let systems: Vec<String> =
            [System::X86_64Linux, System::Aarch64Linux, System::X86_64Darwin, System::Aarch64Darwin]
                .into_iter()
                .filter(|s| s.os() == req.os)
                .map(|s| format!("`--system {s}`"))
                .collect();
        problems.push(format!(
            "`--system {}` is a {} system, but `--platform {}` makes a {} host: use {}, or `--platform {}`",
            req.system,
            req.system.os().label(),
            platform_flag(req.os),
            req.os.label(),
            systems.join(" or "),
            platform_flag(req.system.os()),
        ));
    }
    let mut chosen: Vec<&'a ProfileData> = Vec::new();
    for (i, wanted) in req.profiles.iter().enumerate() {
        if req.profiles[..i].contains(wanted) {
            problems.push(format!("`--profile {wanted}` is given more than once"));
            continue;
        }
        match known.iter().find(|p| p.name == *wanted) {
            Some(p) if !p.target.admits(req.os) => {
                let usable: Vec<String> =
                    known.iter().filter(|k| k.target.admits(req.os)).map(|k| format!("`{}`", k.name)).collect();
                let usable = if usable.is_empty() { "none".to_owned() } else { usable.join(", ") };
                let only = match p.target {
                    fleet_dsl::Target::Only(os) => os.label(),
                    fleet_dsl::Target::Any => "other",
                };
                problems.push(format!(
                    "profile `{wanted}` is for {only} hosts only, so a {} host cannot use it (profiles it can use: {usable})",
                    req.os.label()
                ));
            }
            Some(p) => chosen.push(p),
            None => {
                let names: Vec<&str> = known.iter().map(|p| p.name.as_str()).collect();
                let hint = match fleet_dsl::rules::suggest::closest(wanted, &names) {
                    Some(close) => format!("did you mean `{close}`?"),
                    None if names.is_empty() => "its hosts use no profiles".to_owned(),
                    None => format!(
                        "its profiles are {}",
                        names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")
                    ),
                };
                problems.push(format!("profile `{wanted}` is not in fleet `{}`: {hint}", fleet.name));
            }
        }
    }
    (chosen, problems)
}

fn platform_flag(os: Os) -> &'static str {
    os.name()
}

/// Creates `rel` in the output directory `out` with `text` unless something is there; whether
/// it was created. Like the writer, it holds the lock and never goes through a symbolic link.
fn write_if_missing(out: &Path, rel: &str, text: &str) -> Result<bool, WriteError> {
    use crate::write::fs::{kind_at, split, write_at, Kind, Root, Walker};
    use crate::write::lock::{Lock, LockMode, DEFAULT_WAIT};
    let missing =
        || WriteError::Io { action: "opening", path: out.to_owned(), source: std::io::ErrorKind::NotFound.into() };
    let root = Root::open(out, true)?.ok_or_else(missing)?;
    let _lock = Lock::take(&root, LockMode::Exclusive, DEFAULT_WAIT)?;
    let (dir, name) = split(rel);
    let mut walker = Walker::new(&root);
    let fd = walker.dir(dir, true)?.ok_or_else(missing)?;
    if kind_at(fd, name, &root.show(rel))? != Kind::Missing {
        return Ok(false);
    }
    write_at(fd, name, text.as_bytes(), false, &root.show(rel))?;
    Ok(true)
}

/// The sops files a host with `profiles` reads, in first-use order.
fn secret_files(host: &str, profiles: &[&ProfileData]) -> Vec<String> {
    fn visit(p: &ProfileData, host: &str, out: &mut Vec<String>) {
        for i in &p.imports {
            visit(i, host, out);
        }
        for set in &p.secrets {
            let file = set.scope.file(host);
            if !out.contains(&file) {
                out.push(file);
            }
        }
    }
    let mut out = Vec::new();
    for p in profiles {
        visit(p, host, &mut out);
    }
    out
}

/// The Rust to paste into the fleet's `Fleet::new(..)` chain.
fn host_snippet(fleet: &FleetData, req: &NewHost, profiles: &[&ProfileData], age_key: bool) -> String {
    let ctor = match req.os {
        Os::Nixos => "nixos",
        Os::Darwin => "darwin",
    };
    // The Rust variant names, as the snippet spells them (`System::Aarch64Linux`).
    let system = format!("{:?}", req.system);
    // Builder calls on the host, each with an optional trailing comment.
    let mut calls: Vec<(String, Option<String>)> = Vec::new();
    // A host on the fleet's channel says nothing; one on the other channel says which.
    if req.channel != fleet.channel {
        calls.push((format!(".channel(Channel::{:?})", req.channel), None));
    }
    for p in profiles {
        calls.push((format!(".profile(&{})", rust_ident(&p.name)), None));
    }
    if age_key {
        let how = "run `ssh-to-age < /etc/ssh/ssh_host_ed25519_key.pub` on the host";
        calls.push((".age_key(age_key!(\"age1…\"))".to_owned(), Some(how.to_owned())));
    }
    let decls = &fleet.spec.options;
    let spec = decls.iter().any(|d| d.effective_default().is_none());
    let mut s = String::from(".host(\n");
    let _ = write!(s, "    Host::{ctor}({:?}, System::{system})", req.name);
    for (code, comment) in &calls {
        s.push_str("\n        ");
        s.push_str(code);
        if let Some(c) = comment {
            let _ = write!(s, " // {c}");
        }
    }
    if spec {
        let _ = writeln!(s, "\n        .spec({} {{", fleet.spec.rust_name);
        for d in decls {
            let (value, comment) = match d.effective_default().and_then(|v| rust_value(&d.ty, &v)) {
                Some(value) => (value, None),
                None => ("todo!()".to_owned(), d.description.as_deref().and_then(|t| t.lines().next())),
            };
            let _ = write!(s, "            {}: {value},", rust_ident(&d.name));
            if let Some(c) = comment {
                let _ = write!(s, " // {}", c.trim());
            }
            s.push('\n');
        }
        s.push_str("        }),\n");
    } else {
        // The comma after the last call goes before its comment.
        match calls.last() {
            Some((_, Some(c))) => {
                let cut = s.len() - c.len() - 4;
                s.insert(cut, ',');
            }
            _ => s.push(','),
        }
        s.push('\n');
    }
    s.push_str(")\n");
    s
}

/// A default value written as Rust, when that is unambiguous.
fn rust_value(ty: &OptionType, value: &NixValue) -> Option<String> {
    use OptionType as T;
    Some(match (ty, value) {
        (T::Bool, NixValue::Bool(b)) => b.to_string(),
        (T::Int | T::S8 | T::S16 | T::S32 | T::U8 | T::U16 | T::U32 | T::Unsigned | T::Port, NixValue::Int(i)) => {
            i.to_string()
        }
        (T::Str | T::Path, NixValue::Str(text)) => format!("{text:?}.into()"),
        (T::NullOr(_), NixValue::Null) => "None".to_owned(),
        (T::NullOr(inner), v) => format!("Some({})", rust_value(inner, v)?),
        (T::ListOf(_), NixValue::List(items)) if items.is_empty() => "Vec::new()".to_owned(),
        (T::AttrsOf(_), NixValue::Attrs(map)) if map.is_empty() => "Default::default()".to_owned(),
        _ => return None,
    })
}

/// A Rust identifier for a profile variable or a spec field: snake_case, raw when a keyword.
fn rust_ident(name: &str) -> String {
    const KEYWORDS: &[&str] = &[
        "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "do", "dyn", "else", "enum",
        "extern", "false", "final", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "macro", "match", "mod",
        "move", "mut", "override", "priv", "pub", "ref", "return", "static", "struct", "trait", "true", "try", "type",
        "typeof", "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
    ];
    let snake = name.to_snake_case();
    match snake.as_str() {
        "self" | "super" | "crate" => format!("{snake}_"),
        k if KEYWORDS.contains(&k) => format!("r#{k}"),
        _ => snake,
    }
}

fn next_steps(req: &NewHost, secret_files: &[String]) -> String {
    let name = &req.name;
    let shown = req.out.display();
    let mut steps: Vec<String> = vec![format!(
        "Paste the snippet above into the fleet definition, after its last `.host(…)`. Each `&profile` is the variable holding that profile; give every `todo!()` a value."
    )];
    match req.os {
        Os::Nixos => steps.push(format!(
            "Install NixOS on the machine, then replace {shown}/hosts/{name}/hardware-configuration.nix with the output of `nixos-generate-config --show-hardware-config` there."
        )),
        Os::Darwin => steps.push("Install Nix on the Mac.".to_owned()),
    }
    if !secret_files.is_empty() {
        steps.push(
            "On the machine, print its age key with `nix-shell -p ssh-to-age --run 'ssh-to-age < /etc/ssh/ssh_host_ed25519_key.pub'` and put it in `.age_key(age_key!(\"age1…\"))`."
                .to_owned(),
        );
    }
    let out_flag =
        if req.out == Path::new(crate::report::DEFAULT_OUT) { String::new() } else { format!(" --out {shown}") };
    steps.push(format!("Run `cargo run -- generate{out_flag}`: it checks the fleet and writes the host's files."));
    if !secret_files.is_empty() {
        steps.push(format!(
            "In {shown}, run `sops updatekeys {}` (in `nix develop`) so the secrets it reads are re-encrypted for it.",
            secret_files.join(" ")
        ));
    }
    steps.push(match req.os {
        Os::Nixos => format!(
            "First deploy, on the machine, from a checkout of {shown}: `sudo nixos-rebuild switch --flake .#{name}`."
        ),
        Os::Darwin => format!(
            "First deploy, on the Mac, from a checkout of {shown}: `sudo darwin-rebuild switch --flake .#{name}` (before nix-darwin is installed: `sudo nix run nix-darwin -- switch --flake .#{name}`)."
        ),
    });
    let mut text = format!("\nNext steps for `{name}`:\n");
    for (i, step) in steps.iter().enumerate() {
        let _ = writeln!(text, "  {}. {step}", i + 1);
    }
    text
}
