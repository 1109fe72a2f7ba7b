use fleet_dsl::prelude::*;
use fleet_dsl::NoSpec;

fn main() {
    let hw = fleet_input("nixos-hardware", "github:NixOS/nixos-hardware");
    // A NixOS module on a Mac, and on a profile for every platform: neither compiles.
    let _mac: Host<Darwin, NoSpec> =
        Host::darwin("mac", System::Aarch64Darwin).import_input(hw.nixos_module("framework-16-7040-amd"));
    let _any = Profile::any("common").import_input(hw.nixos_module("common-pc"));
}
