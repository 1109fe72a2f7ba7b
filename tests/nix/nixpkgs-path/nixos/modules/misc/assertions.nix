# nixpkgs' nixos/modules/misc/assertions.nix (home-manager imports it from `pkgs.path`): the
# `assertions` and `warnings` options, as nixpkgs declares them.
{lib, ...}: {
  options = {
    assertions = lib.mkOption {
      type = lib.types.listOf lib.types.unspecified;
      internal = true;
      default = [];
    };
    warnings = lib.mkOption {
      internal = true;
      default = [];
      type = lib.types.listOf lib.types.str;
    };
  };
}
