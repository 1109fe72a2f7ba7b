//! The generated README embeds user text (profile descriptions, secret names) as text: parsed
//! by a Markdown parser, a fleet with hostile text has exactly the structure of the same fleet
//! with plain text — no user text became a link, HTML, emphasis, a heading, a list or a cell.
#![allow(clippy::unwrap_used)]

use fleet_dsl::prelude::*;
use fleet_dsl::{FleetData, NoSpec};
use pulldown_cmark::{Event, Options, Parser};

const ADMIN: &str = "age190vqdjtlpcq27xslcveglfmr4ynfwg7gmw86cnun4acakxrdd6gq9e9dqx";
const KEY_A: &str = "age1dp5n6q4tf7ajxvdcesuez5ezuj8xrurdf5dnre73nyfjq2zhhj9qm3cxy5";

/// Markdown that would become markup if embedded raw.
const HOSTILE: [&str; 16] = [
    "*emphasis* and __strong__",
    "[a link](https://evil.example) ![img](x.png)",
    "<script>alert(1)</script> <b>bold</b>",
    "`code` and ``double``",
    "| a | table | cell |",
    "# heading",
    "- a list item",
    "1. ordered",
    "> quote",
    "---",
    "===",
    "~~struck~~",
    "&amp; &lt;entity&gt;",
    "<https://autolink.example>",
    "back\\slash \\* star",
    "trailing `",
];

fn fleet(description: &str, secret: &str) -> FleetData {
    struct Set;
    thread_local!(static NAME: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) });
    impl fleet_dsl::Secrets for Set {
        type Platform = fleet_dsl::Any;
        fn secret_set() -> fleet_dsl::SecretSet {
            let name = NAME.with(|n| n.borrow().clone());
            fleet_dsl::SecretSet {
                rust_name: "Set".into(),
                scope: fleet_dsl::Scope::Host,
                secrets: vec![fleet_dsl::SecretDecl::new(name)],
            }
        }
    }
    NAME.with(|n| *n.borrow_mut() = secret.to_owned());
    let p = Profile::nixos("base").description(description);
    Fleet::<NoSpec>::new("f")
        .admin("alice", ADMIN)
        .host(Host::nixos("a", System::X86_64Linux).profile(&p).age_key(KEY_A).secrets::<Set>())
        .into_data()
}

/// The README's structure: every event but the text inside it.
fn structure(fleet: &FleetData) -> Vec<String> {
    let tmp = tempfile::tempdir().unwrap();
    let tree = fleet_gen::generate(fleet, tmp.path()).unwrap_or_else(|e| panic!("{e}"));
    let readme = &tree.files["README.md"].text;
    Parser::new_ext(readme, Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH)
        .filter_map(|e| match e {
            Event::Text(_) | Event::SoftBreak => None,
            Event::Code(_) => Some("code".to_owned()),
            Event::Start(tag) => Some(format!("start {tag:?}")),
            other => Some(format!("{other:?}")),
        })
        .collect()
}

#[test]
fn hostile_descriptions_and_secret_names_stay_text() {
    let plain = structure(&fleet("plain words", "plainname"));
    for text in HOSTILE {
        let hostile = structure(&fleet(text, &text.replace('/', "-")));
        assert_eq!(hostile, plain, "{text:?} changed the README's structure");
    }
}

#[test]
fn control_characters_never_reach_the_readme() {
    // Rejected at the boundary, with a message naming the field.
    let tmp = tempfile::tempdir().unwrap();
    let err = fleet_gen::generate(&fleet("ok", "bell\u{7}name"), tmp.path()).unwrap_err().to_string();
    assert!(
        err.contains("secret `bell\\u{7}name` of `Set`: name `bell\\u{7}name` contains the control character"),
        "{err}"
    );
    let err = fleet_gen::generate(&fleet("esc \u{1b}[31m red", "x"), tmp.path()).unwrap_err().to_string();
    assert!(err.contains("profile `base`: description `esc \\u{1b}[31m red` contains the control character"), "{err}");
}
