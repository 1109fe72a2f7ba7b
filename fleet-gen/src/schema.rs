//! The fleet's JSON Schema: the schema of a fleet document (`export`, inventory files), with
//! this fleet's host spec and profile names filled in, for editors and for validation.

use crate::document::types::FleetDocument;
use crate::tree::MARKER;
use fleet_dsl::{FleetData, NixValue, OptionDecl, OptionSet, OptionType, Os};
use schemars::generate::SchemaSettings;
use serde_json::{json, Map, Value};

/// Where the schema lives in the generated repository.
pub const FILE: &str = "fleet.schema.json";

/// An age X25519 public key: `age1` and 58 bech32 characters (checked further by the generator).
const AGE_KEY_PATTERN: &str = "^age1[02-9ac-hj-np-z]{58}$";
/// An RFC 1123 host name.
const HOST_NAME_PATTERN: &str = "^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$";

/// The JSON Schema (draft-07, which yaml-language-server and taplo understand) of the fleet.
pub fn fleet_schema(fleet: &FleetData) -> Value {
    let generator = SchemaSettings::draft07().into_generator();
    let schema = generator.into_root_schema_for::<FleetDocument>();
    let mut root = schema.to_value();
    let Some(obj) = root.as_object_mut() else { return root };
    let comment = format!("{MARKER} from fleet \"{}\"; regenerate with `cargo run -- schema`.", fleet.name);
    obj.insert("$comment".into(), Value::String(comment));
    obj.insert("title".into(), Value::String(format!("Fleet `{}`", fleet.name)));
    let defs = obj.get_mut("definitions").and_then(Value::as_object_mut);
    if let Some(defs) = defs {
        patch_host(defs, fleet);
        if let Some(admin) = defs.get_mut("AdminEntry") {
            set(admin, &["properties", "ageKey", "pattern"], json!(AGE_KEY_PATTERN));
        }
    }
    sorted(root)
}

fn patch_host(defs: &mut Map<String, Value>, fleet: &FleetData) {
    let Some(host) = defs.get_mut("HostEntry") else { return };
    set(host, &["properties", "name", "pattern"], json!(HOST_NAME_PATTERN));
    let names = profile_names(fleet);
    set(host, &["properties", "profiles", "items"], json!({"type": "string", "enum": names}));
    set(host, &["properties", "features", "items"], json!({"type": "string", "enum": fleet.feature_names}));
    let mut spec = option_set_schema(&fleet.spec);
    if let Some(o) = spec.as_object_mut() {
        o.insert(
            "description".into(),
            json!(fleet.spec.description.clone().unwrap_or_else(|| format!("Host spec `{}`.", fleet.spec.rust_name))),
        );
    }
    set(host, &["properties", "spec"], spec);
    if fleet.spec.options.iter().any(|o| o.effective_default().is_none()) {
        if let Some(required) = host.get_mut("required").and_then(Value::as_array_mut) {
            required.push(json!("spec"));
        }
    }
    // Per platform, only the profiles and features that fit it: an editor flags a NixOS-only
    // profile on a Mac while the file is being written.
    let per_platform: Vec<Value> = [(Os::Nixos, "nixos"), (Os::Darwin, "darwin")]
        .into_iter()
        .map(|(os, name)| {
            let profiles: Vec<String> =
                fleet.profiles_in_use().iter().filter(|p| p.target.admits(os)).map(|p| p.name.clone()).collect();
            let features: Vec<&String> = fleet
                .feature_names
                .iter()
                .filter(|f| {
                    let mut mapped = fleet.features.iter().filter(|(n, _)| n == *f).peekable();
                    mapped.peek().is_some() && mapped.all(|(_, p)| p.target.admits(os))
                })
                .collect();
            json!({
                "if": {"properties": {"platform": {"const": name}}, "required": ["platform"]},
                "then": {"properties": {
                    "profiles": {"items": {"enum": profiles}},
                    "features": {"items": {"enum": features}},
                }},
            })
        })
        .collect();
    if let Some(o) = host.as_object_mut() {
        o.insert("allOf".into(), Value::Array(per_platform));
    }
    // Without `channel` a host follows this fleet's channel: say which, for completion.
    let channel = fleet.channel.as_str();
    set(
        host,
        &["properties", "channel"],
        json!({
            // draft-07 ignores the siblings of a `$ref`, hence `allOf`.
            "allOf": [{"$ref": "#/definitions/ChannelName"}],
            "default": channel,
            "description": format!("`stable` or `unstable`; without it, the fleet's channel (`{channel}`)."),
        }),
    );
    if let Some(age) = host.pointer_mut("/properties/ageKey") {
        // `Option<String>` is `["string", "null"]`; keep the null and add the pattern.
        if let Some(o) = age.as_object_mut() {
            o.insert("pattern".into(), json!(AGE_KEY_PATTERN));
        }
    }
}

