//! Diagnostics point at the line: the example fleet, broken in its Rust code and its inventory,
//! reports each problem with the `file:line:column` of the offending call or value, the source
//! line and a caret, in one run.

#[allow(dead_code, unreachable_pub)]
#[path = "../src/main.rs"]
mod example;

use std::process::ExitCode;

/// The 1-based line and column where `needle` first occurs in `text`.
fn find(text: &str, needle: &str) -> (usize, usize) {
    let (i, line) = text.lines().enumerate().find(|(_, l)| l.contains(needle)).expect("needle in text");
    let column = line[..line.find(needle).expect("needle in line")].chars().count() + 1;
    (i + 1, column)
}

#[test]
fn problems_of_the_rust_fleet_and_its_inventory_point_at_their_lines() {
    let main_rs = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/src/main.rs")).expect("main.rs");
    let inventory = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/fleet.toml")).expect("fleet.toml");
    let tmp = tempfile::tempdir().expect("temp dir");
    // The inventory with one host's system misspelt.
    let bad_inventory = inventory.replacen("system = \"aarch64-linux\"", "system = \"aarch64-linx\"", 1);
    assert_ne!(bad_inventory, inventory, "the example inventory has an aarch64-linux host");
    let inventory_path = tmp.path().join("fleet.toml");
    std::fs::write(&inventory_path, &bad_inventory).expect("write inventory");

    let mut fleet = example::fleet().into_data();
    fleet.inventories = vec![inventory_path.clone()];
    // The pi, as if its `.spec(..)` were left out: a problem of its `Host::nixos` call.
    let pi = fleet.hosts.iter_mut().find(|h| h.name == "pi").expect("the example has a pi");
    pi.spec = None;

    let out = tmp.path().join("out");
    let (mut stdout, mut stderr) = (Vec::new(), Vec::new());
    let args = ["example-fleet", "generate", "--out", out.to_str().expect("utf-8 path")];
    let code = fleet_gen::cli::run(&fleet, args, &mut stdout, &mut stderr);
    let err = String::from_utf8(stderr).expect("utf-8");
    assert_eq!(code, ExitCode::from(1), "{err}");
    assert!(!out.exists(), "an invalid fleet wrote files");

    let (line, column) = find(&main_rs, "Host::nixos(\"pi\"");
    let source_line = main_rs.lines().nth(line - 1).expect("line");
    let caret = format!("{}{}", " ".repeat(column - 1), "^".repeat("Host::nixos".len()));
    for expected in [
        "error[F007]: host `pi` sets no host spec".to_owned(),
        format!("--> example-fleet/src/main.rs:{line}:{column}\n"),
        format!("{line} |{}{source_line}\n", if source_line.is_empty() { "" } else { " " }),
        format!("| {caret}\n"),
        "= help: add `.spec(Spec { .. })` to the host".to_owned(),
    ] {
        assert!(err.contains(&expected), "expected {expected:?} in:\n{err}");
    }

    let (line, column) = find(&bad_inventory, "\"aarch64-linx\"");
    let expected = [
        "error[F012]: ".to_owned(),
        "at `/hosts/0/system`: `aarch64-linx` is not one of".to_owned(),
        format!("--> {}:{line}:{column}\n", inventory_path.display()),
        format!("{line} | system = \"aarch64-linx\"\n"),
        "the fleet is invalid (2 problems); nothing was written".to_owned(),
    ];
    for expected in expected {
        assert!(err.contains(&expected), "expected {expected:?} in:\n{err}");
    }
}

#[test]
fn every_call_of_the_example_is_located_in_its_main_rs() {
    let fleet = example::fleet().into_data();
    let main_rs = "example-fleet/src/main.rs";
    let mut located: Vec<(String, &fleet_dsl::Location)> = vec![("fleet".into(), &fleet.at)];
    let profiles = fleet_dsl::ProfileData::closure(fleet.hosts.iter().flat_map(|h| &h.profiles));
    let configs = profiles.iter().map(|p| (format!("profile {}", p.name), &p.config, Some(&p.at)));
    let hosts = fleet.hosts.iter().map(|h| (format!("host {}", h.name), &h.config, Some(&h.at)));
    for (owner, config, at) in configs.chain(hosts) {
        located.extend(at.map(|at| (owner.clone(), at)));
        located.extend(config.settings.iter().map(|s| (format!("{owner} {}", s.path), &s.at)));
        located.extend(config.typed.iter().map(|t| (format!("{owner} {}", t.path), &t.at)));
        located.extend(config.modules.iter().map(|m| (format!("{owner} module {}", m.path), &m.at)));
    }
    located.extend(profiles.iter().flat_map(|p| &p.users).map(|u| (format!("user {}", u.name), &u.at)));
    assert!(located.len() > 30, "{}", located.len());
    for (what, at) in located {
        assert_eq!(at.file, main_rs, "{what} is located at {at}, not in the fleet's code");
        assert!(at.line > 1 && at.column > 1, "{what}: {at}");
    }
}
