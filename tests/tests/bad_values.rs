//! Values the generator refuses, each with its message, exit code 1 and nothing written: raw
//! Nix that does not parse, that uses a variable no module receives, or an experimental
//! operator; a package name that is not a nixpkgs attribute path; a default list nixpkgs
//! would drop. And the warning for a replaceable default list, which still generates.
#![allow(clippy::unwrap_used)]

use fleet_dsl::prelude::*;
use fleet_dsl::NoSpec;
use std::process::ExitCode;

use fleet_tests::generate_fresh as run;

fn rejected(profile: Profile<Nixos>, host: Host<Nixos, NoSpec>, messages: &[&str]) {
    fleet_tests::assert_refused(&Fleet::new("f").host(host.profile(&profile)).into_data(), messages);
}

fn host() -> Host<Nixos, NoSpec> {
    Host::nixos("a", System::X86_64Linux)
}

#[test]
fn raw_nix_that_does_not_parse_names_owner_path_and_position() {
    let p = Profile::nixos("p").default("services.x.package", raw_nix("pkgs.hello ++"));
    let h = host().set("boot.extra", raw_nix("{ a = 1;\n  b = ; }"));
    rejected(
        p,
        h,
        &[
            "profile `p`: the raw Nix at `services.x.package` is not valid Nix",
            "host `a`: the raw Nix at `boot.extra` is not valid Nix",
            "at line 2, column",
        ],
    );
}

#[test]
fn raw_nix_with_a_variable_no_module_receives() {
    let p = Profile::nixos("p").add("environment.systemPackages", [raw_nix("unstable.hello")]);
    let h = host().set("x.y", raw_nix("let a = 1; in a + b"));
    rejected(
        p,
        h,
        &[
            "profile `p`: the raw Nix at `environment.systemPackages` uses the variable `unstable`, which is not in scope there (in scope: `config`, `inputs`, `lib`, `modulesPath`, `options`, `pkgs`",
            "host `a`: the raw Nix at `x.y` uses the variable `b`",
        ],
    );
}

#[test]
fn os_config_is_in_scope_in_homes_only() {
    let p = Profile::nixos("p").set("x", raw_nix("osConfig.networking.hostName"));
    rejected(p, host(), &["uses the variable `osConfig`, which is not in scope there"]);
    let me = User::new("me").home(Home::new().set("home.sessionVariables.H", raw_nix("osConfig.networking.hostName")));
    let fleet = Fleet::<NoSpec>::new("f").host(host().profile(&Profile::nixos("q").user(&me))).into_data();
    let (code, err, _) = run(&fleet);
    assert_eq!(code, ExitCode::SUCCESS, "{err}");
}

#[test]
fn experimental_and_impure_raw_nix() {
    let p = Profile::nixos("p").set("x", raw_nix("[1] |> builtins.length")).set("y", raw_nix("<nixpkgs>"));
    rejected(p, host(), &["uses a pipe operator", "uses a search path"]);
}

#[test]
fn package_names_are_attribute_paths() {
    let p = Profile::nixos("p").add("environment.systemPackages", [pkg("firefox; rm -rf"), pkg("a..b"), pkg("")]);
    rejected(
        p,
        host(),
        &[
            "package `firefox; rm -rf` is not an attribute path of nixpkgs",
            "package `a..b` is not an attribute path of nixpkgs",
            "package name is empty",
        ],
    );
}

#[test]
fn default_lists_nixpkgs_defines_are_refused() {
    let p = Profile::nixos("p")
        .default("environment.systemPackages", [pkg("git")])
        .default("networking.firewall", fleet_dsl::NixValue::attrs([("allowedTCPPorts", vec![22])]));
    rejected(
        p,
        host(),
        &[
            "profile `p` sets the list `environment.systemPackages` with `.default(..)`, but nixpkgs defines `environment.systemPackages` itself at normal priority",
            "sets the list `networking.firewall.allowedTCPPorts` with `.default(..)`",
            "use `.add(\"environment.systemPackages\", [..])`",
        ],
    );
}

