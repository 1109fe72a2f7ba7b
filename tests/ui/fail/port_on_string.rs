use fleet_dsl::NixOptions;

#[derive(NixOptions)]
#[options(path = "modules.services.web")]
struct Web {
    #[spec(port)]
    listen: String,
}

fn main() {}
