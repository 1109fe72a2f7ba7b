use fleet_dsl::prelude::*;

#[derive(Secrets)]
#[secrets(scope = common)]
pub struct Shared {
    #[secret(mode = "0999")]
    pub a: Secret,
    #[secret(owner = "Bob Smith")]
    pub b: Secret,
    #[secret(restart_unit = ["x.service"])]
    pub c: Secret,
    pub d: String,
    #[secret(path = "/nix/store/x")]
    pub e: Secret,
}

fn main() {
    // No further errors from the failed derive.
    let _ = Shared::a().name();
    let _ = Host::<Darwin, fleet_dsl::NoSpec>::darwin("mac", System::Aarch64Darwin).secrets::<Shared>();
}
