//! The example binary's `new-host` and `graph` commands end to end.
#![allow(clippy::unwrap_used)]

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

fn fleet(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_example-fleet")).args(args).current_dir(cwd).output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn new_host_prints_the_snippet_and_writes_the_placeholder_once() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let args = [
        "new-host",
        "newbox",
        "--platform",
        "nixos",
        "--system",
        "x86_64-linux",
        "--profile",
        "server",
        "--out",
        out.to_str().unwrap(),
    ];
    let o = fleet(&args, tmp.path());
    let (stdout, stderr) = (text(&o.stdout), text(&o.stderr));
    assert_eq!(o.status.code(), Some(0), "{stderr}");
    for line in [
        ".host(\n    Host::nixos(\"newbox\", System::X86_64Linux)\n        .profile(&server)\n",
        "        .age_key(age_key!(\"age1…\")) // run `ssh-to-age < /etc/ssh/ssh_host_ed25519_key.pub` on the host\n",
        "        .spec(Spec {\n",
        "            primary_user: todo!(), // Login name of the machine's main user.\n",
        "        }),\n)\n",
    ] {
        assert!(stdout.contains(line), "{line:?} missing from:\n{stdout}");
    }
    let hardware = out.join("hosts/newbox/hardware-configuration.nix");
    let placeholder = fs::read_to_string(&hardware).unwrap();
    assert!(placeholder.contains("is still the placeholder"), "{placeholder}");
    for step in [
        "ssh-to-age",
        "sops updatekeys secrets/common.yaml",
        "generate --out",
        "sudo nixos-rebuild switch --flake .#newbox",
    ] {
        assert!(stderr.contains(step), "{step:?} missing from:\n{stderr}");
    }

    // A second run keeps the file, whatever it holds now (tests/tests/new_host.rs checks that it
    // is the placeholder generate writes for the host once it is in the fleet).
    fs::write(&hardware, "{ }\n").unwrap();
    let o = fleet(&args, tmp.path());
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert_eq!(fs::read_to_string(&hardware).unwrap(), "{ }\n");
}

#[test]
fn new_host_rejections() {
    let tmp = tempfile::tempdir().unwrap();
    let cases: [(&[&str], i32, &str); 4] = [
        (&["new-host", "server", "--platform", "nixos", "--system", "x86_64-linux"], 1, "already in fleet `homelab`"),
        (
            &["new-host", "newbox", "--platform", "nixos", "--system", "x86_64-linux", "--profile", "sever"],
            1,
            "did you mean `server`?",
        ),
        (
            &["new-host", "mini", "--platform", "darwin", "--system", "aarch64-darwin", "--profile", "desktop"],
            1,
            "profile `desktop` is for NixOS hosts only",
        ),
        (&["new-host", "newbox", "--platform", "nixos"], 2, "--system"),
    ];
    for (args, code, message) in cases {
        let o = fleet(args, tmp.path());
        assert_eq!(o.status.code(), Some(code), "{args:?}: {}", text(&o.stderr));
        assert!(text(&o.stderr).contains(message), "{message:?} missing from:\n{}", text(&o.stderr));
        assert!(o.stdout.is_empty(), "{args:?}");
    }
    assert_eq!(fs::read_dir(tmp.path()).unwrap().count(), 0, "a rejected request writes nothing");
}

#[test]
fn graph_prints_mermaid_and_dot() {
    let tmp = tempfile::tempdir().unwrap();
    let o = fleet(&["graph"], tmp.path());
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let mermaid = text(&o.stdout);
    assert!(mermaid.starts_with("flowchart LR\n"), "{mermaid}");
    for line in
        ["  host_macbook --> profile_mac\n", "  class host_macbook darwin\n", "  profile_server --> profile_linux\n"]
    {
        assert!(mermaid.contains(line), "{line:?} missing from:\n{mermaid}");
    }
    let o = fleet(&["graph", "--format", "dot"], tmp.path());
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let dot = text(&o.stdout);
    assert!(dot.starts_with("digraph \"homelab\" {\n") && dot.ends_with("}\n"), "{dot}");
    assert!(dot.contains("  host_pi -> profile_server;\n"), "{dot}");
    assert_eq!(fs::read_dir(tmp.path()).unwrap().count(), 0, "graph writes nothing");
}
