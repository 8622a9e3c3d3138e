#include "serve/assets.h"

namespace carbonbench::serve {
namespace {

// Generated from assets/ by CMake: raw string literals of each file.
constexpr std::string_view kIndexHtml =
#include "serve/assets/index.html.inc"
    ;
constexpr std::string_view kAppJs =
#include "serve/assets/app.js.inc"
    ;
constexpr std::string_view kStyleCss =
#include "serve/assets/style.css.inc"
    ;

}  // namespace

const std::vector<Asset>& ExplorerAssets() {
  static const std::vector<Asset> assets = {
      {"/", "text/html; charset=utf-8", kIndexHtml},
      {"/index.html", "text/html; charset=utf-8", kIndexHtml},
      {"/static/app.js", "text/javascript; charset=utf-8", kAppJs},
      {"/static/style.css", "text/css; charset=utf-8", kStyleCss},
  };
  return assets;
}

}  // namespace carbonbench::serve
