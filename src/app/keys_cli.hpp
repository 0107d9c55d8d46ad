// `eyewear keys rotate | rewrap | status | min-version | rotate-tenant`: keyring administration
// from the command line, online (servers keep running; they pick changes up by polling).
#pragma once

#include <functional>
#include <string>

#include "platform/config.hpp"

namespace CLI {
class App;
}

namespace eyewear::app {

class KeysCli {
 public:
  // Adds the subcommands under `keys`; `add_common` adds the shared flags (--data-dir) to each.
  void add_to(CLI::App& keys, const std::function<void(CLI::App*)>& add_common);
  // True when one of these subcommands was chosen.
  [[nodiscard]] bool selected() const;
  // Runs the chosen subcommand; the process exit code.
  [[nodiscard]] int run(const platform::Config& config);

 private:
  CLI::App* rotate_ = nullptr;
  CLI::App* rewrap_ = nullptr;
  CLI::App* status_ = nullptr;
  CLI::App* min_version_ = nullptr;
  CLI::App* rotate_tenant_ = nullptr;
  int batch_ = 0;
  int max_batches_ = 0;
  bool restart_ = false;
  bool json_ = false;
  bool force_ = false;
  int version_ = 0;
  std::string manufacturer_;
};

}  // namespace eyewear::app
