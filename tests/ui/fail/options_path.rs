use fleet_dsl::{HostSpec, NixOptions};

#[derive(NixOptions)]
#[options(path = "modules..gnome")]
struct Gnome {
    enable: bool,
}

#[derive(HostSpec)]
#[options(path = "hosts.spec")]
struct Spec {
    enable: bool,
}

fn main() {}
