use fleet_dsl::NixEnum;

#[derive(NixEnum)]
enum Gpu {
    Amd,
    Nvidia { driver: String },
    Intel(u8),
}

fn main() {}
