use fleet_dsl::prelude::*;
use fleet_dsl::NoSpec;

fn main() {
    let _mac: Host<Darwin, NoSpec> = Host::darwin("mac", System::Aarch64Darwin).disko(Disko::gpt_ext4("/dev/disk0"));
}
