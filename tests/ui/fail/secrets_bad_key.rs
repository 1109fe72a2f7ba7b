use fleet_dsl::prelude::*;

/// sops-nix looks a `/` key up as nested YAML keys: `user/hashedPassword` is fine, empty
/// segments are not.
#[derive(Secrets)]
#[secrets(scope = common)]
pub struct Shared {
    #[secret(key = "user/hashedPassword")]
    pub fine: Secret,
    #[secret(key = "/user")]
    pub leading: Secret,
    #[secret(key = "user//password")]
    pub double: Secret,
    #[secret(key = "user/")]
    pub trailing: Secret,
}

fn main() {
    let _ = Shared::fine();
}
