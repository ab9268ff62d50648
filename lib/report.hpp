#pragma once
// Turns results into what people and programs read: text, JSON (design.md), and GitHub
// workflow annotations.
#include "tree_check.hpp"

#include <nlohmann/json.hpp>

#include <string>

namespace ag {

enum class Format { Text, Json, Github };

nlohmann::ordered_json problem_json(const Problem& p);
nlohmann::ordered_json check_json(const TreeCheck& check);
std::string check_text(const TreeCheck& check, const std::string& what);
std::string heads_text(const TreeCheck& check);
nlohmann::ordered_json heads_json(const TreeCheck& check);
// `::error file=...,line=...::message` per problem location (and one per problem without).
std::string check_github(const TreeCheck& check);

}  // namespace ag
