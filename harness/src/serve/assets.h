// The explorer's pages, compiled into the binary (harness/src/serve/assets/),
// so a served page never depends on the working folder; and Chart.js, read
// from Debian's libjs-chart.js at start.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace carbonbench::serve {

struct Asset {
  std::string url;  // "/", "/static/app.js"
  std::string content_type;
  std::string_view body;
};

const std::vector<Asset>& ExplorerAssets();

// Where Debian's libjs-chart.js puts its UMD build.
inline constexpr const char* kChartJsPath = "/usr/share/javascript/chart.js/chart.min.js";

}  // namespace carbonbench::serve
