// Markdown to HTML as GitHub renders it (cmark-gfm with its table,
// strikethrough and autolink extensions), for the report page. Raw HTML in
// the text is left out (cmark's safe mode), so a cell or suite name cannot
// put a script into the page.
#pragma once

#include <string>

namespace carbonbench::serve {

std::string MarkdownToHtml(const std::string& markdown);

}  // namespace carbonbench::serve
