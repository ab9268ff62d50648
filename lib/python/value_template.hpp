#pragma once
// A string value made of literal text and references to names of other modules
// ("'liberty_' + cli.EXPAND_BRANCH"): what a migration says before the repository's own
// modules are read. Encoded as one string so that it travels through the result cache like
// any other value: literal text with U+0001 doubled, each reference as U+0001 path U+0002.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ag::py {

struct TemplatePiece {
    bool reference = false;
    std::string text;  // literal text, or a dotted path ("neutron.db.migration.cli.EXPAND_BRANCH")
};

std::string template_literal(std::string_view text);
std::string template_reference(std::string_view dotted_path);
// nullopt when `encoded` is not a template this module wrote.
std::optional<std::vector<TemplatePiece>> template_pieces(std::string_view encoded);
// "'liberty_' + cli.EXPAND_BRANCH" style, for messages.
std::string describe_template(std::string_view encoded);

}  // namespace ag::py
