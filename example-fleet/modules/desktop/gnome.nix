# Hand-written module: GNOME, on Wayland or X11. Its options are declared by fleet-gen in
# modules/options/modules-desktop-gnome.nix from the `Gnome` struct of the fleet.
{
  config,
  lib,
  ...
}: let
  cfg = config.modules.desktop.gnome;
in {
  config = lib.mkIf cfg.enable {
    services = {
      xserver.enable = true;
      displayManager.gdm = {
        enable = true;
        inherit (cfg) wayland;
      };
      desktopManager.gnome.enable = true;
    };
  };
}
