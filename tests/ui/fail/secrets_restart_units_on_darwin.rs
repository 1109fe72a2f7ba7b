use fleet_dsl::prelude::*;

#[derive(Secrets)]
#[secrets(scope = host)]
pub struct Wifi {
    #[secret(mode = "0400", restart_units = ["wpa_supplicant.service"])]
    pub wifi_password: Secret,
}

fn main() {
    let _h = Host::<Darwin, fleet_dsl::NoSpec>::darwin("mac", System::Aarch64Darwin).secrets::<Wifi>();
}
