//! `import`: hand-written flake repositories shaped like the seeds (`tests/fixtures/import/`)
//! import without error into fleet crates that build, whose `generate` succeeds, and whose hosts
//! evaluate (real module system) to what the original hosts evaluate to: host names, state
//! versions, users and groups, `hostSpec` values, secret declarations, packages, homes.
#![allow(clippy::unwrap_used)]

use fleet_tests::{
    build_and_generate, eval_hosts_with, host_essentials, import_fixture, import_fixture_dir, module_system,
    IMPORT_FIXTURES, IMPORT_PATHS,
};

/// The report, with the machine's path of the fixtures left out.
fn report_text(name: &str, report: &str) -> String {
    report.replace(&import_fixture_dir(name).display().to_string(), &format!("tests/fixtures/import/{name}"))
}

#[test]
fn import_main_rs_and_report_snapshots() {
    for name in IMPORT_FIXTURES {
        let (_dir, imported) = import_fixture(name).unwrap_or_else(|e| panic!("{e}"));
        let main = imported.files.iter().find(|(p, _)| p.as_os_str() == "src/main.rs").unwrap();
        let report = report_text(name, &imported.report.text);
        insta::assert_snapshot!(format!("{name}_main_rs"), report_text(name, &main.1));
        insta::assert_snapshot!(format!("{name}_report"), report);
    }
}

/// Every fixture: the crate builds, `generate` writes a repository, and every host evaluates as
/// the hand-written host does.
#[test]
fn imported_hosts_evaluate_like_the_originals() {
    let nix = module_system();
    for name in IMPORT_FIXTURES {
        let (dir, _) = import_fixture(name).unwrap_or_else(|e| panic!("{e}"));
        let generated = build_and_generate(&dir.path().join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        let Some(nix) = &nix else { continue };
        let original = eval_hosts_with(nix, &import_fixture_dir(name), &IMPORT_PATHS).unwrap_or_else(|e| panic!("{e}"));
        let imported = eval_hosts_with(nix, &generated, &IMPORT_PATHS).unwrap_or_else(|e| panic!("{e}"));
        let original = original.as_object().unwrap();
        let imported = imported.as_object().unwrap();
        let names: Vec<&String> = original.keys().collect();
        assert_eq!(names, imported.keys().collect::<Vec<_>>(), "{name}: the same hosts");
        for (host, want) in original {
            let want = host_essentials(want);
            let got = host_essentials(&imported[host]);
            assert_eq!(
                serde_json::to_string_pretty(&got).unwrap(),
                serde_json::to_string_pretty(&want).unwrap(),
                "{name}: host `{host}` differs from the original"
            );
            assert_eq!(imported[host]["assertions"], serde_json::json!([]), "{name}/{host}");
        }
    }
}
