use fleet_dsl::prelude::*;

#[derive(Secrets)]
#[secrets(scope = group("common"))]
pub struct Shared {
    pub user_password: Secret,
}

fn main() {}
