//! The inventory parsers over arbitrary input: an error or a value, never a panic, an abort or
//! runaway memory. The normal test run tries a few hundred inputs per format; a longer hunt:
//!
//! ```sh
//! PROPTEST_CASES=200000 cargo test --release -p fleet-gen --test inventory_fuzz
//! ```

use fleet_gen::inventory::{parse, Format};
use proptest::prelude::*;

const FORMATS: [Format; 3] = [Format::Json, Format::Toml, Format::Yaml];

/// Text made of the characters that matter to the three syntaxes, so inputs get past the
/// first byte: brackets, anchors, aliases, quotes, keys, indentation.
fn syntax_soup() -> impl Strategy<Value = String> {
    let atoms = prop::sample::select(vec![
        "[", "]", "{", "}", ":", ",", "-", " ", "  ", "\n", "\t", "\"", "'", "#", "&a", "*a", "&b", "*b", "!!str",
        "? ", "|", ">", "---", "...", "=", "[[", "]]", "a", "b", "hosts", "name", "1", "0x1f", "1e999", "true", "null",
        "~", "\\", "\\u0000", "\0", "é", "\r",
    ]);
    prop::collection::vec(atoms, 0..200).prop_map(|parts| parts.concat())
}

proptest! {
    #[test]
    fn arbitrary_bytes_never_crash(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        for format in FORMATS {
            let _ = parse(format, &bytes);
        }
    }

    #[test]
    fn syntax_soup_never_crashes(text in syntax_soup()) {
        for format in FORMATS {
            let _ = parse(format, text.as_bytes());
        }
    }

    #[test]
    fn deep_and_aliased_inputs_are_bounded(depth in 0usize..5_000, fan in 1usize..20, levels in 1usize..30) {
        let deep = "[".repeat(depth) + &"]".repeat(depth);
        for format in FORMATS {
            let _ = parse(format, deep.as_bytes());
        }
        let mut bomb = String::from("a0: &a0 [x]\n");
        for i in 1..levels {
            bomb.push_str(&format!("a{i}: &a{i} [{}]\n", vec![format!("*a{}", i - 1); fan].join(", ")));
        }
        // Accepted only while small; never more than the alias budget.
        if let Ok(v) = parse(Format::Yaml, bomb.as_bytes()) {
            prop_assert!(v.to_string().len() < 20 * fleet_gen::inventory::MAX_ALIAS_NODES);
        }
    }
}
