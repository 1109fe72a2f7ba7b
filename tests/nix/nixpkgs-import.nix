# What `import inputs.nixpkgs* { system; config; overlays; }` gives in the harness: the fake
# pkgs (./pkgs.nix) for that system, with the overlays applied. The harness' stub nixpkgs
# inputs point here; nixpkgs' lib comes from FLEET_TEST_NIX_SOURCES, which the Rust helper
# sets to the upstream sources it evaluates with.
{
  system ? "x86_64-linux",
  overlays ? [],
  ...
}: let
  lib = import (builtins.getEnv "FLEET_TEST_NIX_SOURCES" + "/nixpkgs-lib/lib");
  base = import ./pkgs.nix {inherit lib system;};
in
  lib.fix (lib.extends (lib.composeManyExtensions overlays) (_: base))
