use fleet_dsl::HostSpec;

#[derive(HostSpec)]
struct Spec {
    #[spec(defualt = 1)]
    cores: u8,
    #[spec(rename = "a", rename = "b")]
    name: String,
}

fn main() {}
