//! Generated Nix checked by Nix tools: every `.nix` file of every fixture fleet parses (rnix,
//! and the real `nix-instantiate --parse`), is alejandra-stable, and evaluates; hostile
//! strings and attribute names come back from real Nix evaluation byte for byte; hostile
//! comments cannot end their line. The real-Nix checks skip loudly without `nix-instantiate`,
//! and are mandatory under `CI=true`.
#![allow(clippy::unwrap_used)]

use fleet_dsl::{FleetData, NixEnum, NixOptions, NixValue, OptionSet};
use fleet_gen::nix::escape;
use fleet_gen::schema::to_json;
use fleet_gen::tree::Tree;
use fleet_tests::*;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

/// A fixture rendered and written to a temporary directory (with the eval harness).
struct Written {
    name: &'static str,
    fleet: FleetData,
    tree: Tree,
    dir: tempfile::TempDir,
}

fn rendered() -> Vec<(&'static str, Tree)> {
    fixtures()
        .into_iter()
        .map(|(name, fleet)| {
            let out = tempfile::tempdir().unwrap();
            (name, render(&fleet, out.path()))
        })
        .collect()
}

fn written() -> Vec<Written> {
    fixtures()
        .into_iter()
        .map(|(name, fleet)| {
            let out = tempfile::tempdir().unwrap();
            let tree = render(&fleet, out.path());
            let dir = tempfile::tempdir().unwrap();
            write_tree(&tree, dir.path()).unwrap();
            write_harness(&tree, dir.path()).unwrap();
            Written { name, fleet, tree, dir }
        })
        .collect()
}

fn hostile() -> Written {
    written().into_iter().find(|w| w.name == "hostile").unwrap()
}

/// Fails with every collected failure at once.
fn report(what: &str, failures: &[String]) {
    assert!(failures.is_empty(), "{} {what} failure(s):\n\n{}", failures.len(), failures.join("\n\n"));
}

fn eval(nix: &Path, dir: &Path, expr: &str) -> Result<Value, String> {
    let text = nix_eval_json(nix, dir, expr)?;
    serde_json::from_str(&text).map_err(|e| format!("bad JSON from nix-instantiate ({e}): {text}"))
}

fn eval_file(nix: &Path, w: &Written, path: &str) -> Result<Value, String> {
    eval(nix, w.dir.path(), &eval_file_expr(path))
}

/// `v.k1.k2...`, with keys taken literally (they may hold `/`, `.`, quotes).
fn at<'a>(v: &'a Value, path: &[&str]) -> Option<&'a Value> {
    path.iter().try_fold(v, |v, k| v.get(k))
}

/// Records a failure unless the value at `path` of `v` is exactly `expected`.
fn expect_at(failures: &mut Vec<String>, file: &str, v: &Value, path: &[&str], expected: &Value) {
    let actual = at(v, path);
    if actual != Some(expected) {
        failures.push(format!(
            "{file}: {path:?}\n  expected {}\n  actual   {}",
            expected,
            actual.map_or_else(|| "<missing>".to_owned(), Value::to_string)
        ));
    }
}

fn hostile_list() -> Value {
    json!(HOSTILE)
}

fn hostile_map() -> Value {
    Value::Object(HOSTILE.iter().map(|s| ((*s).to_owned(), json!(s))).collect())
}

fn named_map() -> Value {
    Value::Object(hostile_names().into_iter().map(|s| (s.to_owned(), json!(s))).collect())
}

