//! `new-host`: the exact snippet for a known fleet; the fleet with that snippet pasted generates a
//! repository that passes the checks and keeps the placeholder `new-host` wrote; every rejected
//! request exits 1 with one clear message (2 for usage errors) and writes nothing.
#![allow(clippy::unwrap_used)]

use fleet_dsl::prelude::*;
use fleet_dsl::{FleetData, NoSpec};
use fleet_tests::{eval_file_expr, nix_eval_json, nix_instantiate, nix_parse, write_harness};
use std::fs;
use std::path::Path;
use std::process::ExitCode;

/// Facts every host declares.
#[derive(HostSpec)]
pub struct Spec {
    /// Login name of the machine's main user.
    pub primary_user: String,
    /// Machine runs without a display.
    #[spec(default = false)]
    pub headless: bool,
    /// Extra tags.
    #[spec(default)]
    pub tags: Vec<String>,
}

fn spec(user: &str) -> Spec {
    Spec { primary_user: user.into(), headless: true, tags: Vec::new() }
}

fn profiles() -> (Profile<Any>, Profile<Nixos>, Profile<Darwin>) {
    let common = Profile::any("common").default("time.timeZone", "UTC");
    let web_server = Profile::nixos("web-server").import(&common).default("services.nginx.enable", true);
    let mac = Profile::darwin("mac").import(&common);
    (common, web_server, mac)
}

/// The fleet `new-host` is asked about.
fn base() -> Fleet<Spec> {
    let (_, web_server, mac) = profiles();
    Fleet::new("shop")
        .host(Host::nixos("edge", System::X86_64Linux).profile(&web_server).spec(spec("ops")))
        .host(Host::darwin("studio", System::Aarch64Darwin).profile(&mac).spec(spec("me")))
}

use fleet_tests::run_cli as run;

fn new_host(fleet: &FleetData, out: &Path, args: &[&str]) -> (ExitCode, String, String) {
    let mut all = vec!["fleet", "new-host"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--out", out.to_str().unwrap()]);
    run(fleet, &all)
}

const NEWBOX_SNIPPET: &str = r#".host(
    Host::nixos("newbox", System::Aarch64Linux)
        .channel(Channel::Unstable)
        .profile(&web_server)
        .spec(Spec {
            primary_user: todo!(), // Login name of the machine's main user.
            headless: false,
            tags: Vec::new(),
        }),
)
"#;

