// A derive with errors stands in for the traits: code using the type reports nothing more.
use fleet_dsl::prelude::*;

#[derive(HostSpec)]
struct Spec {
    #[spec(port)]
    name: String,
}

#[derive(NixOptions)]
#[options(path = "modules.x")]
struct X {
    #[spec(colour = "red")]
    enable: bool,
}

fn main() {
    let _h: Host<Nixos, Spec> =
        Host::nixos("a", System::X86_64Linux).spec(Spec { name: String::new() }).options(X { enable: true });
}
