#include "app/cli.hpp"

int main(int argc, char** argv) { return eyewear::app::run_cli(argc, argv); }