#[test]
fn nixos_host_snippet_placeholder_and_a_fleet_that_takes_it() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let args = ["newbox", "--platform", "nixos", "--system", "aarch64-linux", "--profile", "web-server"];
    let (code, stdout, stderr) = new_host(&base().into_data(), &out, &[&args[..], &["--channel", "unstable"]].concat());
    assert_eq!(code, ExitCode::SUCCESS, "{stderr}");
    assert_eq!(stdout, NEWBOX_SNIPPET);
    let hardware = out.join("hosts/newbox/hardware-configuration.nix");
    let placeholder = fs::read_to_string(&hardware).unwrap();
    assert!(stderr.contains("created ") && stderr.contains("hosts/newbox/hardware-configuration.nix"), "{stderr}");
    for step in [
        "Next steps for `newbox`",
        "nixos-generate-config --show-hardware-config",
        &format!("cargo run -- generate --out {}", out.display()),
        "sudo nixos-rebuild switch --flake .#newbox",
    ] {
        assert!(stderr.contains(step), "{step:?} missing from:\n{stderr}");
    }
    assert!(!stderr.contains("sops updatekeys"), "the host reads no secrets:\n{stderr}");
    assert!(!stdout.contains("age_key"), "the host reads no secrets");

    // The fleet with the snippet pasted (its `todo!()` given a value).
    let (_, web_server, _) = profiles();
    let fleet = base()
        .host(Host::nixos("newbox", System::Aarch64Linux).channel(Channel::Unstable).profile(&web_server).spec(Spec {
            primary_user: "ops".into(),
            headless: false,
            tags: Vec::new(),
        }))
        .into_data();
    let tree = fleet_gen::generate(&fleet, &out).unwrap();
    let generated = &tree.files["hosts/newbox/hardware-configuration.nix"];
    assert_eq!(generated.owner, fleet_gen::tree::Owner::User);
    assert_eq!(generated.text, placeholder, "new-host writes the placeholder generate would");

    // The user replaces the placeholder; generate keeps it, and the repository passes the checks.
    let mine = "{ fileSystems.\"/\".device = \"/dev/disk/by-label/root\"; }\n";
    fs::write(&hardware, mine).unwrap();
    let (code, _, stderr) = run(&fleet, &["fleet", "generate", "--out", out.to_str().unwrap()]);
    assert_eq!(code, ExitCode::SUCCESS, "{stderr}");
    assert_eq!(fs::read_to_string(&hardware).unwrap(), mine);
    let (code, _, stderr) = run(&fleet, &["fleet", "generate", "--out", out.to_str().unwrap(), "--check"]);
    assert_eq!(code, ExitCode::SUCCESS, "{stderr}");
    let readme = fs::read_to_string(out.join("README.md")).unwrap();
    assert!(readme.contains("| `newbox` | NixOS | aarch64-linux | unstable | `web-server` |"), "{readme}");
    assert!(readme.contains("host_newbox --> profile_web_server"), "{readme}");

    for (path, file) in &tree.files {
        if !path.ends_with(".nix") {
            continue;
        }
        let parse = rnix::Root::parse(&file.text);
        assert!(parse.errors().is_empty(), "{path}: {:?}\n{}", parse.errors(), file.text);
        match alejandra::format::in_memory(path.clone(), file.text.clone()) {
            (alejandra::format::Status::Changed(false), _) => {}
            (alejandra::format::Status::Changed(true), after) => panic!("{path} is changed by alejandra:\n{after}"),
            (alejandra::format::Status::Error(e), _) => panic!("alejandra cannot format {path}: {e}"),
        }
    }
    let Some(nix) = nix_instantiate() else { return };
    for path in ["hosts/newbox/default.nix", "hosts/newbox/hardware-configuration.nix", "parts/hosts.nix"] {
        nix_parse(&nix, &out.join(path)).unwrap_or_else(|e| panic!("{path}: {e}"));
    }
    write_harness(&tree, &out).unwrap();
    let host = nix_eval_json(&nix, &out, &eval_file_expr("hosts/newbox/default.nix")).unwrap();
    let host: serde_json::Value = serde_json::from_str(&host).unwrap();
    assert_eq!(host["networking"]["hostName"], "newbox", "{host}");
    assert_eq!(host["nixpkgs"]["hostPlatform"], "aarch64-linux", "{host}");
}

#[test]
fn an_existing_placeholder_is_kept() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let hardware = out.join("hosts/newbox/hardware-configuration.nix");
    fs::create_dir_all(hardware.parent().unwrap()).unwrap();
    fs::write(&hardware, "{ }\n").unwrap();
    let (code, stdout, stderr) =
        new_host(&base().into_data(), &out, &["newbox", "--platform", "nixos", "--system", "x86_64-linux"]);
    assert_eq!(code, ExitCode::SUCCESS, "{stderr}");
    assert_eq!(fs::read_to_string(&hardware).unwrap(), "{ }\n");
    assert!(stderr.contains("kept ") && stderr.contains("fleet-gen never overwrites it"), "{stderr}");
    assert!(stdout.starts_with(".host(\n    Host::nixos(\"newbox\", System::X86_64Linux)\n        .spec(Spec {\n"));
}

