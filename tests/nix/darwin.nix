# nix-darwin for a host: the option declarations of ALL of nix-darwin's modules
# (modules/module-list.nix from the shared tree, reduced to their declarations by
# ./options-only.nix: real types and defaults, and an option nix-darwin does not have is an
# error, as on a real Mac), plus the normal-priority definitions nix-darwin itself makes that
# a fleet's definitions fight with, restated below from the modules each names (their own
# `config` parts need a real nixpkgs).
{
  lib,
  nixDarwinSrc,
}: let
  inherit (lib) mkIf mkMerge types;
  optionsOnly = import ./options-only.nix lib;
in
  map optionsOnly (import (nixDarwinSrc + "/modules/module-list.nix"))
  ++ [
    # modules/nix/nix-darwin.nix: the tools every nix-darwin system installs.
    ({pkgs, ...}: {
      environment.systemPackages = [
        pkgs.darwin-rebuild
        pkgs.darwin-option
        pkgs.darwin-version
        pkgs.darwin-uninstaller
      ];
    })

    # modules/programs/bash, modules/programs/zsh, modules/programs/fish.nix: what enabling a
    # shell does to the system (bash and zsh are on by default in nix-darwin).
    ({
      config,
      pkgs,
      ...
    }: {
      config = mkMerge [
        (mkIf config.programs.bash.enable {
          environment.systemPackages = [pkgs.bashInteractive];
          environment.shells = ["/run/current-system/sw/bin/bash"];
        })
        (mkIf config.programs.zsh.enable {
          environment.systemPackages = [pkgs.zsh];
          environment.shells = ["/run/current-system/sw/bin/zsh" "${pkgs.zsh}/bin/zsh"];
        })
        (mkIf config.programs.fish.enable {
          environment.systemPackages = [pkgs.fish];
          environment.shells = ["/run/current-system/sw/bin/fish" "${pkgs.fish}/bin/fish"];
        })
      ];
    })

    # modules/users/default.nix: root's home, and a user's login shell must be enabled as a
    # program.
    ({config, ...}: {
      assertions =
        [
          {
            assertion = config.users.users ? root -> (config.users.users.root.home == null || config.users.users.root.home == "/var/root");
            message = "`users.users.root.home` must be set to either `null` or `/var/root`.";
          }
        ]
        ++ lib.flatten (lib.mapAttrsToList (name: user:
          map (shell: {
            assertion = let
              s = user.shell.pname or null;
            in
              !user.ignoreShellProgramCheck -> (s == shell || (shell == "bash" && s == "bash-interactive")) -> (config.programs.${shell}.enable == true);
            message = "users.users.${name}.shell is set to ${shell}, but programs.${shell}.enable is not true.";
          }) ["bash" "fish" "zsh"])
        config.users.users);
    })
  ]