/// Every declared option of `set` evaluates (through `lib.mkOption`) to its description and
/// default, exactly.
fn expect_declarations(failures: &mut Vec<String>, file: &str, v: &Value, prefix: &[&str], set: &OptionSet) {
    for decl in &set.options {
        let mut path = prefix.to_vec();
        path.push(&decl.name);
        if at(v, &path).is_none() {
            failures.push(format!("{file}: option {path:?} is not declared; got {v}"));
            continue;
        }
        if let Some(d) = &decl.description {
            path.push("description");
            expect_at(failures, file, v, &path, &json!(d));
            path.pop();
        }
        if let Some(d) = decl.effective_default() {
            path.push("default");
            expect_at(failures, file, v, &path, &to_json(&d));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Checks of every .nix file

#[test]
fn every_nix_file_parses_with_rnix() {
    let mut failures = Vec::new();
    for (fixture, tree) in rendered() {
        for (path, text) in nix_files(&tree) {
            let parse = rnix::Root::parse(text);
            if !parse.errors().is_empty() {
                failures.push(format!("{fixture}: {path}: {:?}\n{text}", parse.errors()));
            }
        }
    }
    report("rnix parse", &failures);
}

/// Every path a generated file imports or names exists in the written repository: profiles,
/// hosts, generated and hand-written modules, scaffolds and placeholders.
#[test]
fn every_path_literal_names_a_file_of_the_repository() {
    let mut failures = Vec::new();
    for (fixture, tree) in rendered() {
        let dir = tempfile::tempdir().unwrap();
        write_tree(&tree, dir.path()).unwrap();
        failures.extend(missing_paths(&tree, dir.path()).into_iter().map(|p| format!("{fixture}: {p}")));
    }
    report("path literals", &failures);
}

#[test]
fn the_path_check_finds_a_missing_import() {
    let mut tree = Tree::default();
    tree.generated("profiles/a.nix", "{\n  imports = [./b.nix ../modules/x];\n}\n".to_owned());
    tree.generated("profiles/b.nix", "{}\n".to_owned());
    let dir = tempfile::tempdir().unwrap();
    write_tree(&tree, dir.path()).unwrap();
    let problems = missing_paths(&tree, dir.path());
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(problems[0].contains("`../modules/x`"), "{problems:?}");
}

#[test]
fn every_nix_file_is_alejandra_formatted() {
    let mut failures = Vec::new();
    for (fixture, tree) in rendered() {
        for (path, text) in nix_files(&tree) {
            match alejandra::format::in_memory(path.to_owned(), text.to_owned()) {
                (alejandra::format::Status::Changed(false), _) => {}
                (alejandra::format::Status::Changed(true), after) => {
                    failures.push(format!(
                        "{fixture}: {path} is changed by alejandra:\n{}",
                        unified_diff(path, text, &after)
                    ));
                }
                (alejandra::format::Status::Error(e), _) => {
                    failures.push(format!("{fixture}: alejandra cannot format {path}: {e}\n{text}"));
                }
            }
        }
    }
    report("alejandra", &failures);
}

#[test]
fn every_nix_file_parses_with_nix_instantiate() {
    let Some(nix) = nix_instantiate() else { return };
    let mut failures = Vec::new();
    for w in written() {
        // One `nix-instantiate` per fleet; file by file only to name every failure.
        let files: Vec<_> = nix_files(&w.tree).into_iter().map(|(path, _)| w.dir.path().join(path)).collect();
        if nix_parse_all(&nix, &files).is_ok() {
            continue;
        }
        for (path, text) in nix_files(&w.tree) {
            if let Err(e) = nix_parse(&nix, &w.dir.path().join(path)) {
                failures.push(format!("{}: {path}: {e}\n--- file:\n{text:?}", w.name));
            }
        }
    }
    report("nix-instantiate --parse", &failures);
}

/// Every file evaluates strictly with the stub `lib` (so nothing undefined was injected and
/// every generated selection of `lib`, `pkgs` and `inputs` exists).
#[test]
fn every_nix_file_evaluates_with_a_stub_lib() {
    let Some(nix) = nix_instantiate() else { return };
    let mut failures = Vec::new();
    for w in written() {
        // One evaluation per fleet; file by file only to name every failure.
        let paths: Vec<&str> = nix_files(&w.tree).into_iter().map(|(path, _)| path).collect();
        match eval(&nix, w.dir.path(), &eval_files_expr(&paths)) {
            Ok(Value::Array(values)) if values.len() == paths.len() => continue,
            Ok(other) => failures.push(format!("{}: the batch evaluated to {other}", w.name)),
            Err(_) => {}
        }
        for path in &paths {
            if let Err(e) = eval_file(&nix, &w, path) {
                failures.push(format!("{}: {path}: {e}", w.name));
            }
        }
    }
    report("evaluation", &failures);
}

/// Options of a hand-written module, one of them undocumented, for the stub `config` test.
#[derive(NixOptions)]
#[options(path = "stub.service")]
struct StubService {
    /// Whether it runs.
    enable: bool,
    #[spec(port, default = 3000)]
    port: u16,
    /// The user it runs as.
    user: String,
    /// Extra flags.
    flags: Vec<String>,
    /// Its level.
    level: Option<u8>,
}

/// The stub `config` holds every option the tree's typed option sets declare, at its default or
/// a placeholder of its type, so a hand-written module that reads its options evaluates.
#[test]
fn the_stub_config_holds_the_declared_options() {
    let Some(nix) = nix_instantiate() else { return };
    let scaffold = "{config, ...}: let\n  cfg = config.stub.service;\nin {\n  \
                    seen = [cfg.enable cfg.port cfg.user cfg.flags cfg.level];\n}\n";
    let profile = fleet_dsl::prelude::Profile::nixos("p")
        .module(fleet_dsl::Module::new("stub").scaffold(scaffold))
        .options(StubService { enable: true, port: 1, user: "u".into(), flags: Vec::new(), level: None });
    let fleet = fleet_dsl::Fleet::<fleet_dsl::NoSpec>::new("stub")
        .host(fleet_dsl::Host::nixos("h", fleet_dsl::System::X86_64Linux).profile(&profile))
        .into_data();
    let out = tempfile::tempdir().unwrap();
    let tree = render(&fleet, out.path());
    let dir = tempfile::tempdir().unwrap();
    write_tree(&tree, dir.path()).unwrap();
    write_harness(&tree, dir.path()).unwrap();
    let v = eval(&nix, dir.path(), &eval_file_expr("modules/stub.nix")).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(v["seen"], json!([false, 3000, "<stub>", [], null]));
}

// ---------------------------------------------------------------------------------------------
// The fixtures are what they claim (so the checks above cover the conditional renderings)

/// statix W20 and W04: no file repeats a first name where a nested set reads better, nor assigns
/// `a = x.a;` where `inherit (x) a;` reads better (scaffolds too).
#[test]
fn no_file_repeats_keys_statix_w20() {
    let mut failures = Vec::new();
    for (name, tree) in rendered() {
        for (path, text) in nix_files(&tree) {
            let mut findings = fleet_tests::lint::repeated_keys(text);
            findings.extend(fleet_tests::lint::manual_inherit_from(text));
            for finding in findings {
                failures.push(format!("{name}: {path}: {finding}"));
            }
        }
    }
    report("statix W20", &failures);
}

#[test]
fn fixtures_cover_the_conditional_renderings() {
    let trees: Vec<(&str, Tree)> = rendered();
    let tree = |name: &str| &trees.iter().find(|(n, _)| *n == name).unwrap().1;
    let has = |name: &str, path: &str| tree(name).files.contains_key(path);
    let text = |name: &str, path: &str| tree(name).files[path].text.clone();

    // Hostile: spec, users, typed options, scaffold.
    for path in [
        "modules/host-spec.nix",
        "modules/users.nix",
        "modules/options/fleetTest-typed.nix",
        "modules/options/fleetTest-comments.nix",
        "modules/hostile/scaffold.nix",
        "profiles/values.nix",
        "profiles/comment-0.nix",
    ] {
        assert!(has("hostile", path), "hostile fleet lacks {path}");
    }
    assert!(text("hostile", "hosts/hostile-two/default.nix").contains("hostSpec.\""));

    // Minimal: no spec, users or Macs; a host without profiles is a plain attribute set.
    for path in ["modules/host-spec.nix", "modules/users.nix", "modules/users-darwin.nix"] {
        assert!(!has("minimal", path), "minimal fleet has {path}");
    }
    let bare = text("minimal", "hosts/bare/default.nix");
    assert!(bare.lines().nth(1).is_some_and(|l| l.starts_with('{') && !l.contains("lib")), "{bare}");
    let flake = text("minimal", "flake.nix");
    assert!(!flake.contains("darwin") && !flake.contains("unstable"), "{flake}");

    // Darwin on unstable: users-darwin, no hardware configuration, unstable inputs only.
    assert!(has("darwin", "modules/users-darwin.nix") && !has("darwin", "modules/users.nix"));
    assert!(!tree("darwin").files.keys().any(|p| p.ends_with("hardware-configuration.nix")));
    let flake = text("darwin", "flake.nix");
    assert!(flake.contains("nix-darwin-unstable") && !flake.contains("nixpkgs-darwin.url"), "{flake}");
    let air = text("darwin", "hosts/air/default.nix");
    let in_system = |t: &str| {
        t.contains("system.primaryUser")
            || t.split("system = {")
                .nth(1)
                .is_some_and(|rest| rest.split("};").next().unwrap_or("").contains("primaryUser"))
    };
    assert!(in_system(&air), "{air}");
    assert!(!text("darwin", "hosts/mini/default.nix").contains("primaryUser"));
}

#[test]
fn hostile_fixture_names_match_the_derives() {
    let fleet = hostile_fleet();
    assert!(fleet.spec.options.iter().any(|o| o.name == WEIRD_OPTION), "{:#?}", fleet.spec);
    assert_eq!(<Mood as NixEnum>::VARIANTS[0], WEIRD_VARIANT);
    let fallback = fleet.spec.options.iter().find(|o| o.name == "fallback").unwrap();
    assert_eq!(fallback.default, Some(NixValue::Str(HOSTILE_DEFAULT.to_owned())));
}

// ---------------------------------------------------------------------------------------------
// Hostile text through real Nix

#[test]
fn hostile_values_round_trip_through_nix() {
    let Some(nix) = nix_instantiate() else { return };
    let w = hostile();
    let joined = json!(hostile_joined());
    let mut failures = Vec::new();
    let load = |path: &str, failures: &mut Vec<String>| match eval_file(&nix, &w, path) {
        Ok(v) => Some(v),
        Err(e) => {
            failures.push(format!("{path}: {e}"));
            None
        }
    };

    let file = "hosts/hostile/default.nix";
    if let Some(v) = load(file, &mut failures) {
        let f = &mut failures;
        expect_at(f, file, &v, &["hostSpec", "note"], &joined);
        expect_at(f, file, &v, &["hostSpec", "notes"], &hostile_list());
        expect_at(f, file, &v, &["hostSpec", WEIRD_OPTION], &joined);
        expect_at(f, file, &v, &["hostSpec", "fallback"], &joined);
        expect_at(f, file, &v, &["hostSpec", "mood"], &json!(WEIRD_VARIANT));
        expect_at(f, file, &v, &["hostSpec", "table"], &hostile_map());
        expect_at(f, file, &v, &["fleetTest", "list"], &hostile_list());
        expect_at(f, file, &v, &["fleetTest", "attrs"], &hostile_map());
        expect_at(f, file, &v, &["fleetTest", "named"], &named_map());
    }

    let file = "hosts/hostile-two/default.nix";
    if let Some(v) = load(file, &mut failures) {
        let mut spec = serde_json::Map::new();
        spec.insert(WEIRD_OPTION.to_owned(), joined.clone());
        expect_at(&mut failures, file, &v, &["hostSpec"], &Value::Object(spec));
    }

    let file = "profiles/values.nix";
    if let Some(v) = load(file, &mut failures) {
        let f = &mut failures;
        expect_at(f, file, &v, &["fleetTest", "defaults", "list"], &hostile_list());
        expect_at(f, file, &v, &["fleetTest", "defaults", "attrs"], &hostile_map());
        expect_at(f, file, &v, &["fleetTest", "defaults", "named"], &named_map());
        expect_at(f, file, &v, &["fleetTest", "typed", "text"], &joined);
        expect_at(f, file, &v, &["fleetTest", "typed", "texts"], &hostile_list());
        expect_at(f, file, &v, &["fleetTest", "typed", "table"], &hostile_map());
        expect_at(f, file, &v, &["fleetTest", "typed", "fallback"], &json!("x"));
        expect_at(f, file, &v, &["fleetTest", "comments", "enable"], &json!(true));
    }

    let file = "modules/users.nix";
    if let Some(v) = load(file, &mut failures) {
        // `config = lib.mkMerge [(lib.mkIf cond {users.users.NAME = {...};}) ...]`, stubbed to a list.
        let mut users = serde_json::Map::new();
        for block in at(&v, &["config"]).and_then(Value::as_array).into_iter().flatten() {
            if let Some(Value::Object(u)) = at(block, &["users", "users"]) {
                users.extend(u.clone());
            }
        }
        let users = Value::Object(users);
        let f = &mut failures;
        for (i, text) in HOSTILE.iter().enumerate() {
            expect_at(f, file, &users, &[&hostile_user(i), "description"], &json!(passwd_safe(text)));
        }
        let everything = json!(passwd_safe(joined.as_str().unwrap_or_default()));
        expect_at(f, file, &users, &["everything", "description"], &everything);
        expect_at(f, file, &users, &["everything", "extraGroups"], &json!(["wheel"]));
        expect_at(f, file, &users, &["everything", "openssh", "authorizedKeys", "keys"], &json!(hostile_ssh_keys()));
    }

    let file = "modules/host-spec.nix";
    if let Some(v) = load(file, &mut failures) {
        expect_declarations(&mut failures, file, &v, &["options", "hostSpec"], &w.fleet.spec);
        let variants: Vec<&str> = <Mood as NixEnum>::VARIANTS.to_vec();
        expect_at(&mut failures, file, &v, &["options", "hostSpec", "mood", "type"], &json!({ "enum": variants }));
    }

    let file = "modules/options/fleetTest-typed.nix";
    if let Some(v) = load(file, &mut failures) {
        expect_declarations(
            &mut failures,
            file,
            &v,
            &["options", "fleetTest", "typed"],
            &<Typed as NixOptions>::option_set(),
        );
    }

    report("hostile value round-trip", &failures);
}

/// Attribute names (quoted option-path segments, attribute-set keys, a renamed option) come
/// back from `builtins.attrNames` exactly.
#[test]
fn hostile_attribute_names_round_trip_through_nix() {
    let Some(nix) = nix_instantiate() else { return };
    let w = hostile();
    let mut expected: Vec<&str> = hostile_names();
    expected.sort_unstable(); // attrNames sorts by bytes, as str's Ord does.
    let mut expected_table: Vec<&str> = HOSTILE.to_vec();
    expected_table.sort_unstable();
    let mut spec_names: Vec<&str> = w.fleet.spec.options.iter().map(|o| o.name.as_str()).collect();
    spec_names.sort_unstable();
    let cases: [(&str, &str, Vec<&str>); 6] = [
        ("hosts/hostile/default.nix", "fleetTest.named", expected.clone()),
        ("hosts/hostile/default.nix", "fleetTest.attrs", expected_table.clone()),
        ("hosts/hostile/default.nix", "hostSpec.table", expected_table.clone()),
        ("profiles/values.nix", "fleetTest.defaults.named", expected.clone()),
        ("profiles/values.nix", "fleetTest.typed.table", expected_table.clone()),
        ("modules/host-spec.nix", "options.hostSpec", spec_names),
    ];
    let mut failures = Vec::new();
    for (file, selection, names) in cases {
        let expr = format!("let h = import ./{HARNESS_FILE}; in builtins.attrNames (h.load ./{file}).{selection}");
        match eval(&nix, w.dir.path(), &expr) {
            Ok(actual) if actual == json!(names) => {}
            Ok(actual) => failures
                .push(format!("{file}: attrNames of {selection}\n  expected {}\n  actual   {actual}", json!(names))),
            Err(e) => failures.push(format!("{file}: {e}")),
        }
    }
    report("attribute name round-trip", &failures);
}

/// Profile descriptions and option-set descriptions become `#` comments: whatever they hold,
/// the comment ends at the end of its own line, so the file still parses and evaluates to
/// exactly what the profile sets (nothing injected, nothing swallowed).
#[test]
fn hostile_comments_cannot_end_their_line() {
    let Some(nix) = nix_instantiate() else { return };
    let w = hostile();
    let mut failures = Vec::new();
    // Every comment profile in one parse and one evaluation; file by file only on a failure.
    let files: Vec<String> = (0..HOSTILE.len()).map(|i| format!("profiles/{}.nix", comment_profile(i))).collect();
    let paths: Vec<PathBuf> = files.iter().map(|f| w.dir.path().join(f)).collect();
    let expected: Vec<Value> = (0..HOSTILE.len()).map(|i| json!({ "fleetTest": { comment_option(i): i } })).collect();
    let refs: Vec<&str> = files.iter().map(String::as_str).collect();
    let batch_ok = nix_parse_all(&nix, &paths).is_ok()
        && eval(&nix, w.dir.path(), &eval_files_expr(&refs)).is_ok_and(|v| v == Value::Array(expected));
    for (i, text) in HOSTILE.iter().enumerate().filter(|_| !batch_ok) {
        let file = format!("profiles/{}.nix", comment_profile(i));
        if let Err(e) = nix_parse(&nix, &w.dir.path().join(&file)) {
            failures.push(format!(
                "{file} (description {text:?}) does not parse: {e}\n--- file:\n{:?}",
                w.tree.files[&file].text
            ));
            continue;
        }
        let expected = json!({ "fleetTest": { comment_option(i): i } });
        match eval_file(&nix, &w, &file) {
            Ok(v) if v == expected => {}
            Ok(v) => failures.push(format!("{file} (description {text:?}): expected {expected}, got {v}")),
            Err(e) => {
                failures.push(format!("{file} (description {text:?}): {e}\n--- file:\n{:?}", w.tree.files[&file].text))
            }
        }
    }
    let file = "profiles/injection.nix";
    let expected = json!({ "fleet": { "users": ["everything"] } });
    match eval_file(&nix, &w, file) {
        Ok(v) if v == expected => {}
        Ok(v) => failures.push(format!(
            "{file} (description {INJECTION:?}): expected {expected}, got {v}\n--- file:\n{:?}",
            w.tree.files[file].text
        )),
        Err(e) => failures.push(format!("{file}: {e}")),
    }
    let comment_set = <CommentOptions as NixOptions>::option_set();
    let expected = json!({ "options": { "fleetTest": { "comments": { "enable": {
        "type": "bool", "default": false, "description": comment_set.options[0].description,
    } } } } });
    for (file, expected) in [
        ("modules/options/fleetTest-comments.nix", Some(expected)),
        ("modules/host-spec.nix", None),
        ("modules/options/fleetTest-typed.nix", None),
    ] {
        match eval_file(&nix, &w, file) {
            Ok(v) => {
                let top: Vec<&String> = v.as_object().map(|o| o.keys().collect()).unwrap_or_default();
                if top != ["options"] {
                    failures.push(format!("{file}: top-level attributes {top:?}, expected [\"options\"]"));
                }
                if let Some(expected) = expected.filter(|e| *e != v) {
                    failures.push(format!("{file}: expected {expected}, got {v}"));
                }
            }
            Err(e) => failures.push(format!("{file}: {e}\n--- file:\n{:?}", w.tree.files[file].text)),
        }
    }
    report("hostile comment", &failures);
}

// ---------------------------------------------------------------------------------------------
// The escaper alone

/// Strings for the escaper alone: the hostile ones and edge cases of `$`, `{` and `\`.
fn escaper_cases() -> Vec<&'static str> {
    let edge = [
        "",
        "$",
        "$$",
        "{",
        "${",
        "$${",
        "$$${",
        "\\${",
        "$\\{",
        "\\$",
        "$\\",
        "\\",
        "\\\\",
        "\"",
        "$\"",
        "${}",
        "''",
        "'''",
        "''\\",
        "\n",
        "\r",
        "\r\n",
        "\t",
        "\x01\x1f\x7f",
        "\u{2028}\u{feff}",
        "$\n{",
    ];
    HOSTILE.iter().chain(ODD_NAMES.iter()).chain(edge.iter()).copied().collect()
}

fn escaper_round_trip(file_text: impl Fn(&str) -> String, expr: &str, expected: impl Fn(&str) -> Value) {
    let Some(nix) = nix_instantiate() else { return };
    let dir = tempfile::tempdir().unwrap();
    let cases = escaper_cases();
    let mut exprs = Vec::new();
    for (i, s) in cases.iter().enumerate() {
        let file = format!("case{i}.nix");
        std::fs::write(dir.path().join(&file), file_text(s)).unwrap();
        exprs.push(format!("({})", expr.replace("FILE", &format!("./{file}"))));
    }
    // Every case in one evaluation; case by case only to name the failures.
    let all: Vec<Value> = cases.iter().map(|s| expected(s)).collect();
    if eval(&nix, dir.path(), &format!("[ {} ]", exprs.join(" "))).is_ok_and(|v| v == Value::Array(all)) {
        return;
    }
    let mut failures = Vec::new();
    for ((s, e), i) in cases.iter().zip(&exprs).zip(0..) {
        let text = file_text(s);
        match eval(&nix, dir.path(), e) {
            Ok(v) if v == expected(s) => {}
            Ok(v) => failures.push(format!("{s:?} printed as {text:?} evaluates to {v} (case{i}.nix)")),
            Err(e) => failures.push(format!("{s:?} printed as {text:?}: {e}")),
        }
    }
    assert!(!failures.is_empty(), "the batch failed but every case alone passes");
    report("escaper round-trip", &failures);
}

#[test]
fn escaped_strings_evaluate_to_themselves() {
    escaper_round_trip(|s| format!("{}\n", escape::string(s)), "import FILE", |s| json!(s));
}

#[test]
fn escaped_attribute_names_evaluate_to_themselves() {
    escaper_round_trip(
        |s| format!("{{ {} = 1; }}\n", escape::attr_name(s)),
        "builtins.attrNames (import FILE)",
        |s| json!([s]),
    );
}

#[test]
fn escaped_attribute_paths_evaluate_to_themselves() {
    escaper_round_trip(
        |s| format!("{{ {} = 1; }}\n", escape::attr_path(&["outer", s, "in"])),
        "let v = import FILE; in map (n: builtins.attrNames v.outer.${n}) (builtins.attrNames v.outer) ++ [(builtins.attrNames v.outer)]",
        |s| json!([["in"], [s]]),
    );
}

/// The escaper's output also survives alejandra and rnix, inside an attribute set.
#[test]
fn escaped_strings_are_alejandra_stable() {
    let mut failures = Vec::new();
    for s in escaper_cases() {
        let text = format!("{{{} = {};}}\n", escape::attr_name(s), escape::string(s));
        if !rnix::Root::parse(&text).errors().is_empty() {
            failures.push(format!("rnix rejects {text:?}"));
        }
        match alejandra::format::in_memory("case.nix".into(), text.clone()) {
            (alejandra::format::Status::Changed(false), _) => {}
            (_, after) => failures.push(format!("alejandra changes {text:?} to {after:?}")),
        }
    }
    report("escaper alejandra", &failures);
}