#[test]
fn darwin_host_writes_no_file() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let args =
        ["mini", "--platform", "darwin", "--system", "aarch64-darwin", "--profile", "mac", "--profile", "common"];
    let (code, stdout, stderr) = new_host(&base().into_data(), &out, &args);
    assert_eq!(code, ExitCode::SUCCESS, "{stderr}");
    assert!(stdout.starts_with(
        ".host(\n    Host::darwin(\"mini\", System::Aarch64Darwin)\n        .profile(&mac)\n        .profile(&common)\n        .spec(Spec {\n"
    ), "{stdout}");
    assert!(stderr.contains("sudo darwin-rebuild switch --flake .#mini"), "{stderr}");
    assert!(!out.exists(), "a Mac has no hardware configuration to write");
}

#[test]
fn snippet_without_spec_ends_its_last_call_with_a_comma() {
    let common = Profile::any("common");
    let fleet = Fleet::<NoSpec>::new("f").host(Host::nixos("a", System::X86_64Linux).profile(&common)).into_data();
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let (code, stdout, _) =
        new_host(&fleet, &out, &["b", "--platform", "nixos", "--system", "x86_64-linux", "--profile", "common"]);
    assert_eq!(code, ExitCode::SUCCESS);
    assert_eq!(stdout, ".host(\n    Host::nixos(\"b\", System::X86_64Linux)\n        .profile(&common),\n)\n");
    let (code, stdout, _) = new_host(&fleet, &out, &["c", "--platform", "nixos", "--system", "x86_64-linux"]);
    assert_eq!(code, ExitCode::SUCCESS);
    assert_eq!(stdout, ".host(\n    Host::nixos(\"c\", System::X86_64Linux),\n)\n");
}

/// Asserts `new-host ARGS` exits 1 with exactly `messages` (one `error:` line each) and writes nothing.
fn assert_rejected(args: &[&str], messages: &[&str]) {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let (code, stdout, stderr) = new_host(&base().into_data(), &out, args);
    assert_eq!(code, ExitCode::from(1), "{args:?}: {stderr}");
    assert!(stdout.is_empty(), "{stdout}");
    let errors: Vec<&str> = stderr.lines().filter_map(|l| l.strip_prefix("error: ")).collect();
    assert_eq!(errors, messages, "{args:?}");
    assert!(stderr.ends_with("nothing was written\n"), "{stderr}");
    assert!(!out.exists(), "{args:?} wrote something");
}

#[test]
fn duplicate_name() {
    assert_rejected(
        &["edge", "--platform", "nixos", "--system", "x86_64-linux"],
        &["host `edge` is already in fleet `shop`: choose another name"],
    );
}

#[test]
fn invalid_name() {
    assert_rejected(
        &["new_box", "--platform", "nixos", "--system", "x86_64-linux"],
        &["`new_box` is not a valid host name: it contains characters other than letters, digits and `-` (hostnames follow RFC 1123: 1 to 63 letters, digits or `-`, not starting or ending with `-`)"],
    );
}

#[test]
fn escape_sequences_in_a_name_reach_the_terminal_escaped() {
    assert_rejected(
        &["evil\u{1b}[2J", "--platform", "nixos", "--system", "x86_64-linux"],
        &["`evil\\u{1b}[2J` is not a valid host name: it contains characters other than letters, digits and `-` (hostnames follow RFC 1123: 1 to 63 letters, digits or `-`, not starting or ending with `-`)"],
    );
}

#[test]
fn unknown_profile_gets_a_suggestion() {
    assert_rejected(
        &["newbox", "--platform", "nixos", "--system", "x86_64-linux", "--profile", "web-sever"],
        &["profile `web-sever` is not in fleet `shop`: did you mean `web-server`?"],
    );
    assert_rejected(
        &["newbox", "--platform", "nixos", "--system", "x86_64-linux", "--profile", "database"],
        &["profile `database` is not in fleet `shop`: its profiles are `web-server`, `common`, `mac`"],
    );
}

#[test]
fn nixos_only_profile_on_darwin() {
    assert_rejected(
        &["mini", "--platform", "darwin", "--system", "aarch64-darwin", "--profile", "web-server"],
        &["profile `web-server` is for NixOS hosts only, so a nix-darwin host cannot use it (profiles it can use: `common`, `mac`)"],
    );
}

