use fleet_dsl::prelude::*;

fn main() {
    let _p = Profile::any("common").import(&Profile::nixos("x"));
}
