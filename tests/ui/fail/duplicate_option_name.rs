use fleet_dsl::HostSpec;

#[derive(HostSpec)]
struct Spec {
    primary_user: String,
    #[spec(rename = "primaryUser")]
    user: String,
}

fn main() {}
