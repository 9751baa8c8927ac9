// dynantic_fault_proxy: the test proxy as a program.
//   dynantic_fault_proxy --upstream http://127.0.0.1:8000 [--script throttle,500,ok,...]
//                        [--port-file FILE] [--max-seconds N] [--max-requests N]
//                        [--unprocessed-rate P] [--throttle-rate P] [--error500-rate P] [--reset-rate P] [--seed N]
// Prints the port it listens on (127.0.0.1 only) and exits by itself after --max-seconds (default 600) without
// a request. The rates are probabilities per request (per write or key for --unprocessed-rate).
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>

#include "fault_proxy.hpp"

int main(int argc, char** argv) {
  using namespace dynantic::testing;
  fault_proxy_options o;
  o.max_lifetime = std::chrono::seconds(600);
  std::string port_file, upstream = "http://127.0.0.1:8000";
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i], v = argv[i + 1];
    if (a == "--upstream") upstream = v;
    else if (a == "--port-file") port_file = v;
    else if (a == "--max-seconds") o.max_lifetime = std::chrono::seconds(std::atoi(v.c_str()));
    else if (a == "--max-requests") o.max_requests = std::strtoull(v.c_str(), nullptr, 10);
    else if (a == "--unprocessed-rate") o.unprocessed_rate = std::atof(v.c_str());
    else if (a == "--throttle-rate") o.throttle_rate = std::atof(v.c_str());
    else if (a == "--error500-rate") o.error500_rate = std::atof(v.c_str());
    else if (a == "--reset-rate") o.reset_rate = std::atof(v.c_str());
    else if (a == "--seed") o.seed = static_cast<unsigned>(std::strtoul(v.c_str(), nullptr, 10));
    else if (a == "--script") {
      std::stringstream ss(v);
      std::string f;
      while (std::getline(ss, f, ',')) o.script.push_back(parse_fault(f));
    } else {
      std::cerr << "unknown option " << a << "\n";
      return 2;
    }
  }
  if (!split_endpoint(upstream, o.upstream_host, o.upstream_port)) {
    std::cerr << "bad --upstream " << upstream << "\n";
    return 2;
  }
  fault_proxy p(o);
  std::cout << p.port() << std::endl;
  if (!port_file.empty()) {
    std::string tmp = port_file + ".tmp";
    std::ofstream(tmp) << p.port() << "\n";
    std::rename(tmp.c_str(), port_file.c_str());
  }
  p.wait();
  return 0;
}
