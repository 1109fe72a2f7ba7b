use fleet_dsl::prelude::*;
use fleet_dsl::NoSpec;

fn main() {
    let p = Profile::nixos("desktop");
    let _h: Host<Darwin, NoSpec> = Host::darwin("mac", System::Aarch64Darwin).profile(&p);
}
