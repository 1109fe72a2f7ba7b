use fleet_dsl::prelude::*;

fn main() {
    let jay = User::new("jay");
    // nix-darwin has no `users.users.<name>.extraGroups`: NixOS profiles only.
    let _mac = Profile::darwin("mac").user_groups(&jay, ["staff"]);
    let _any = Profile::any("common").user_groups(&jay, ["docker"]);
    let _all = Profile::darwin("all").groups_for_users(["docker"]);
}
