let
  types = {
    bool = "bool";
    str = "str";
    int = "int";
    port = "port";
    path = "path";
    ints = {
      s8 = "s8";
      s16 = "s16";
      s32 = "s32";
      u8 = "u8";
      u16 = "u16";
      u32 = "u32";
      unsigned = "unsigned";
    };
    nullOr = t: {nullOr = t;};
    listOf = t: {listOf = t;};
    attrsOf = t: {attrsOf = t;};
    enum = values: {enum = values;};
    submodule = m: {submodule = m;};
  };
  lib = {
    inherit types;
    mkDefault = x: x;
    mkOption = x: x;
    mkIf = condition: x: x;
    mkMerge = x: x;
    elem = builtins.elem;
    genAttrs = names: f:
      builtins.listToAttrs (map (name: {
          inherit name;
          value = f name;
        })
        names);
    "getExe'" = pkg: exe: "${pkg}/bin/${exe}";
  };
  # A flake's nixpkgs: `import`able (see `write_harness`), and `nixosSystem` records what it
  # was given where colmena's hive reads it back.
  system = {
    outPath = ./fleet-test-nixpkgs.nix;
    lib = {
      nixosSystem = x:
        x
        // {
          pkgs = "<pkgs>";
          _module = {
            specialArgs = x.specialArgs or {};
            args.modules = x.modules or [];
          };
        };
      darwinSystem = x: x;
    };
    legacyPackages = builtins.listToAttrs (map (name: {
      inherit name;
      value = "<pkgs for ${name}>";
    }) ["x86_64-linux" "aarch64-linux" "x86_64-darwin" "aarch64-darwin"]);
  };
  # Secrets the generated modules read as `config.sops.secrets.<name>.path`, listed by the
  # optional file beside this one (see `write_harness`).
  secretNames =
    if builtins.pathExists ./fleet-test-secrets.nix
    then import ./fleet-test-secrets.nix
    else [];
  # `a` with `b` merged in, attribute sets recursively.
  merge = a: b:
    a
    // builtins.mapAttrs (name: v:
      if builtins.isAttrs v && builtins.isAttrs (a.${name} or null)
      then merge a.${name} v
      else v)
    b;
  # The options the tree's typed option sets declare (`modules/options/*.nix`, loaded with the
  # stub lib), each at its default or, without one, a placeholder of its type: hand-written
  # modules read them as `config.<path>`.
  isType = t: builtins.isString t || (builtins.isAttrs t && builtins.any (c: t ? ${c}) ["nullOr" "listOf" "attrsOf" "enum" "submodule"]);
  isDecl = v: builtins.isAttrs v && v ? type && isType v.type;
  placeholder = t:
    if t == "bool"
    then false
    else if builtins.elem t ["str" "path"]
    then "<stub>"
    else if builtins.isString t
    then 0
    else if t ? nullOr
    then null
    else if t ? listOf
    then []
    else if t ? enum
    then builtins.head t.enum
    else {};
  valuesOf = decls:
    builtins.mapAttrs (_: v:
      if isDecl v
      then v.default or (placeholder v.type)
      else valuesOf v)
    decls;
  optionFiles =
    if builtins.pathExists ./modules/options
    then builtins.attrNames (builtins.readDir ./modules/options)
    else [];
  declared = builtins.foldl' (acc: file: merge acc (valuesOf (load (./modules/options + "/${file}")).options)) {} optionFiles;
  args = {
    inherit lib;
    config = merge declared {
      fleet.users = [];
      hostSpec = {};
      networking.hostName = "stub-host";
      sops.secrets = builtins.listToAttrs (map (name: {
          inherit name;
          value = {path = "/run/secrets/" + name;};
        })
        secretNames);
    };
    osConfig = args.config;
    pkgs = let
      known = import ./fleet-test-package-names.nix;
      strings = prefix: names:
        builtins.listToAttrs (map (name: {
            inherit name;
            value = "<${prefix}${name}>";
          })
          names);
      plain = prefix: strings prefix (known.names ++ builtins.attrNames known.shells);
    in
      plain "pkgs."
      // builtins.mapAttrs (set: strings "pkgs.${set}.") known.nested
      // {unstable = plain "pkgs.unstable.";};
    inputs = {
      nixpkgs = system;
      nixpkgs-unstable = system;
      nixpkgs-darwin = system;
      nix-darwin = system;
      nix-darwin-unstable = system;
      sops-nix = {
        nixosModules.sops = "<sops-nix.nixosModules.sops>";
        darwinModules.sops = "<sops-nix.darwinModules.sops>";
      };
      colmena.lib.makeHive = hive: "<colmena hive>";
      nixos-hardware.nixosModules = {
        framework-16-7040-amd = "<nixos-hardware.nixosModules.framework-16-7040-amd>";
        framework-13-7040-amd = "<nixos-hardware.nixosModules.framework-13-7040-amd>";
        common-cpu-intel = "<nixos-hardware.nixosModules.common-cpu-intel>";
        common-cpu-amd = "<nixos-hardware.nixosModules.common-cpu-amd>";
        raspberry-pi-4 = "<nixos-hardware.nixosModules.raspberry-pi-4>";
      };
      impermanence.nixosModules.impermanence = "<impermanence.nixosModules.impermanence>";
      microvm.nixosModules.host = "<microvm.nixosModules.host>";
      mac-app-util.darwinModules.default = "<mac-app-util.darwinModules.default>";
      nix-secrets = "/nix/store/stub-nix-secrets";
      disko.nixosModules.disko = "<disko.nixosModules.disko>";
      home-manager = {
        nixosModules.home-manager = "<home-manager.nixosModules.home-manager>";
        darwinModules.home-manager = "<home-manager.darwinModules.home-manager>";
        lib.homeManagerConfiguration = x: x;
      };
      home-manager-unstable = {
        nixosModules.home-manager = "<home-manager-unstable.nixosModules.home-manager>";
        darwinModules.home-manager = "<home-manager-unstable.darwinModules.home-manager>";
        lib.homeManagerConfiguration = x: x;
      };
    };
    # The flake itself: its nixosConfigurations from the generated parts/hosts.nix.
    self = {
      nixosConfigurations =
        if builtins.pathExists ./parts/hosts.nix
        then (load ./parts/hosts.nix).flake.nixosConfigurations or {}
        else {};
      colmena = {};
    };
  };
  sanitize = v: let
    t = builtins.typeOf v;
  in
    if t == "set"
    then builtins.mapAttrs (_: sanitize) v
    else if t == "list"
    then map sanitize v
    else if t == "lambda"
    then "<lambda>"
    else if t == "path"
    then "<path:" + toString v + ">"
    else v;
  load = file: let
    f = import file;
  in
    if builtins.isFunction f
    then f args
    else f;
in {
  inherit lib load sanitize;
}
