use fleet_dsl::HostSpec;

#[derive(HostSpec)]
enum Spec {
    Laptop,
    Desktop,
}

fn main() {}
