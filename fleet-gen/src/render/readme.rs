//! The generated `README.md`: hosts table, fleet graph, profiles, the files the user owns,
//! adding a host.

use super::graph::Graph;
use crate::plan::Plan;
use crate::tree::{Tree, MARKER};
use fleet_dsl::Os;
use minijinja::{context, Environment, UndefinedBehavior};
use serde::Serialize;

/// Above this many hosts the README names the `graph` command instead of embedding a diagram
/// nobody could read.
const GRAPH_MAX_HOSTS: usize = 50;

const TEMPLATE: &str = include_str!("../../templates/README.md.j2");

#[derive(Serialize)]
struct HostRow {
    name: String,
    platform: &'static str,
    system: &'static str,
    channel: &'static str,
    profiles: String,
    target: String,
    switch: String,
}

#[derive(Serialize)]
struct AppRow {
    name: String,
    rollback: String,
    on_machine: bool,
}

#[derive(Serialize)]
struct InputRow {
    name: String,
    url: String,
    flake: bool,
}

/// `text` as a Markdown code span that no backtick or `|` (which would end a table cell)
/// inside it can break.
fn code(text: &str) -> String {
    let text = text.replace('|', "\\|");
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    if text.starts_with('`') || text.ends_with('`') {
        format!("{fence} {text} {fence}")
    } else {
        format!("{fence}{text}{fence}")
    }
}

#[derive(Serialize)]
struct TagRow {
    tag: String,
    hosts: String,
}

#[derive(Serialize)]
struct SecretFileRow {
    path: String,
    readers: String,
    keys: String,
}

/// A LUKS volume to enroll the TPM for.
#[derive(Serialize)]
struct TpmRow {
    host: String,
    device: String,
}

#[derive(Serialize)]
struct ProfileRow {
    name: String,
    imports: String,
    hosts: String,
    description: Option<String>,
}

pub(super) fn render(plan: &Plan<'_>, tree: &mut Tree) -> Result<(), minijinja::Error> {
    let hosts: Vec<HostRow> = plan
        .hosts
        .iter()
        .map(|h| {
            let host = h.host;
            let profiles = host.profiles.iter().map(|p| format!("`{}`", p.name)).collect::<Vec<_>>();
            let (target, switch) = match (host.os, &host.deploy) {
                (Os::Darwin, _) => {
                    ("on the machine".into(), format!("sudo darwin-rebuild switch --flake .#{}", host.name))
                }
                (Os::Nixos, Some(d)) => match &d.target_host {
                    Some(t) => {
                        let user = d.target_user.as_deref().map(|u| format!("{u}@")).unwrap_or_default();
                        let port = d.target_port.map(|p| format!(":{p}")).unwrap_or_default();
                        (format!("ssh `{user}{t}{port}`"), format!("colmena apply --on {}", host.name))
                    }
                    None => ("local only".into(), "colmena apply-local --sudo".into()),
                },
                (Os::Nixos, None) => {
                    ("on the machine".into(), format!("sudo nixos-rebuild switch --flake .#{}", host.name))
                }
            };
            HostRow {
                name: host.name.clone(),
                platform: host.os.label(),
                system: host.system.as_str(),
                channel: host.channel.as_str(),
                profiles: if profiles.is_empty() { "none".into() } else { profiles.join(", ") },
                target,
                switch,
            }
        })
        .collect();
    let profiles: Vec<ProfileRow> = plan
        .profiles
        .iter()
        .map(|p| {
            let users: Vec<String> = plan
                .hosts
                .iter()
                .filter(|h| h.profiles.iter().any(|hp| hp.name == p.name))
                .map(|h| format!("`{}`", h.host.name))
                .collect();
            ProfileRow {
                name: p.name.clone(),
                imports: p.imports.iter().map(|i| format!("`{}`", i.name)).collect::<Vec<_>>().join(", "),
                hosts: users.join(", "),
                description: p
                    .description
                    .as_ref()
                    .map(|d| md_text(&d.split_whitespace().collect::<Vec<_>>().join(" "))),
            }
        })
        .collect();
    let modules: Vec<&str> = plan.modules.iter().map(|m| m.import.as_str()).collect();
    let placeholders: Vec<String> = plan
        .hosts
        .iter()
        .filter(|h| h.host.os == Os::Nixos)
        .map(|h| format!("hosts/{}/hardware-configuration.nix", h.host.name))
        .collect();

    let secret_files: Vec<SecretFileRow> = plan
        .secrets
        .iter()
        .flat_map(|s| {
            let admins: Vec<String> = s.admins.iter().map(|(n, _)| format!("admin `{n}`")).collect();
            s.files.iter().map(move |f| {
                let mut readers = admins.clone();
                readers.extend(f.hosts.iter().map(|h| format!("`{h}`")));
                let keys = f.secrets.iter().map(|d| md_code(d.key.as_deref().unwrap_or(&d.name)));
                SecretFileRow {
                    path: f.path.clone(),
                    readers: readers.join(", "),
                    keys: keys.collect::<Vec<_>>().join(", "),
                }
            })
        })
        .collect();
    let mut tags: Vec<TagRow> = Vec::new();
    if plan.colmena {
        let mut seen: Vec<&str> = Vec::new();
        for h in &plan.hosts {
            for t in &h.tags {
                if seen.contains(&t.as_str()) {
                    continue;
                }
                seen.push(t);
                let members: Vec<String> =
                    plan.hosts.iter().filter(|o| o.tags.contains(t)).map(|o| format!("`{}`", o.host.name)).collect();
                tags.push(TagRow { tag: t.clone(), hosts: members.join(", ") });
            }
        }
    }
    let apps: Vec<AppRow> = if super::apps::used(plan) {
        super::apps::host_commands(plan)
            .into_iter()
            .map(|c| AppRow { name: c.name, rollback: code(&c.rollback), on_machine: c.on_machine })
            .collect()
    } else {
        Vec::new()
    };
    let inputs: Vec<InputRow> =
        plan.flake.inputs.iter().map(|i| InputRow { name: code(&i.name), url: code(&i.url), flake: i.flake }).collect();
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_keep_trailing_newline(true);
    let tpm: Vec<TpmRow> = plan
        .hosts
        .iter()
        .flat_map(|h| {
            h.host
                .disks
                .iter()
                .filter(|d| d.tpm2())
                .map(|d| TpmRow { host: h.host.name.clone(), device: super::machine::luks_partition(d) })
        })
        .collect();
    let ctx = context! {
        marker => MARKER,
        fleet => &plan.fleet.name,
        hosts => hosts,
        profiles => profiles,
        modules => modules,
        placeholders => placeholders,
        secret_files => secret_files,
        tags => tags,
        apps => apps,
        inputs => inputs,
        overlays => super::modules::overlays_used(plan),
        exports => plan.flake.exports.iter().map(|(n, f)| format!("{} ({})", code(&format!("nixosModules.{n}")), code(f))).collect::<Vec<_>>(),
        graph => (plan.hosts.len() <= GRAPH_MAX_HOSTS).then(|| Graph::of(plan).mermaid()),
        new_host => new_host_example(plan),
        standalone => plan.fleet.standalone_homes.iter().map(|sh| StandaloneRow {
            name: sh.name(),
            system: sh.system.as_str(),
            channel: sh.channel.as_str(),
        }).collect::<Vec<_>>(),
        tpm => tpm,
    };
    let text = env.render_str(TEMPLATE, ctx)?;
    tree.generated("README.md", tidy(&text));
    Ok(())
}

