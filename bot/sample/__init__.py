"""The example commune's config.yaml (a symlink to the project's own), shipped for `sotay demo` run where there is
no config.yaml."""
