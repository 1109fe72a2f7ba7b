# A fake `pkgs` for evaluating generated modules without nixpkgs: every package is a fake
# derivation `{ type = "derivation"; name; pname; outPath = "/nix/store/<hash>-<name>"; ... }`
# (so `lib.types.package` and, with `shellPath`, `lib.types.shellPackage` accept it, and
# `"${pkgs.x}/bin/x"` works), nested package sets are attribute sets of such derivations, and
# the builders the evaluated modules call (`callPackage`, `writeText`, `mkShell`, ...) return
# fake derivations. Nothing is ever built: a test only reads names.
#
# Add a package the fleets or the generated files use to `names` (or `nested`), or pass it in
# `extraNames` from the caller.
{
  lib,
  system ? "x86_64-linux",
  extraNames ? [],
}: let
  fakeHash = name: builtins.substring 0 32 (builtins.hashString "sha256" name);
  drv = name: extra: let
    self =
      {
        type = "derivation";
        inherit name system;
        pname = name;
        version = "0-fleet-test";
        outPath = "/nix/store/${fakeHash name}-${name}";
        drvPath = "/nix/store/${fakeHash "drv-${name}"}-${name}.drv";
        outputs = ["out"];
        outputName = "out";
        meta = {};
        passthru = {};
        override = _: self;
        overrideAttrs = _: self;
        out = self;
      }
      // extra;
  in
    self;

  # The package names, shared with the stub harness (./stub-harness.nix).
  known = import ./package-names.nix;
  inherit (known) shells nested;
  names = known.names ++ extraNames;

  plain = lib.genAttrs names (name: drv name {});
  shellPkgs = lib.mapAttrs (name: path: drv name {shellPath = path;}) shells;
  sets = lib.mapAttrs (set: members: lib.genAttrs members (name: drv "${set}-${name}" {})) nested;

  platform = lib.systems.elaborate system;

  pkgs =
    plain
    // sets
    // shellPkgs
    // {
      inherit lib system;
      python3 = drv "python3" {pkgs = sets.python3Packages;};
      stdenv = {
        hostPlatform = platform;
        buildPlatform = platform;
        targetPlatform = platform;
        isLinux = platform.isLinux;
        isDarwin = platform.isDarwin;
        cc = drv "cc" {libc = drv "glibc" {};};
        mkDerivation = args: drv (args.name or "${args.pname or "unnamed"}-${args.version or "0"}") {};
      };
      stdenvNoCC = pkgs.stdenv;
      pkgsBuildHost = pkgs;
      buildPackages = pkgs;
      # Real `lib.callPackageWith`: a file or function called with what it asks for from here.
      callPackage = lib.callPackageWith pkgs;
      writeText = name: _text: drv name {};
      writeTextFile = args: drv args.name {};
      writeTextDir = path: _text: drv (baseNameOf path) {};
      writeScript = name: _text: drv name {};
      writeScriptBin = name: _text: drv name {};
      writeShellScript = name: _text: drv name {};
      writeShellScriptBin = name: _text: drv name {};
      writeShellApplication = args: drv args.name {};
      runCommand = name: _env: _script: drv name {};
      runCommandLocal = name: _env: _script: drv name {};
      symlinkJoin = args: drv args.name {};
      buildEnv = args: drv args.name {};
      mkShell = args: drv (args.name or "nix-shell") {inherit (args) packages;};
      # `pkgs.formats.<format> {}`: values of any type, a fake file.
      formats = let
        format = _: {
          # nixpkgs' format types are attribute sets of their values (modules read
          # `.nestedTypes.elemType`); here any value.
          type = lib.types.attrsOf lib.types.anything;
          lib.types = lib.genAttrs ["atom" "value" "section" "iniAtom"] (_: lib.types.anything);
          generate = name: _value: drv name {};
        };
      in
        lib.genAttrs ["json" "yaml" "yaml_1_1" "yaml_1_2" "toml" "ini" "iniWithGlobalSection" "keyValue" "xml" "lua" "elixirConf" "pythonVars" "nixConf" "hocon" "libconfig" "javaProperties" "plist" "gitIni" "systemd" "cdn" "php"] (_: format);
      # `pkgs.fetchurl` and friends: a fake source.
      fetchurl = args: drv (args.name or (baseNameOf (args.url or "source"))) {};
      fetchFromGitHub = args: drv "${args.repo}-src" {};
    };
in
  pkgs
