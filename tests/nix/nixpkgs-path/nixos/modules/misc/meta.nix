# nixpkgs' nixos/modules/misc/meta.nix (home-manager imports it from `pkgs.path`): the `meta`
# options modules set about themselves. nixpkgs types them as lists of maintainer attribute
# sets merged by concatenation; here any value is kept.
{lib, ...}: let
  concatenated = lib.mkOptionType {
    name = "listOrElement";
    merge = _loc: defs: lib.concatMap (def: lib.toList def.value) defs;
  };
in {
  options.meta = {
    maintainers = lib.mkOption {
      type = concatenated;
      internal = true;
      default = [];
    };
    teams = lib.mkOption {
      type = concatenated;
      internal = true;
      default = [];
    };
    doc = lib.mkOption {
      type = lib.types.nullOr lib.types.raw;
      internal = true;
      default = null;
    };
    buildDocsInSandbox = lib.mkOption {
      type = lib.types.bool;
      internal = true;
      default = true;
    };
  };
}
