#pragma once
// The words of `forecast`: which open candidates collide with each other, and which are bad on
// the base alone. hooks/forecast finds the facts; this says them as text, JSON Lines (design.md),
// GitHub annotations, or the Markdown body of a pull-request comment.
#include "report/push_report.hpp"

#include <optional>
#include <string>
#include <vector>

namespace ag {

struct ForecastCandidate {
    std::string ref;         // as given or as found (refs/pull/336/head)
    std::optional<long> pr;  // the pull or merge request number the ref names
    std::string tip_hex;
};

// A revision a candidate adds, for the picture of a fork.
struct AddedRevision {
    std::string id;
    std::vector<std::string> parents;
    std::string file;
    int line = 0;  // of its revision assignment; 0 when unknown
};

// Two candidates, each fine on the base alone, that together break one environment.
struct ForecastPair {
    ForecastCandidate stay;  // lands first
    ForecastCandidate move;  // should be moved: opened later, or not the --prefer one
    bool preferred = false;  // `stay` was chosen by --prefer
    std::string environment;
    std::vector<Problem> problems;            // introduced when `move` lands after `stay`
    std::vector<std::string> conflict_files;  // set instead when both change the same file
    std::vector<std::string> shared;          // the parents both build on, or the ID both claim
    std::vector<AddedRevision> stay_adds, move_adds;
};

struct ForecastBadAlone {
    ForecastCandidate candidate;
    RefJudgement judgement;                   // landing it on the base alone
    std::vector<std::string> conflict_files;  // it does not merge onto the base cleanly
};

struct Forecast {
    std::string base;  // as given
    std::string base_hex;
    size_t candidates = 0;        // judged (already merged ones are not counted)
    size_t pairs_compared = 0;    // pairs that touch a common environment
    size_t pairs_merged = 0;      // pairs confirmed (or cleared) by an in-memory merge
    std::vector<ForecastBadAlone> bad_alone;
    std::vector<ForecastPair> pairs;
};

// "#336" when the ref names a request, else the ref.
std::string candidate_label(const ForecastCandidate& c);
// The edit that lands `p`'s `move` after `stay`, in one line.
std::string forecast_fix(const ForecastPair& p);
// One JSON object per colliding pair and per candidate bad alone (design.md), each ending in a
// newline.
std::string forecast_json_lines(const Forecast& f);
std::string forecast_text(const Forecast& f);
// `::error` annotations on the file of the migration to move (GitHub Actions, Forgejo Actions).
std::string forecast_github(const Forecast& f);
// A pull-request comment: per pair a table and a Mermaid picture of the fork.
std::string forecast_markdown(const Forecast& f);

}  // namespace ag
