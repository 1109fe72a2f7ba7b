# home-manager's NixOS / nix-darwin module (home-manager/nixos/common.nix): each
# `home-manager.users.<name>` is a `submoduleWith` (class "homeManager", upstream's special
# arguments: `lib` with `lib.hm`, `osConfig`, `osClass`, `modulesPath`, plus
# `extraSpecialArgs`) that evaluates the user's generated home module against the option
# declarations of ALL of home-manager's own modules (modules/modules.nix, from the shared
# tree): real types, real defaults, and an unknown option is an error, as in home-manager.
#
# STUB: only the `options` (and `imports`) of home-manager's modules are kept, not their
# `config`: what a program module does when enabled needs a real nixpkgs (it calls nixpkgs
# builders and reads their results, e.g. programs.neovim's `pkgs.wrapNeovimUnstable`), so
# renamed options are not forwarded and modules add nothing to `home.packages`. The files
# home-manager imports from nixpkgs (`pkgs.path + "/nixos/modules/misc/..."`) are the stubs in
# ./nixpkgs-path, and `pkgs` is the fake one (./pkgs.nix); home-manager's own `nixpkgs.*`
# module is replaced by its `nixpkgs-disabled` variant (the homes use the system's pkgs).
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
  osConfig = config;
  hmLib = import (homeManagerSrc + "/modules/lib/stdlib-extended.nix") lib;
  hmPkgs = pkgs // {path = ./nixpkgs-path;};

  optionsOnly = import ./options-only.nix lib;

  # Left out: modules/services-modular, whose options are built by nixpkgs' portable-services
  # lib (`pkgs.path + "/lib/services/lib.nix"`), which the shared trees lack.
  hmModules =
    map (m:
      if builtins.isPath m
      then optionsOnly m
      else m)
    (builtins.filter (m: !(builtins.isPath m && baseNameOf m == "services-modular"))
      (import (homeManagerSrc + "/modules/modules.nix") {
        pkgs = hmPkgs;
        lib = hmLib;
        useNixpkgsModule = false;
      }));

  homeCore = {
    name,
    options,
    ...
  }: {
    # The real option tree, for `definedPaths` below.
    options.fleetTestOptions = mkOption {
      type = types.raw;
      internal = true;
      readOnly = true;
      default = options;
    };
    # nixos/common.nix: the user's name and home come from the system's user.
    config.home = {
      username = osConfig.users.users.${name}.name;
      homeDirectory = osConfig.users.users.${name}.home;
    };
  };

  specialArgs =
    {
      lib = hmLib;
      inherit osClass osConfig;
      modulesPath = toString (homeManagerSrc + "/modules");
    }
    # nixos/default.nix and nix-darwin/default.nix add the system's config under its own name.
    // (
      if osClass == "darwin"
      then {darwinConfig = osConfig;}
      else {nixosConfig = osConfig;}
    )
    // cfg.extraSpecialArgs;

  # The same home modules with every option freeform (./freeform.nix) and nothing declared:
  # its config holds exactly what the home's own modules define, which tells which options of
  # the real evaluation to report (reading every option would force the defaults of ~500
  # modules, which need a real nixpkgs). Only its attribute-set structure is read.
  definitionsOnly = types.submoduleWith {
    class = "homeManager";
    inherit specialArgs;
    modules =
      [
        {
          config._module.freeformType = import ./freeform.nix lib;
          config._module.args.pkgs = pkgs;
        }
      ]
      ++ cfg.sharedModules;
  };

  # The option paths of `options` (the real tree) that `defined` (the definitions-only config)
  # defines; inside a submodule (or an attribute set of submodules) the options it defines
  # there, so that no default of its other options is read.
  definedPaths = options: defined: prefix:
    lib.concatMap (name: let
      opt = options.${name} or null;
    in
      if name == "_module" || opt == null
      then [] # an option that does not exist fails the real evaluation
      else if lib.isOption opt
      then definedIn opt.type defined.${name} (prefix ++ [name])
      else if builtins.isAttrs defined.${name}
      then definedPaths opt defined.${name} (prefix ++ [name])
      else [])
    (builtins.attrNames defined);
  definedIn = type: defined: path:
    if type.name == "submodule" && builtins.isAttrs defined
    then definedPaths (type.getSubOptions path) defined path
    else if
      builtins.elem type.name ["attrsOf" "lazyAttrsOf"]
      && (type.nestedTypes.elemType.name or null) == "submodule"
      && builtins.isAttrs defined
    then lib.concatMap (name: definedIn type.nestedTypes.elemType defined.${name} (path ++ [name])) (builtins.attrNames defined)
    else [path];

  realHome = types.submoduleWith {
    description = "Home Manager module";
    class = "homeManager";
    inherit specialArgs;
    modules = hmModules ++ [homeCore] ++ cfg.sharedModules;
  };

  # A home: the real evaluation, plus `fleetTestDefined`, the values (from the real evaluation)
  # of every option the home's modules define. (`substSubModules` too: the module system
  # rebuilds a declared submodule type through it.)
  withDefined = real:
    real
    // {
      merge = loc: defs: let
        home = real.merge loc defs;
        defined = definitionsOnly.merge loc defs;
        paths = definedPaths home.fleetTestOptions defined [];
      in
        removeAttrs home ["fleetTestOptions"]
        // {
          fleetTestDefined = lib.foldl' lib.recursiveUpdate {} (map (path: lib.setAttrByPath path (lib.getAttrFromPath path home)) paths);
        };
      substSubModules = m: withDefined (real.substSubModules m);
    };
  hmModule = withDefined realHome;
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
    minimal = mkOption {
      type = types.bool;
      default = false;
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
