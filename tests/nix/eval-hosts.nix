# Evaluates every host of a generated fleet repository with the real nixpkgs module system.
#
#   nix-instantiate --eval --strict --json tests/nix/eval-hosts.nix \
#     --arg nixSources /path/to/shared/nix-sources --arg repo /path/to/generated \
#     [--argstr pathsJson '[{"name": "services.openssh.enable", "path": ["services", "openssh", "enable"]}]']
#
# It calls the `outputs` of the repository's `flake.nix` (with the real flake-parts) with stub
# flake inputs whose
# `nixpkgs*.lib.nixosSystem` and `nix-darwin*.lib.darwinSystem` call nixpkgs' real
# `lib.evalModules` (from `nixSources`/nixpkgs-lib) on the host's modules plus the platform
# modules (./nixos.nix: NixOS options declared as nixpkgs declares them, everything else
# freeform, ./freeform.nix; ./darwin.nix: the real declarations of all of nix-darwin's
# modules; both with upstream's own normal-priority definitions), a fake
# `pkgs` (./pkgs.nix), the REAL sops-nix modules, home-manager's module with the REAL option
# declarations of its home modules (./home-manager.nix), and the REAL disko module for disk
# layouts. Nothing depends on how the generated files are laid out: only the evaluated
# `config` is read.
#
# The result is `{ <host> = { class; config = { selected values }; paths = { <name> = value };
# assertions = [ failed messages ]; warnings = [ ... ]; }; }`; paths and derivations are
# turned into strings (a path inside the repository relative to it, a derivation into its
# name), functions into "<function>". A requested path the host does not define is left out of
# `paths`.
{
  # The directory holding nixpkgs-lib, sops-nix, home-manager, disko (shared/nix-sources).
  nixSources,
  # The generated repository.
  repo,
  # Extra option paths to report, as JSON: a list of `{ name; path = [segments]; }`.
  pathsJson ? "[]",
  # Extra package names for the fake pkgs (JSON list of strings).
  packagesJson ? "[]",
}: let
  lib = import (nixSources + "/nixpkgs-lib/lib");
  extraPaths = builtins.fromJSON pathsJson;
  extraNames = builtins.fromJSON packagesJson;
  freeform = import ./freeform.nix lib;
  repoStr = toString repo;

  fakePkgs = system:
    import ./pkgs.nix {
      inherit lib system extraNames;
    };
  withOverlays = overlays: base: lib.fix (lib.extends (lib.composeManyExtensions overlays) (_: base));

  # The platform of a host, read from its modules before evaluation would need `pkgs`: the
  # pkgs are per system only for `stdenv.hostPlatform`; the default is enough for tests.
  evalSystem = {
    class,
    platformModules,
    defaultSystem,
    # Whether undeclared options are freeform (NixOS, whose declarations are not in the
    # sources) or an error (nix-darwin, whose declarations all are).
    freeformOptions,
  }: args: let
    modules = args.modules or [];
    specialArgs =
      {
        modulesPath = "/fleet-test/no-upstream-modules/${class}";
      }
      // (args.specialArgs or {});
    result = lib.evalModules {
      inherit class specialArgs;
      modules =
        modules
        ++ platformModules
        ++ [
          ({
            config,
            options,
            ...
          }: {
            config._module.freeformType = lib.mkIf freeformOptions freeform;
            config._module.args = {
              # As NixOS does: the host's packages are for its `nixpkgs.hostPlatform`.
              # With the host's nixpkgs.overlays applied, as nixpkgs does.
              pkgs = lib.mkDefault (withOverlays (config.nixpkgs.overlays or []) (fakePkgs (
                if options.nixpkgs.hostPlatform.isDefined
                then config.nixpkgs.hostPlatform.system
                else defaultSystem
              )));
              inherit modules;
              baseModules = platformModules;
              extraModules = [];
              utils = {};
            };
          })
        ];
    };
  in
    result
    // {
      inherit class;
      pkgs = fakePkgs defaultSystem;
      # What `nixosSystem` returns and the generated colmena part reads back.
      _module = result._module // {inherit specialArgs;};
    };

  homeManagerFor = osClass:
    import ./home-manager.nix {
      inherit lib osClass;
      homeManagerSrc = nixSources + "/home-manager";
    };

  nixosSystem = evalSystem {
    class = "nixos";
    defaultSystem = "x86_64-linux";
    freeformOptions = true;
    platformModules = import ./nixos.nix {inherit lib;};
  };
  darwinSystem = evalSystem {
    class = "darwin";
    defaultSystem = "aarch64-darwin";
    freeformOptions = false;
    platformModules = import ./darwin.nix {
      inherit lib;
      nixDarwinSrc = nixSources + "/nix-darwin";
    };
  };

  nixpkgsInput = {
    # `import inputs.nixpkgs {system; config;}` gives the fake pkgs (see ./nixpkgs-import.nix).
    outPath = ./nixpkgs-import.nix;
    lib = lib // {inherit nixosSystem;};
  };
  sopsNix = {
    nixosModules = rec {
      sops = nixSources + "/sops-nix/modules/sops";
      default = sops;
    };
    darwinModules = rec {
      sops = nixSources + "/sops-nix/modules/nix-darwin";
      default = sops;
    };
  };
  homeManager = {
    nixosModules = rec {
      home-manager = homeManagerFor "nixos";
      default = home-manager;
    };
    darwinModules = rec {
      home-manager = homeManagerFor "darwin";
      default = home-manager;
    };
  };
  disko = {
    nixosModules = rec {
      disko = import ./disko.nix {inherit lib;};
      default = disko;
    };
  };
  inputs = {
    self = flake;
    nixpkgs = nixpkgsInput;
    nixpkgs-unstable = nixpkgsInput;
    nixpkgs-darwin = nixpkgsInput;
    nixpkgs-lib = nixpkgsInput;
    nix-darwin.lib.darwinSystem = darwinSystem;
    nix-darwin-unstable.lib.darwinSystem = darwinSystem;
    sops-nix = sopsNix;
    home-manager = homeManager;
    home-manager-unstable = homeManager;
    inherit disko;
    colmena.lib.makeHive = hive: {fleetTestHive = hive;};
    # Inputs the fixture fleets declare besides the generator's own: their modules are empty
    # here (nothing of theirs is checked), a non-flake input is a store path.
    nixos-hardware.nixosModules = lib.genAttrs ["framework-16-7040-amd" "framework-13-7040-amd" "common-cpu-intel" "common-cpu-amd" "raspberry-pi-4"] (_: {});
    impermanence.nixosModules.impermanence = {};
    microvm.nixosModules.host = {};
    mac-app-util.darwinModules.default = {};
    nix-secrets = "/nix/store/00000000000000000000000000000000-nix-secrets";
  };

  # The real flake-parts (its `lib.mkFlake` and modules), as the generated flake.nix uses it.
  flakeParts = let
    src = nixSources + "/flake-parts";
    modulesIn = dir:
      lib.mapAttrs' (file: _: lib.nameValuePair (lib.removeSuffix ".nix" file) (src + "/${dir}/${file}"))
      (lib.filterAttrs (file: kind: kind == "regular" && lib.hasSuffix ".nix" file) (builtins.readDir (src + "/${dir}")));
    builtinModules = modulesIn "modules";
    extraModules = modulesIn "extras";
  in {
    outPath = src;
    lib = import (src + "/lib.nix") {inherit lib builtinModules extraModules;};
    flakeModules = builtinModules // extraModules;
  };

  # The generated flake's outputs, computed by its own flake.nix with the stub inputs (so
  # whatever parts it is split into); without a flake.nix, parts/hosts.nix alone.
  flakeInputs = inputs // {flake-parts = flakeParts;};
  outputs =
    if builtins.pathExists (repo + "/flake.nix")
    then (import (repo + "/flake.nix")).outputs flakeInputs
    else (import (repo + "/parts/hosts.nix") {inherit inputs lib;}).flake;
  flake =
    outputs
    // {
      outPath = repoStr;
      inputs = flakeInputs;
      inherit outputs;
      _type = "flake";
    };
  hosts = (outputs.nixosConfigurations or {}) // (outputs.darwinConfigurations or {});

  # JSON-safe, store-free values.
  show = v: let
    t = builtins.typeOf v;
  in
    if lib.isDerivation v
    then v.name
    else if t == "set"
    then builtins.mapAttrs (_: show) (removeAttrs v ["_module"])
    else if t == "list"
    then map show v
    else if t == "lambda"
    then "<function>"
    else if t == "path"
    then showPath v
    else v;
  showPath = p: let
    s = toString p;
  in
    if lib.hasPrefix (repoStr + "/") s
    then lib.removePrefix (repoStr + "/") s
    else s;

  has = path: set: lib.hasAttrByPath path set;
  pick = path: set: lib.optionalAttrs (has path set) (lib.setAttrByPath path (show (lib.getAttrFromPath path set)));

  # disko: the host's disk layout (merged, with its priorities, by the freeform stub of
  # ./disko.nix) evaluated again by the REAL disko module, on its own: a wrong layout fails with
  # disko's own type errors, and the result holds disko's defaults (partition labels, devices).
  # Inside a host the real module recurses infinitely beside the top-level freeform type. The
  # options declared here are the ones disko's own definitions need.
  realDisko = devices: let
    evaluated = lib.evalModules {
      class = "nixos";
      specialArgs.modulesPath = "/fleet-test/no-upstream-modules/nixos";
      modules = [
        (nixSources + "/disko/module.nix")
        {
          disko.devices = devices;
          _module.args.pkgs = fakePkgs "x86_64-linux";
        }
        {
          options = let
            raw = lib.mkOption {
              type = lib.types.raw;
              default = {};
            };
          in {
            assertions = lib.mkOption {
              type = lib.types.listOf lib.types.unspecified;
              default = [];
            };
            warnings = lib.mkOption {
              type = lib.types.listOf lib.types.str;
              default = [];
            };
            system.build = lib.mkOption {
              type = lib.types.lazyAttrsOf lib.types.raw;
              default = {};
            };
            fileSystems = raw;
            boot = raw;
            swapDevices = raw;
            networking.hostName = lib.mkOption {
              type = lib.types.str;
              default = "disko";
            };
          };
        }
      ];
    };
  in
    showPublic evaluated.config.disko.devices;
  # `show`, leaving out disko's internal attributes (`_create`, `_meta`, ...: scripts).
  showPublic = v:
    if builtins.isAttrs v && !(lib.isDerivation v)
    then lib.mapAttrs (_: showPublic) (lib.filterAttrs (n: _: !(lib.hasPrefix "_" n)) v)
    else if builtins.isList v
    then map showPublic v
    else show v;

  userView = class: u:
    {
      inherit (u) name description home;
      shell =
        if lib.isDerivation u.shell
        then u.shell.pname
        else u.shell;
      sshKeys = u.openssh.authorizedKeys.keys;
      packages = map (p: p.name) u.packages;
    }
    // lib.optionalAttrs (class == "nixos") {
      inherit (u) isNormalUser isSystemUser extraGroups group hashedPasswordFile uid;
    };

  # The options of a secret (sops-nix for nix-darwin has fewer than for NixOS).
  secretView = s:
    lib.getAttrs (builtins.filter (n: s ? ${n}) [
      "name"
      "key"
      "path"
      "format"
      "mode"
      "owner"
      "group"
      "uid"
      "gid"
      "neededForUsers"
      "restartUnits"
      "reloadUnits"
    ])
    s
    // {sopsFile = showPath s.sopsFile;};

  # A home: its state version, user and directory, and every option its modules defined (as
  # the real home-manager options made them).
  homeView = h:
    lib.recursiveUpdate (show h.fleetTestDefined) {
      home = {
        inherit (h.home) stateVersion username homeDirectory;
        packages = map (p: p.name) h.home.packages;
      };
    };

  hostView = name: host: let
    c = host.config;
    class = host.class;
  in {
    inherit class;
    config = lib.foldl' lib.recursiveUpdate {} [
      {
        networking.hostName = c.networking.hostName;
        system.stateVersion = c.system.stateVersion;
        nixpkgs.hostPlatform = c.nixpkgs.hostPlatform.system;
        environment.systemPackages = map (p: p.name) c.environment.systemPackages;
        environment.shells = show c.environment.shells;
        users.users = lib.mapAttrs (_: userView class) c.users.users;
        time.timeZone = c.time.timeZone;
      }
      (lib.optionalAttrs (c ? sops) {
        sops = {
          secrets = lib.mapAttrs (_: secretView) c.sops.secrets;
          defaultSopsFile = lib.mapNullable showPath (c.sops.defaultSopsFile or null);
          age = {inherit (c.sops.age) keyFile sshKeyPaths;};
        };
      })
      (lib.optionalAttrs (c ? home-manager) {
        home-manager = {
          inherit (c.home-manager) useGlobalPkgs useUserPackages;
          users = lib.mapAttrs (_: homeView) c.home-manager.users;
        };
      })
      (lib.optionalAttrs (c ? disko) {disko.devices = realDisko c.disko.devices;})
      (pick ["hostSpec"] c)
      (pick ["fleet"] c)
      (pick ["modules"] c)
      (lib.optionalAttrs (class == "nixos") {
        networking.firewall = {inherit (c.networking.firewall) enable allowedTCPPorts allowedUDPPorts;};
        boot = {
          inherit (c.boot) kernelModules kernelParams;
          initrd = {inherit (c.boot.initrd) availableKernelModules kernelModules;};
        };
        fonts.packages = show c.fonts.packages;
      })
      (lib.optionalAttrs (class == "darwin") {
        system.primaryUser = c.system.primaryUser;
      })
    ];
    paths = builtins.listToAttrs (map (p: {
      inherit (p) name;
      value = show (lib.getAttrFromPath p.path c);
    }) (builtins.filter (p: has p.path c) extraPaths));
    assertions = map (a: a.message) (builtins.filter (a: !a.assertion) c.assertions);
    inherit (c) warnings;
  };
in
  builtins.mapAttrs hostView hosts
