//! The schema as an editor reads it: taplo (the engine of editors' TOML support) checks
//! inventory files against `fleet.schema.json` through their `#:schema` modeline, and rejects
//! the platform and spec mistakes the schema promises to catch.

use fleet_tests::editor::{taplo, taplo_check};
use std::path::{Path, PathBuf};

const MANIFEST: &str = env!("CARGO_MANIFEST_DIR");

/// Writes an inventory beside the copy of the example's schema in `dir`.
fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let file = dir.join(name);
    std::fs::write(&file, format!("#:schema ./fleet.schema.json\n{text}")).expect("write inventory");
    file
}

#[test]
fn an_editor_checks_inventories_against_the_schema() {
    let Some(taplo) = taplo() else { return };
    let tmp = tempfile::tempdir().expect("temp dir");
    std::fs::copy(Path::new(MANIFEST).join("fleet.schema.json"), tmp.path().join("fleet.schema.json"))
        .expect("copy schema");
    let host = |platform: &str, system: &str, profiles: &str, spec: &str| {
        format!("[[hosts]]\nname = \"x\"\nplatform = \"{platform}\"\nsystem = \"{system}\"\nprofiles = [{profiles}]\n{spec}")
    };
    let spec = "spec = { primaryUser = \"a\", role = \"server\" }\n";
    let good = write(tmp.path(), "good.toml", &host("nixos", "x86_64-linux", "\"server\"", spec));
    let refused = [
        ("nixos-profile-on-mac.toml", host("darwin", "aarch64-darwin", "\"server\"", spec), "\"server\" is not one of"),
        ("mac-profile-on-nixos.toml", host("nixos", "x86_64-linux", "\"mac\"", spec), "\"mac\" is not one of"),
        ("no-spec.toml", host("nixos", "x86_64-linux", "\"server\"", ""), "\"spec\" is a required property"),
        (
            "spec-without-role.toml",
            host("nixos", "x86_64-linux", "\"server\"", "spec = { primaryUser = \"a\" }\n"),
            "\"role\" is a required property",
        ),
    ];
    // One taplo run over every file: the valid ones must draw no error, each broken one its own.
    let mut files = vec![Path::new(MANIFEST).join("fleet.toml"), good];
    files.extend(refused.iter().map(|(name, text, _)| write(tmp.path(), name, text)));
    let (ok, said) = taplo_check(&taplo, &files);
    assert!(!ok, "the broken inventories passed the editor's check:\n{said}");
    // One block per error, each naming its file and line.
    let blocks: Vec<&str> = said.split("error: ").skip(1).collect();
    for valid in ["fleet.toml:", "good.toml:"] {
        assert!(
            !blocks.iter().any(|b| b.contains(&format!("/{valid}"))),
            "the editor refused a valid inventory ({valid}):\n{said}"
        );
    }
    for (name, _, expected) in &refused {
        assert!(
            blocks.iter().any(|b| b.starts_with(expected) && b.contains(&format!("{name}:"))),
            "{name}: expected an error {expected:?} at a line of the file in:\n{said}"
        );
    }
}
