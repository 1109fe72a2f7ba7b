# The packages the fake `pkgs` of the tests know, as data: read by ./pkgs.nix (fake derivations,
# for the real module system) and by ./stub-harness.nix (placeholder strings, for the stub
# `lib`). Add a package the fleets or the generated files use here, once.
{
  shells = {
    bash = "/bin/bash";
    bashInteractive = "/bin/bash";
    zsh = "/bin/zsh";
    fish = "/bin/fish";
    nushell = "/bin/nu";
    dash = "/bin/dash";
    xonsh = "/bin/xonsh";
    shadow = "/bin/nologin";
  };

  # Every plain package the generator, the fleets, and the stubbed NixOS / nix-darwin
  # definitions name.
  names = [
    # nixos/modules/config/system-path.nix: requiredPackages and defaultPackages
    "acl"
    "attr"
    "bzip2"
    "coreutils-full"
    "cpio"
    "curl"
    "diffutils"
    "findutils"
    "gawk"
    "getent"
    "getconf"
    "gnugrep"
    "gnupatch"
    "gnused"
    "gnutar"
    "gzip"
    "xz"
    "less"
    "libcap"
    "ncurses"
    "netcat"
    "openssh"
    "mkpasswd"
    "procps"
    "su"
    "time"
    "util-linux"
    "which"
    "zstd"
    "perl"
    "rsync"
    "strace"
    "nano"
    # nix-darwin's tools
    "darwin-rebuild"
    "darwin-option"
    "darwin-version"
    "darwin-uninstaller"
    # Common packages of fleets
    "age"
    "alejandra"
    "bat"
    "btop"
    "coreutils"
    "direnv"
    "eza"
    "fd"
    "firefox"
    "fzf"
    "git"
    "gnupg"
    "hello"
    "htop"
    "jq"
    "just"
    "neovim"
    "nix"
    "nixfmt"
    "nixfmt-rfc-style"
    "nh"
    "nix-output-monitor"
    "nvd"
    "ripgrep"
    "sops"
    "ssh-to-age"
    "starship"
    "tmux"
    "tree"
    "unzip"
    "vim"
    "wget"
    "yq"
    "zed-editor"
    # seed 003
    "mpv"
    "gcc"
    "gnumake"
    "kodi"
    "powertop"
    "kubectl"
    "cargo"
    "rustc"
    "rust-analyzer"
    "zip"
    "nerd-fonts"
    "noto-fonts"
    "noto-fonts-emoji"
    "fira-code"
    "jetbrains-mono"
    "jellyfin"
    "podman"
    "docker"
    "vscode"
    "wezterm"
    "kitty"
    "alacritty"
    "ghostty"
    "texinfoInteractive"
    "libxcrypt"
    "sops-install-secrets"
    # Seed 002's packages
    "android-studio"
    "blender"
    "helix"
    "libreoffice"
    "lm_sensors"
    "obsidian"
    "powertop"
    "retroarch-full"
    "yazi"
  ];

  # Package sets: `pkgs.<set>.<name>`.
  nested = {
    python3Packages = ["pip" "requests" "numpy" "virtualenv" "vllm"];
    nodePackages = ["npm" "prettier" "typescript"];
    gnomeExtensions = ["appindicator" "dash-to-dock"];
    kdePackages = ["kate" "konsole"];
    nerd-fonts = ["fira-code" "jetbrains-mono" "hack"];
    linuxPackages = ["kernel"];
    linuxPackages_latest = ["kernel"];
    nvtopPackages = ["amd"];
  };
}
