use fleet_dsl::HostSpec;

struct Disk;

#[derive(HostSpec)]
struct Spec {
    primary_user: String,
    disk: Disk,
    load: Option<f64>,
}

fn main() {}
