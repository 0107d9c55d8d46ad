// The `eyewear` command line: serve, migrate, backup, version, config (and module commands as
// they arrive). Returns the process exit code.
#pragma once

namespace eyewear::app {

[[nodiscard]] int run_cli(int argc, char** argv);

}  // namespace eyewear::app
