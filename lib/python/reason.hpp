#pragma once
// Why a value is not what the guard needs, in words: almost always fixed text (kept without a
// copy: a history has tens of thousands of migrations, each evaluating a dozen expressions),
// sometimes composed.
#include <string>
#include <string_view>
#include <utility>

namespace ag {

class Reason {
public:
    Reason() = default;
    Reason(const char* fixed) : fixed_(fixed) {}
    Reason(std::string composed) : composed_(std::move(composed)) {}
    std::string_view view() const { return fixed_ ? std::string_view(fixed_) : std::string_view(composed_); }
    bool empty() const { return view().empty(); }

private:
    const char* fixed_ = nullptr;
    std::string composed_;
};

}  // namespace ag