/// Names of every profile a host may name: those of the Rust hosts and those registered.
pub fn profile_names(fleet: &FleetData) -> Vec<String> {
    fleet.profiles_in_use().iter().map(|p| p.name.clone()).collect()
}

/// The schema of a derived option set: an object of its options, those without default required.
pub fn option_set_schema(set: &OptionSet) -> Value {
    let properties: Map<String, Value> = set.options.iter().map(|o| (o.name.clone(), option_schema(o))).collect();
    let required: Vec<&str> =
        set.options.iter().filter(|o| o.effective_default().is_none()).map(|o| o.name.as_str()).collect();
    let mut schema = json!({"type": "object", "properties": properties, "additionalProperties": false});
    if !required.is_empty() {
        schema["required"] = json!(required);
    }
    schema
}

fn option_schema(o: &OptionDecl) -> Value {
    let mut schema = type_schema(&o.ty);
    if let Some(obj) = schema.as_object_mut() {
        if let Some(d) = &o.description {
            obj.insert("description".into(), json!(d));
        }
        if let Some(default) = o.effective_default() {
            obj.insert("default".into(), to_json(&default));
        }
    }
    schema
}

/// The JSON Schema of values of a Nix option type.
pub fn type_schema(ty: &OptionType) -> Value {
    let int = |min: i64, max: i64| json!({"type": "integer", "minimum": min, "maximum": max});
    match ty {
        OptionType::Bool => json!({"type": "boolean"}),
        OptionType::Str | OptionType::Path => json!({"type": "string"}),
        OptionType::Int => json!({"type": "integer"}),
        OptionType::S8 => int(-128, 127),
        OptionType::S16 => int(-32768, 32767),
        OptionType::S32 => int(i64::from(i32::MIN), i64::from(i32::MAX)),
        OptionType::U8 => int(0, 255),
        OptionType::U16 | OptionType::Port => int(0, 65535),
        OptionType::U32 => int(0, i64::from(u32::MAX)),
        OptionType::Unsigned => json!({"type": "integer", "minimum": 0}),
        OptionType::NullOr(inner) => json!({"anyOf": [type_schema(inner), {"type": "null"}]}),
        OptionType::ListOf(inner) => json!({"type": "array", "items": type_schema(inner)}),
        OptionType::AttrsOf(inner) => json!({"type": "object", "additionalProperties": type_schema(inner)}),
        OptionType::Enum(variants) => json!({"type": "string", "enum": variants}),
        OptionType::Submodule(set) => option_set_schema(set),
    }
}

/// A Nix value as JSON (raw Nix and packages, which have no JSON form, become their source text).
pub fn to_json(value: &NixValue) -> Value {
    match value {
        NixValue::Null => Value::Null,
        NixValue::Bool(b) => json!(b),
        NixValue::Int(i) => json!(i),
        NixValue::Str(s) => json!(s),
        NixValue::List(items) => Value::Array(items.iter().map(to_json).collect()),
        NixValue::Attrs(map) => Value::Object(map.iter().map(|(k, v)| (k.clone(), to_json(v))).collect()),
        NixValue::Raw(raw) => json!(raw.0),
        NixValue::Package(p) => json!(format!("pkgs.{}", p.0)),
        NixValue::UnstablePackage(p) => json!(format!("pkgs.unstable.{}", p.0)),
        NixValue::InputFile(f) => json!(format!("inputs.{} + \"/{}\"", f.input.name, f.path)),
        NixValue::SecretPath(link) => json!(format!("config.sops.secrets.{}.path", link.name)),
    }
}

fn set(value: &mut Value, path: &[&str], new: Value) {
    let mut current = value;
    for key in path {
        let Some(obj) = current.as_object_mut() else { return };
        current = obj.entry((*key).to_owned()).or_insert_with(|| json!({}));
    }
    *current = new;
}

/// The same JSON with object keys sorted, so the schema file is byte-stable, and every `oneOf`
/// of constants (how schemars writes documented enum variants) as a plain `enum`, which editors
/// complete and validators explain better ("not one of …").
fn sorted(value: Value) -> Value {
    match value {
        Value::Object(mut map) => {
            let consts: Option<Vec<Value>> = map
                .get("oneOf")
                .and_then(Value::as_array)
                .and_then(|items| items.iter().map(|i| i.get("const").cloned()).collect());
            if let Some(consts) = consts {
                map.remove("oneOf");
                map.insert("type".into(), json!("string"));
                map.insert("enum".into(), Value::Array(consts));
            }
            let mut entries: Vec<(String, Value)> = map.into_iter().collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            Value::Object(entries.into_iter().map(|(k, v)| (k, sorted(v))).collect())
        }
        Value::Array(items) => Value::Array(items.into_iter().map(sorted).collect()),
        other => other,
    }
}

/// The schema as the text of `fleet.schema.json`: pretty JSON with a final newline.
pub fn to_text(schema: &Value) -> String {
    let mut text = serde_json::to_string_pretty(schema).unwrap_or_default();
    text.push('\n');
    text
}
