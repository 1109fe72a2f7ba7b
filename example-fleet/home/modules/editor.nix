# Hand-written home-manager module: the editor, shared by every home that imports it.
{
  programs.neovim = {
    enable = true;
    defaultEditor = true;
    vimAlias = true;
  };
}
