#pragma once
// Turns results into what people and programs read: text, JSON (design.md), and GitHub
// workflow annotations. IDs, paths and messages are bytes that need not be UTF-8: text carries
// them as they are (as git prints names with core.quotePath off: nothing decoded, nothing lost),
// JSON as json_text.hpp writes it (never nlohmann's dump(), which throws on them), annotations
// as check_github says.
#include "verdict/environment_check.hpp"

#include <nlohmann/json.hpp>

#include <string>

namespace ag {

enum class Format { Text, Json, Github };

nlohmann::ordered_json problem_json(const Problem& p);
nlohmann::ordered_json check_json(const TreeCheck& check);
std::string check_text(const TreeCheck& check, const std::string& what);
std::string heads_text(const TreeCheck& check);
// What `heads` says on standard error beside its list: that `what` holds no environment at
// all, or that an environment has no revision (both print no head).
std::string heads_notices(const TreeCheck& check, const std::string& what);
nlohmann::ordered_json heads_json(const TreeCheck& check);
// `s` escaped for a GitHub workflow command (`::error file=...::message`): %, \r, \n, and in a
// property also , and :; a byte that starts no UTF-8 character is written %XX.
std::string github_escape(std::string_view s, bool property);
// `::error file=...,line=...::message` per problem location (and one per problem without);
// a byte that starts no UTF-8 character is written %XX, as the commands escape % itself.
std::string check_github(const TreeCheck& check);

}  // namespace ag
