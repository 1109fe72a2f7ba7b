# Hand-written module: the media server. Its options are declared by fleet-gen in
# modules/options/modules-services-media.nix from the `Media` struct of the fleet.
{
  config,
  lib,
  ...
}: let
  cfg = config.modules.services.media;
in {
  config = lib.mkIf cfg.enable {
    services.jellyfin = {
      enable = true;
      inherit (cfg) dataDir openFirewall;
    };
  };
}
