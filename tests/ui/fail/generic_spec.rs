use fleet_dsl::{HostSpec, NixEnum};

#[derive(HostSpec)]
struct Spec<T> {
    value: T,
}

#[derive(NixEnum)]
enum Empty {}

fn main() {}
