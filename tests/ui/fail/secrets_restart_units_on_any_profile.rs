use fleet_dsl::prelude::*;

#[derive(Secrets)]
#[secrets(scope = host)]
pub struct Wifi {
    #[secret(reload_units = ["wpa_supplicant.service"])]
    pub wifi_password: Secret,
}

fn main() {
    let _p = Profile::any("common").secrets::<Wifi>();
}