#[test]
fn other_default_lists_warn_and_generate() {
    let p = Profile::nixos("p").default("services.x.extraArgs", ["-v"]);
    let fleet = Fleet::<NoSpec>::new("f").host(host().profile(&p)).into_data();
    let (code, err, wrote) = run(&fleet);
    assert_eq!(code, ExitCode::SUCCESS, "{err}");
    assert!(wrote);
    assert!(
        err.contains(
            "warning[W001]: profile `p` sets the list `services.x.extraArgs` with `.default(..)`: any plain definition"
        ),
        "{err}"
    );
}

#[test]
fn adding_to_one_list_twice_joins_the_items() {
    let p = Profile::nixos("p")
        .add("environment.systemPackages", [pkg("git")])
        .add("environment.systemPackages", [pkg("jq")]);
    let fleet = Fleet::<NoSpec>::new("f").host(host().profile(&p)).into_data();
    let tmp = tempfile::tempdir().unwrap();
    let tree = fleet_tests::render(&fleet, tmp.path());
    let text = &tree.files["profiles/p.nix"].text;
    assert!(text.contains("environment.systemPackages = [pkgs.git pkgs.jq];"), "{text}");
}

fn rejected_fleet(fleet: Fleet<NoSpec>, messages: &[&str]) {
    fleet_tests::assert_refused(&fleet.into_data(), messages);
}

#[test]
fn host_homes_need_a_user_of_the_host_with_a_home() {
    let jay = User::new("jay").home(Home::new());
    let bare = User::new("bare");
    let stranger = User::new("stranger").home(Home::new());
    let p = Profile::nixos("p").user(&jay).user(&bare);
    let h = host()
        .profile(&p)
        .home(&jay, Home::new().packages([pkg("htop")]))
        .home(&jay, Home::new())
        .home(&bare, Home::new())
        .home(&stranger, Home::new())
        .home(&User::new("jay2").home(Home::new()), Home::new().set("x", raw_nix("nope")));
    rejected_fleet(
        Fleet::new("f").host(h),
        &[
            "host `a` adds to the home of user `jay`, but does so twice",
            "host `a` adds to the home of user `bare`, but the user has no home",
            "host `a` adds to the home of user `stranger`, but the user is not on this host",
            "host `a`, home of user `jay2`: the raw Nix at `x` uses the variable `nope`",
        ],
    );
}

#[test]
fn standalone_homes_need_a_home_a_machine_name_and_no_os_config() {
    let reads_os = User::new("os").home(Home::new().set("x", raw_nix("osConfig.networking.hostName")));
    let homeless = User::new("homeless");
    let fine = User::new("fine").home(Home::new());
    let fleet = Fleet::new("f")
        .host(host())
        .standalone_home(StandaloneHome::new(&reads_os, "box", System::X86_64Linux))
        .standalone_home(StandaloneHome::new(&homeless, "box", System::X86_64Linux))
        .standalone_home(StandaloneHome::new(&fine, "bad_name", System::X86_64Linux))
        .standalone_home(StandaloneHome::new(&fine, "box", System::X86_64Linux))
        .standalone_home(StandaloneHome::new(&fine, "box", System::Aarch64Darwin));
    rejected_fleet(
        fleet,
        &[
            "standalone home `os@box`: the home reads `osConfig`, but a standalone home has no system configuration",
            "standalone home `homeless@box`: the user has no home",
            "standalone home `fine@bad_name`: the machine name is invalid",
            "standalone home `fine@box`: is defined twice",
        ],
    );
}

#[test]
fn user_descriptions_fit_in_etc_passwd() {
    let u = User::new("u").description("two\nlines: and a colon");
    let p = Profile::nixos("p").user(&u);
    rejected(p, host(), &["user `u`", "description `two\\nlines: and a colon`, which holds a newline or a colon"]);
}
