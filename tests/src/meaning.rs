//! The fixture fleet whose values must evaluate as it says: list contributions from two
//! profiles and a host, a host override of a profile default, defaults split per leaf, raw Nix
//! in every position (an application, `with pkgs;`, an overlay in a list, `osConfig` in a
//! home), packages by attribute path, negative numbers, a multi-line script, and a host
//! without deployment settings next to one with them.

use fleet_dsl::prelude::*;
use fleet_dsl::{FleetData, NixValue, NoSpec};

/// The packages each host of the [`meaning_fleet`] must end up with (besides nixpkgs' own), by the
/// fake derivation names of the test harness (`python3Packages-requests` for a nested one).
pub const MEANING_PACKAGES: [(&str, &[&str]); 2] = [
    ("deployed", &["git", "python3Packages-requests", "curl", "htop"]),
    ("undeployed", &["git", "python3Packages-requests", "jq", "ripgrep"]),
];

/// The script the base profile sets, as an indented string.
pub const MEANING_SCRIPT: &str = "echo one\n  echo ''${two}\necho 'three'\n";

/// See the module documentation.
pub fn meaning_fleet() -> FleetData {
    let me = User::new("me").home(
        Home::new()
            .set("home.sessionVariables.FLEET_HOST", raw_nix("osConfig.networking.hostName"))
            .add("home.packages", [pkg("hello")]),
    );
    let base = Profile::nixos("base")
        .description("Packages, a default service, defaults split per leaf, raw Nix.")
        .user(&me)
        .add("environment.systemPackages", [pkg("git"), pkg("python3Packages.requests")])
        .add("networking.firewall.allowedTCPPorts", [22])
        .default("services.openssh.enable", true)
        .default(
            "services.openssh.settings",
            NixValue::attrs([("PasswordAuthentication", false), ("X11Forwarding", true)]),
        )
        .default("fleetTest.offset", -1)
        .default("fleetTest.numbers", vec![-1, 2, -3])
        .default("fleetTest.hello", raw_nix("lib.getExe' pkgs.hello \"hello\""))
        .default("fleetTest.script", MEANING_SCRIPT)
        .add("nixpkgs.overlays", [raw_nix("final: prev: {fleetTestHello = prev.hello;}")])
        .set("fleetTest.sum", raw_nix("-2 + 3 * -1"));
    let extra = Profile::nixos("extra").import(&base).add("environment.systemPackages", [pkg("curl")]);
    let solo = User::new("solo").home(Home::new().program(Git {
        user_name: "Solo".into(),
        user_email: "solo@example.org".into(),
        ..Git::default()
    }));
    Fleet::<NoSpec>::new("meaning")
        .standalone_home(
            StandaloneHome::new(&solo, "workstation", System::X86_64Linux)
                .channel(Channel::Unstable)
                .home(Home::new().packages([pkg("ripgrep")]).session_path(["$HOME/.local/bin"])),
        )
        .host(
            Host::nixos("deployed", System::X86_64Linux)
                .profile(&extra)
                .add("environment.systemPackages", [pkg("htop")])
                .set("services.openssh.settings.X11Forwarding", false)
                .set("services.openssh.enable", false)
                .set("fleetTest.offset", -5)
                .home(
                    &me,
                    Home::new()
                        .session_variable("HSA_OVERRIDE_GFX_VERSION", "10.3.0")
                        .packages([pkg("htop")])
                        .program(ZshInit("export FLEET_TEST=1\nalias gs='git status'\n".into())),
                )
                .deploy(Deploy::ssh("deployed.lan")),
        )
        .host(
            Host::nixos("undeployed", System::X86_64Linux)
                .profile(&base)
                .set("environment.systemPackages", raw_nix("with pkgs; [jq ripgrep]"))
                .set("fleetTest.hostName", raw_nix("config.networking.hostName")),
        )
        .into_data()
}
