# home-manager's NixOS / nix-darwin module (home-manager/nixos/common.nix), with the home
# modules reduced to what works without nixpkgs: each `home-manager.users.<name>` is a
# `submoduleWith` (class "homeManager", as upstream) whose special arguments are upstream's
# (`osConfig`, `osClass`, `lib`, plus `extraSpecialArgs`), evaluating the user's generated
# home module. Declared for real: `home.stateVersion` (home-manager's own
# modules/misc/version.nix, read from the shared tree), `home.packages`, `home.username`,
# `home.homeDirectory`. STUB: home-manager's other ~500 modules (programs.*, services.*,
# xdg.*) need a real nixpkgs: modules/modules.nix imports `pkgs.path + "/nixos/modules/..."`
# and nixpkgs' portable-services lib, and an enabled program calls nixpkgs builders and reads
# their results (programs.neovim: `pkgs.wrapNeovimUnstable ...`.luaRcContent). They are
# replaced by the freeform type of ./freeform.nix, so `programs.git.settings.user.name` etc.
# keep their values and priorities but are not type-checked.
{
  lib,
  homeManagerSrc,
  osClass,
}: {
  config,
  pkgs,
  ...
}: let
  inherit (lib) mkOption types;
  cfg = config.home-manager;
  freeform = import ./freeform.nix lib;
  osConfig = config;

  homeCore = {
    name,
    config,
    ...
  }: {
    imports = [(homeManagerSrc + "/modules/misc/version.nix")];
    config._module.freeformType = freeform;
    config._module.args.pkgs = lib.mkDefault pkgs;
    # modules/home-environment.nix
    options.home = {
      username = mkOption {type = types.str;};
      homeDirectory = mkOption {
        type = types.path;
        apply = toString;
      };
      packages = mkOption {
        type = types.listOf types.package;
        default = [];
      };
      sessionVariables = mkOption {
        default = {};
        type = with types; lazyAttrsOf (oneOf [str path int float]);
      };
    };
    # nixos/common.nix: the user's name and home come from the system's user.
    config.home = {
      username = osConfig.users.users.${name}.name;
      homeDirectory = osConfig.users.users.${name}.home;
    };
  };

  hmModule = types.submoduleWith {
    description = "Home Manager module";
    class = "homeManager";
    specialArgs =
      {
        # Upstream's: nixpkgs' lib extended with `lib.hm` (home-manager's own, from the tree).
        lib = import (homeManagerSrc + "/modules/lib/stdlib-extended.nix") lib;
        inherit osClass osConfig;
        modulesPath = toString (homeManagerSrc + "/modules");
      }
      // cfg.extraSpecialArgs;
    modules = [homeCore] ++ cfg.sharedModules;
  };
in {
  options.home-manager = {
    useUserPackages = mkOption {
      type = types.bool;
      default = false;
    };
    useGlobalPkgs = mkOption {
      type = types.bool;
      default = false;
    };
    backupFileExtension = mkOption {
      type = types.nullOr types.str;
      default = null;
    };
    extraSpecialArgs = mkOption {
      type = types.attrs;
      default = {};
    };
    sharedModules = mkOption {
      type = with types; listOf raw;
      default = [];
    };
    verbose = mkOption {
      type = types.bool;
      default = false;
    };
    users = mkOption {
      type = types.attrsOf hmModule;
      default = {};
    };
  };
}
