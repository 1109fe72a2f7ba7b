use fleet_dsl::HostSpec;
use std::collections::HashMap;

#[derive(HostSpec)]
struct Spec {
    features: HashMap<String, bool>,
    nested: Option<Vec<std::collections::HashMap<String, u8>>>,
}

fn main() {}