/// A row of the standalone homes table.
#[derive(Serialize)]
struct StandaloneRow {
    name: String,
    system: &'static str,
    channel: &'static str,
}

/// A `new-host` command for a twin of the first host: its platform, system and profiles.
fn new_host_example(plan: &Plan<'_>) -> String {
    let mut cmd = String::from("cargo run -- new-host NAME");
    if let Some(h) = plan.hosts.first() {
        let platform = h.host.os.name();
        cmd.push_str(&format!(" --platform {platform} --system {}", h.host.system));
        for p in &h.host.profiles {
            cmd.push_str(&format!(" --profile {}", p.name));
        }
        // Without `--channel` the new host follows the fleet's channel.
        if h.host.channel != plan.fleet.channel {
            cmd.push_str(&format!(" --channel {}", h.host.channel.as_str()));
        }
    }
    cmd
}

/// User text as Markdown text that stays text: control characters escaped, and a backslash
/// before every character that can start markup (emphasis, code, links, HTML, entities, table
/// cells, headings, lists, quotes, rules), so no markup can begin inside it.
fn md_text(text: &str) -> String {
    let text = crate::shown::escape_controls(text);
    let mut out = String::with_capacity(text.len() + 8);
    let digits = text.chars().take_while(char::is_ascii_digit).count();
    for (i, c) in text.chars().enumerate() {
        let list_marker = i == digits && digits > 0 && matches!(c, '.' | ')');
        let block_marker = i == 0 && matches!(c, '-' | '+' | '=' | '#' | '>');
        if list_marker || block_marker || matches!(c, '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '|' | '~' | '&') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// User text as one Markdown code span: control characters escaped, line breaks and a pipe
/// (which would split a table cell) made visible, fenced by more backticks than it holds.
fn md_code(text: &str) -> String {
    let text = crate::shown::escape_controls(text).replace('|', "\\u{7c}");
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    let pad = if longest > 0 || text.starts_with(' ') || text.ends_with(' ') { " " } else { "" };
    format!("{fence}{pad}{text}{pad}{fence}")
}

/// Trailing spaces removed, runs of blank lines collapsed, one final newline.
fn tidy(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut blank = false;
    for line in text.lines() {
        let line = line.trim_end();
        if line.is_empty() {
            if !blank && !out.is_empty() {
                out.push('\n');
            }
            blank = true;
        } else {
            out.push_str(line);
            out.push('\n');
            blank = false;
        }
    }
    out
}

#[cfg(test)]
mod code_tests {
    use super::code;

    #[test]
    fn code_spans_hold_backticks_and_table_pipes() {
        assert_eq!(code("github:NixOS/nixos-hardware"), "`github:NixOS/nixos-hardware`");
        assert_eq!(code("a`b"), "``a`b``");
        assert_eq!(code("`a"), "`` `a ``");
        assert_eq!(code("git+https://x/y?ref=a|b"), "`git+https://x/y?ref=a\\|b`");
    }
}
