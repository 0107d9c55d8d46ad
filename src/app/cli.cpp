#include "app/cli.hpp"

#include <CLI/CLI.hpp>
#include <signal.h>
#include <termios.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>

#include "app/application.hpp"
#include "app/demo_data.hpp"
#include "catalog/codec.hpp"
#include "catalog/generator.hpp"
#include "app/keys_cli.hpp"
#include "identity/jwt.hpp"
#include "identity/service.hpp"
#include "platform/random.hpp"
#include "platform/build_info.hpp"
#include "platform/config.hpp"
#include "storage/migrations.hpp"
#include "storage/open.hpp"

namespace eyewear::app {

namespace {

struct Flags {
  std::string email;
  std::string host;
  int port = -1;
  std::string data_dir;
  bool demo_data = false;
  std::string backup_to;
  std::uint64_t count = 100;
  std::uint64_t seed = 1;
  std::uint64_t start = 0;
  std::string format = "ndjson";
  std::string sku_prefix = "EW";
};

void print_error(const platform::Error& e) {
  std::fprintf(stderr, "eyewear: %s\n", e.message.c_str());
  if (!e.internal.empty()) std::fprintf(stderr, "  detail: %s\n", e.internal.c_str());
}

// Defaults, then EYEWEAR_* variables, then flags.
platform::Result<platform::Config> effective_config(const Flags& flags) {
  EW_ASSIGN_OR_RETURN(auto config, platform::load_config(platform::read_environment()));
  if (!flags.host.empty()) config.http.host = flags.host;
  if (flags.port >= 0) config.http.port = static_cast<std::uint16_t>(flags.port);
  if (!flags.data_dir.empty()) config.data_dir = flags.data_dir;
  if (flags.demo_data) config.demo_data = true;
  EW_TRY(platform::validate_config(config));
  return config;
}

std::unique_ptr<platform::Logger> cli_logger(const platform::Config& config) {
  return std::make_unique<platform::Logger>(platform::make_stdout_sink(), platform::parse_log_level(config.log.level),
                                            config.log.json);
}

int serve(const Flags& flags) {
  // Block the shutdown signals before any thread starts so that every thread inherits the mask
  // and only sigwait() below receives them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  ::signal(SIGPIPE, SIG_IGN);

  auto config = effective_config(flags);
  if (!config) {
    print_error(config.error());
    return 2;
  }
  AppOptions options;
  options.config = std::move(*config);
  auto app = Application::create(std::move(options));
  if (!app) {
    print_error(app.error());
    return 1;
  }
  if ((*app)->config().demo_data) {
    if (auto st = seed_demo_data(**app); !st) {
      print_error(st.error());
      return 1;
    }
  }
  if (auto st = (*app)->start(); !st) {
    print_error(st.error());
    return 1;
  }
  int sig = 0;
  sigwait(&signals, &sig);
  (*app)->logger().info("shutdown signal received", {{"signal", sig == SIGTERM ? "SIGTERM" : "SIGINT"}});
  (*app)->stop();
  return 0;
}

int migrate(const Flags& flags) {
  auto config = effective_config(flags);
  if (!config) {
    print_error(config.error());
    return 2;
  }
  auto logger = cli_logger(*config);
  auto db = open_configured_database(*config, *logger);
  if (!db) {
    print_error(db.error());
    return 1;
  }
  auto applied = storage::migrate(**db, logger.get());
  if (!applied) {
    print_error(applied.error());
    return 1;
  }
  auto status = storage::schema_status(**db);
  logger->flush();
  std::printf("schema at version %d (%zu migration(s) applied now)\n", status ? status->current : -1, applied->size());
  return 0;
}

int backup(const Flags& flags) {
  auto config = effective_config(flags);
  if (!config) {
    print_error(config.error());
    return 2;
  }
  auto logger = cli_logger(*config);
  auto db = open_configured_database(*config, *logger);
  if (!db) {
    print_error(db.error());
    return 1;
  }
  if (auto st = (*db)->backup_to(flags.backup_to); !st) {
    print_error(st.error());
    return 1;
  }
  std::printf("backup written to %s\n", flags.backup_to.c_str());
  return 0;
}

int show_config(const Flags& flags) {
  auto config = effective_config(flags);
  if (!config) {
    print_error(config.error());
    return 2;
  }
  const auto env = platform::read_environment();
  for (const auto& s : platform::describe_config(*config, env)) {
    std::printf("%-28s %-40s %s\n", s.name.c_str(), s.value.c_str(), s.from_environment ? "(env)" : "");
  }
  return 0;
}

// Reads a password from the terminal without echo, or from stdin when it is not a terminal.
std::string read_password(const char* prompt) {
  std::string line;
  if (::isatty(STDIN_FILENO)) {
    std::fprintf(stderr, "%s", prompt);
    termios old{};
    tcgetattr(STDIN_FILENO, &old);
    termios silent = old;
    silent.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(STDIN_FILENO, TCSANOW, &silent);
    std::getline(std::cin, line);
    tcsetattr(STDIN_FILENO, TCSANOW, &old);
    std::fprintf(stderr, "\n");
  } else {
    std::getline(std::cin, line);
  }
  while (!line.empty() && (line.back() == '\r' || line.back() == '\n')) line.pop_back();
  return line;
}

int admin_create(const Flags& flags) {
  auto config = effective_config(flags);
  if (!config) {
    print_error(config.error());
    return 2;
  }
  AppOptions options;
  options.config = std::move(*config);
  auto app = Application::create(std::move(options));
  if (!app) {
    print_error(app.error());
    return 1;
  }
  const auto password = read_password("Password for the new administrator: ");
  auto id = (*app)->identity().provision_account(flags.email, password, "Platform administration", "enterprise",
                                                 {"platform_admin"});
  if (!id) {
    print_error(id.error());
    return 1;
  }
  std::printf("administrator %s created (account %s)\n", flags.email.c_str(), id->c_str());
  return 0;
}

int rotate_signing(const Flags& flags) {
  auto config = effective_config(flags);
  if (!config) {
    print_error(config.error());
    return 2;
  }
  platform::SystemClock clock;
  platform::SecureRandom random;
  identity::KeyRingOptions options;
  options.directory = config->effective_secrets_dir() + "/keys/jwt";
  options.algorithm = config->identity.jwt_algorithm == "HS256" ? identity::JwtAlgorithm::kHS256
                                                                : identity::JwtAlgorithm::kES256;
  options.hs256_secret = config->identity.jwt_secret;
  options.token_ttl = config->identity.access_token_ttl;
  auto ring = identity::KeyRing::open(options, clock, random);
  if (!ring) {
    print_error(ring.error());
    return 1;
  }
  const auto previous = (*ring)->current_kid();
  auto kid = (*ring)->rotate();
  if (!kid) {
    print_error(kid.error());
    return 1;
  }
  std::printf("new signing key %s (previous %s stays published until its tokens expire)\n", kid->c_str(),
              previous.c_str());
  return 0;
}

// Writes a generated catalogue to stdout (benchmarks, demos, other modules' fixtures).
int catalog_generate(const Flags& flags) {
  catalog::CatalogGenerator generator({.seed = flags.seed, .sku_prefix = flags.sku_prefix});
  std::string out;
  if (flags.format == "csv") out = catalog::csv_header();
  if (flags.format == "json") out = "[";
  for (std::uint64_t i = 0; i < flags.count; ++i) {
    const auto p = generator.product(flags.start + i);
    if (flags.format == "csv") {
      catalog::append_csv_row(out, p);
    } else {
      if (flags.format == "json" && i > 0) out += ",";
      out += catalog::generated_json(p);
      if (flags.format == "ndjson") out += "\n";
    }
    if (out.size() > (1 << 20)) {
      std::fwrite(out.data(), 1, out.size(), stdout);
      out.clear();
    }
  }
  if (flags.format == "json") out += "]\n";
  std::fwrite(out.data(), 1, out.size(), stdout);
  return std::fflush(stdout) == 0 ? 0 : 1;
}

}  // namespace

int run_cli(int argc, char** argv) {
  CLI::App cli{"eyewear: the platform eyewear manufacturers run their business on"};
  cli.require_subcommand(1);
  Flags flags;

  auto add_common = [&](CLI::App* cmd) {
    cmd->add_option("--data-dir", flags.data_dir, "Data directory (EYEWEAR_DATA_DIR)");
  };

  auto* serve_cmd = cli.add_subcommand("serve", "Run the HTTP service");
  serve_cmd->add_option("--host", flags.host, "Listen address (EYEWEAR_HOST)");
  serve_cmd->add_option("--port", flags.port, "Listen port (EYEWEAR_PORT)")->check(CLI::Range(0, 65535));
  serve_cmd->add_flag("--demo-data", flags.demo_data, "Seed demo data into an empty database (EYEWEAR_DEMO_DATA)");
  add_common(serve_cmd);

  auto* migrate_cmd = cli.add_subcommand("migrate", "Apply pending database migrations");
  add_common(migrate_cmd);

  auto* backup_cmd = cli.add_subcommand("backup", "Write a consistent backup of the database");
  backup_cmd->add_option("--to", flags.backup_to, "Backup file")->required();
  add_common(backup_cmd);

  auto* keys_cmd = cli.add_subcommand("keys", "Manage keys");
  keys_cmd->require_subcommand(1);
  auto* rotate_signing_cmd = keys_cmd->add_subcommand("rotate-signing", "Add a new access-token signing key");
  add_common(rotate_signing_cmd);
  KeysCli keyring_cmds;
  keyring_cmds.add_to(*keys_cmd, add_common);

  auto* admin_cmd = cli.add_subcommand("admin", "Platform administration");
  admin_cmd->require_subcommand(1);
  auto* admin_create_cmd = admin_cmd->add_subcommand("create", "Create a platform administrator (password from the terminal or stdin)");
  admin_create_cmd->add_option("--email", flags.email, "Email of the administrator")->required();
  add_common(admin_create_cmd);

  auto* catalog_cmd = cli.add_subcommand("catalog", "Product catalogue tools");
  catalog_cmd->require_subcommand(1);
  auto* generate_cmd =
      catalog_cmd->add_subcommand("generate", "Print a generated eyewear catalogue (deterministic for a seed)");
  generate_cmd->add_option("--count", flags.count, "Products to generate")->check(CLI::Range(0, 10'000'000));
  generate_cmd->add_option("--seed", flags.seed, "Seed: the same seed gives the same catalogue everywhere");
  generate_cmd->add_option("--start", flags.start, "Index of the first product (for generating in slices)");
  generate_cmd->add_option("--format", flags.format, "ndjson, json or csv")
      ->check(CLI::IsMember({"ndjson", "json", "csv"}));
  generate_cmd->add_option("--sku-prefix", flags.sku_prefix, "SKU prefix (letters and digits)");

  auto* version_cmd = cli.add_subcommand("version", "Print the version");
  auto* config_cmd = cli.add_subcommand("config", "Print the effective configuration (secrets masked)");
  add_common(config_cmd);

  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return cli.exit(e);
  }

  if (*serve_cmd) return serve(flags);
  if (*migrate_cmd) return migrate(flags);
  if (*backup_cmd) return backup(flags);
  if (*config_cmd) return show_config(flags);
  if (*rotate_signing_cmd) return rotate_signing(flags);
  if (keyring_cmds.selected()) {
    auto config = effective_config(flags);
    if (!config) {
      print_error(config.error());
      return 2;
    }
    return keyring_cmds.run(*config);
  }
  if (*admin_create_cmd) return admin_create(flags);
  if (*generate_cmd) return catalog_generate(flags);
  if (*version_cmd) {
    std::printf("eyewear %s (commit %s, %s, %s, %s)\n", platform::build_info::kVersion, platform::build_info::kCommit,
                platform::build_info::kCompiler, platform::build_info::kBuildType, platform::build_info::kAllocator);
    return 0;
  }
  return 1;
}

}  // namespace eyewear::app
