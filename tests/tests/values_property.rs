//! Property: any value a fleet can hold, printed by the generator in any position (list item,
//! function argument, attribute value), evaluates with the real `nix-instantiate --eval
//! --strict --json` to its own JSON, and the printed text is stable under alejandra. Random
//! trees mix nested lists and attribute sets, hostile strings (multi-line ones print as `''`
//! strings), hostile attribute names, negative numbers, packages-free raw Nix leaves with
//! known values. One evaluation per batch, not per value.
#![allow(clippy::unwrap_used)]

use fleet_dsl::{raw_nix, Attrs, NixValue};
use fleet_gen::nix::{Binding, Expr, Param};
use fleet_tests::nix_instantiate;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::TestRunner;
use serde_json::{json, Value};

/// Raw Nix leaves and the JSON they evaluate to: applications, operators, negatives, `with`,
/// `let`, lambdas, `if`, indented strings, `or` defaults.
fn raw_leaves() -> Vec<(&'static str, Value)> {
    vec![
        ("-1", json!(-1)),
        ("- 7", json!(-7)),
        ("builtins.add 1 2", json!(3)),
        ("-2 + 3 * -1", json!(-5)),
        ("(x: x * 2) 5", json!(10)),
        ("let x = -4; in x", json!(-4)),
        ("with {a = 3;}; a", json!(3)),
        ("if 1 < 2 then -1 else 2", json!(-1)),
        ("builtins.length [1 2 3]", json!(3)),
        ("{a.b = 1;}.a.b or 2", json!(1)),
        ("{}.x or \"fallback\"", json!("fallback")),
        ("[1] ++ [2]", json!([1, 2])),
        ("{a = 1;} // {b = -2;}", json!({"a": 1, "b": -2})),
        ("''\n  line ''${not}\n  two\n''", json!("line ${not}\ntwo\n")),
        ("\"a${toString 1}b\"", json!("a1b")),
        ("!true || false", json!(false)),
        ("builtins.map (x: -x) [1 2]", json!([-1, -2])),
        ("rec {a = 1; b = a + 1;}", json!({"a": 1, "b": 2})),
        ("let f = {a ? -1, ...}: a; in f {}", json!(-1)),
        ("assert true; 4", json!(4)),
        ("{a = 1;} ? a", json!(true)),
        ("builtins.foldl' (a: b: a - b) 0 [1 2]", json!(-3)),
    ]
}

fn string_strategy() -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        "a", "Z", " ", "  ", "\n", "\t", "\r", "'", "''", "'''", "$", "${", "$${", "{", "}", "\\", "\"", "#", "/*",
        "ünï", "✓", "🚀", "''${", "''\\", "x",
    ]);
    prop::collection::vec(pieces, 0..12).prop_map(|p| p.concat())
}

fn value_strategy() -> impl Strategy<Value = (NixValue, Value)> {
    let raws = raw_leaves();
    let leaf = prop_oneof![
        Just((NixValue::Null, Value::Null)),
        any::<bool>().prop_map(|b| (NixValue::Bool(b), json!(b))),
        prop_oneof![Just(i64::MIN), Just(i64::MAX), -1000i64..1000, any::<i64>()]
            .prop_map(|i| (NixValue::Int(i), json!(i))),
        string_strategy().prop_map(|s| (NixValue::Str(s.clone()), json!(s))),
        prop::sample::select(raws).prop_map(|(text, v)| (NixValue::Raw(raw_nix(text)), v)),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(|items| {
                let (values, json): (Vec<_>, Vec<_>) = items.into_iter().unzip();
                (NixValue::List(values), Value::Array(json))
            }),
            prop::collection::vec((string_strategy(), inner), 0..6).prop_map(|entries| {
                let mut attrs = Attrs::new();
                let mut object = serde_json::Map::new();
                for (k, (v, j)) in entries {
                    if !attrs.contains_key(&k) {
                        attrs.insert(k.clone(), v);
                        object.insert(k, j);
                    }
                }
                (NixValue::Attrs(attrs), Value::Object(object))
            }),
        ]
    })
}

/// `[ v (x: x) v {a = v;}.a … ]` for every value: each in three positions.
fn batch_file(values: &[NixValue]) -> String {
    let mut items = Vec::new();
    for v in values {
        let e = Expr::from(v);
        items.push(e.clone());
        items.push(Expr::Apply(
            Box::new(Expr::Lambda(Param::Ident("x".into()), Box::new(Expr::var("x")))),
            vec![e.clone()],
        ));
        items.push(Expr::select(Expr::Attrs(vec![Binding::new("a", e)]), ["a"]));
    }
    format!("{}\n", Expr::vertical_list(items).nested().render(0))
}

#[test]
fn random_values_evaluate_to_their_own_json() {
    let mut runner = TestRunner::deterministic();
    let strategy = value_strategy();
    let cases: Vec<(NixValue, Value)> = (0..300).map(|_| strategy.new_tree(&mut runner).unwrap().current()).collect();
    let (values, expected): (Vec<NixValue>, Vec<Value>) = cases.into_iter().unzip();
    let text = batch_file(&values);

    let formatted = alejandra::format::in_memory("values.nix".into(), text.clone()).1;
    assert!(formatted == text, "not alejandra-stable:\n{}", fleet_tests::unified_diff("values.nix", &text, &formatted));
    rnix::Root::parse(&text).ok().unwrap();

    let Some(nix) = nix_instantiate() else { return };
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("values.nix"), &text).unwrap();
    let out = fleet_tests::nix_eval_json(&nix, dir.path(), "import ./values.nix").unwrap();
    let got: Vec<Value> = serde_json::from_str(&out).unwrap();
    for (i, want) in expected.iter().enumerate() {
        for (position, j) in ["list item", "argument", "attribute value"].iter().zip(0..3) {
            assert_eq!(&got[i * 3 + j], want, "value {i} as {position}: {:?}", values[i]);
        }
    }
}