#[test]
fn system_must_match_platform() {
    assert_rejected(
        &["newbox", "--platform", "nixos", "--system", "aarch64-darwin"],
        &["`--system aarch64-darwin` is a nix-darwin system, but `--platform nixos` makes a NixOS host: use `--system x86_64-linux` or `--system aarch64-linux`, or `--platform darwin`"],
    );
}

#[test]
fn every_problem_at_once() {
    assert_rejected(
        &["studio", "--platform", "darwin", "--system", "x86_64-linux", "--profile", "mac", "--profile", "mac"],
        &[
            "host `studio` is already in fleet `shop`: choose another name",
            "`--system x86_64-linux` is a NixOS system, but `--platform darwin` makes a nix-darwin host: use `--system x86_64-darwin` or `--system aarch64-darwin`, or `--platform nixos`",
            "`--profile mac` is given more than once",
        ],
    );
}

#[test]
fn usage_errors_exit_2() {
    let fleet = base().into_data();
    for args in [
        &["fleet", "new-host", "newbox", "--system", "x86_64-linux"][..],
        &["fleet", "new-host", "newbox", "--platform", "nixos"],
        &["fleet", "new-host", "newbox", "--platform", "nixos", "--system", "riscv64-linux"],
        &["fleet", "new-host", "newbox", "--platform", "bsd", "--system", "x86_64-linux"],
        &["fleet", "new-host", "newbox", "--platform", "nixos", "--system", "x86_64-linux", "--channel", "beta"],
        &["fleet", "new-host", "--platform", "nixos", "--system", "x86_64-linux"],
    ] {
        let (code, _, stderr) = run(&fleet, args);
        assert_eq!(code, ExitCode::from(2), "{args:?}: {stderr}");
    }
}

#[test]
fn an_invalid_fleet_is_reported_first() {
    let fleet = Fleet::<NoSpec>::new("f")
        .host(Host::nixos("web", System::X86_64Linux))
        .host(Host::nixos("web", System::X86_64Linux))
        .into_data();
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let (code, stdout, stderr) = new_host(&fleet, &out, &["db", "--platform", "nixos", "--system", "x86_64-linux"]);
    assert_eq!(code, ExitCode::from(1));
    assert!(stdout.is_empty());
    assert!(stderr.contains("host `web` is defined 2 times"), "{stderr}");
    assert!(!out.exists());
}

#[test]
fn profiles_offered_by_name_count_too() {
    let spare = Profile::nixos("spare").import(&Profile::any("extra"));
    let fleet = base().profile(&spare).into_data();
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let (code, stdout, stderr) = new_host(
        &fleet,
        &out,
        &["newbox", "--platform", "nixos", "--system", "x86_64-linux", "--profile", "spare", "--profile", "extra"],
    );
    assert_eq!(code, ExitCode::SUCCESS, "{stderr}");
    assert!(stdout.contains("        .profile(&spare)\n        .profile(&extra)\n"), "{stdout}");
}

/// A new host follows the fleet's channel unless `--channel` names the other one.
#[test]
fn new_hosts_follow_the_fleet_channel() {
    let fleet = base().channel(Channel::Unstable).into_data();
    let tmp = tempfile::tempdir().unwrap();
    let args = ["box", "--platform", "nixos", "--system", "x86_64-linux"];
    let (code, out, err) = new_host(&fleet, tmp.path(), &args);
    assert_eq!(code, ExitCode::SUCCESS, "{err}");
    assert!(!out.contains(".channel("), "{out}");
    let mut stable = args.to_vec();
    stable.extend(["--channel", "stable"]);
    let (code, out, err) = new_host(&fleet, tmp.path(), &stable);
    assert_eq!(code, ExitCode::SUCCESS, "{err}");
    assert!(out.contains(".channel(Channel::Stable)"), "{out}");
}
