# A module reduced to its option declarations (and those of what it imports), without its
# `config`: for upstream modules whose declarations are wanted but whose definitions need a
# real nixpkgs (nix-darwin's modules, home-manager's home modules). A file keeps its name as
# the module's key, so it is imported once however often it is listed.
lib: let
  optionsOnly = m: let
    isFile = builtins.isPath m || builtins.isString m;
    f =
      if isFile
      then import m
      else m;
    wrap = body:
      {
        options = body.options or {};
        imports = map optionsOnly (body.imports or []);
      }
      // lib.optionalAttrs isFile {
        key = toString m;
        _file = toString m;
      };
  in
    if builtins.isFunction f
    then lib.setFunctionArgs (args: wrap (f args)) (lib.functionArgs f)
    else if builtins.isAttrs f
    then wrap f
    else f;
in
  optionsOnly
