use fleet_dsl::HostSpec;

#[derive(HostSpec)]
struct Spec {
    #[spec(default = "yes")]
    enable: bool,
}

fn main() {}
