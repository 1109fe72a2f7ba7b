use fleet_dsl::prelude::*;

#[derive(Secrets)]
pub struct Shared {
    pub user_password: Secret,
}

fn main() {}
