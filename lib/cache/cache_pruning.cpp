#include "cache/cache_pruning.hpp"

#include "support/mapped_file.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <vector>

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

namespace ag {

namespace {

constexpr std::time_t kTempGrace = 3600;  // a temporary file younger than this may be being written
constexpr std::string_view kTagName = "CACHEDIR.TAG";
constexpr std::string_view kTagSignature = "Signature: 8a477f597d28d172789f06886806bc55";
constexpr std::string_view kTag =
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This file is a cache directory tag created by alembic-guard (its result cache).\n"
    "# For information about cache directory tags, see https://bford.info/cachedir/\n";

// `v<digits>-<version>`: ResultCache::format_tag().
bool is_format_dir(std::string_view name) {
    size_t i = 1;
    if (name.empty() || name[0] != 'v') return false;
    while (i < name.size() && std::isdigit(static_cast<unsigned char>(name[i]))) ++i;
    return i > 1 && i < name.size() && name[i] == '-';
}

bool all_hex(std::string_view s) {
    return std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

// `<object id>.cache` (a versions tree's parses) or `env-<16 hex>.json|.names` (a result).
bool is_cache_file(std::string_view name) {
    if (name.ends_with(".cache")) {
        const auto id = name.substr(0, name.size() - 6);
        return (id.size() == 40 || id.size() == 64) && all_hex(id);
    }
    std::string_view stem;
    if (name.ends_with(".json")) stem = name.substr(0, name.size() - 5);
    else if (name.ends_with(".names")) stem = name.substr(0, name.size() - 6);
    else return false;
    return stem.size() == 20 && stem.substr(0, 4) == "env-" && all_hex(stem.substr(4));
}

// `.<cache file>.<pid>.tmp`: write_atomically's temporary file.
bool is_temp_file(std::string_view name) {
    if (name.size() < 7 || name[0] != '.' || !name.ends_with(".tmp")) return false;
    const auto inner = name.substr(1, name.size() - 5);
    const auto dot = inner.rfind('.');
    return dot != std::string_view::npos && dot + 1 < inner.size() &&
           std::all_of(inner.begin() + static_cast<std::ptrdiff_t>(dot) + 1, inner.end(),
                       [](char c) { return c >= '0' && c <= '9'; }) &&
           is_cache_file(inner.substr(0, dot));
}

class Fd {
public:
    explicit Fd(int fd) : fd_(fd) {}
    Fd(Fd&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    Fd& operator=(Fd&&) = delete;
    ~Fd() {
        if (fd_ >= 0) ::close(fd_);
    }
    int get() const { return fd_; }

private:
    int fd_;
};

struct CachedFile {
    size_t dir;  // index into the open format directories
    std::string name;
    std::time_t mtime;
    uint64_t size;
};

// The entries of the directory open as `fd` (which stays open: fdopendir takes a duplicate).
std::vector<std::string> entry_names(int fd) {
    std::vector<std::string> out;
    const int dup = ::fcntl(fd, F_DUPFD_CLOEXEC, 0);
    if (dup < 0) return out;
    DIR* d = ::fdopendir(dup);
    if (!d) {
        ::close(dup);
        return out;
    }
    while (const dirent* e = ::readdir(d)) {
        const std::string_view n = e->d_name;
        if (n != "." && n != "..") out.emplace_back(n);
    }
    ::closedir(d);
    return out;
}

// The directory open as `fd` holds alembic-guard's CACHEDIR.TAG.
bool has_tag(int fd) {
    const Fd tag(::openat(fd, std::string(kTagName).c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
    if (tag.get() < 0) return false;
    char buf[kTagSignature.size()];
    return std::string_view(buf, read_up_to(tag.get(), buf, sizeof buf)) == kTagSignature;
}

}  // namespace

void tag_cache_directory(const std::filesystem::path& format_dir) {
    const auto tag = format_dir / kTagName;
    struct stat st {};
    if (::lstat(tag.c_str(), &st) == 0) return;
    // Written whole under a temporary name, then linked into place: a reader sees all of it or
    // none, and of two writers the second finds it there.
    const auto tmp = format_dir / (".CACHEDIR.TAG." + std::to_string(::getpid()));
    const Fd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644));
    if (fd.get() < 0) return;
    const bool written = ::write(fd.get(), kTag.data(), kTag.size()) == static_cast<ssize_t>(kTag.size());
    if (written) ::link(tmp.c_str(), tag.c_str());
    ::unlink(tmp.c_str());
}

PruneOutcome prune_cache(const std::string& root, const CacheLimits& limits, std::time_t now) {
    PruneOutcome out;
    if (root.empty()) return out;
    const Fd root_fd(::open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (root_fd.get() < 0) return out;
    out.ran = true;

    struct FormatDir {
        std::string name;
        Fd fd;
        size_t others;
    };
    std::vector<FormatDir> dirs;
    std::vector<CachedFile> files;
    for (const auto& name : entry_names(root_fd.get())) {
        if (!is_format_dir(name)) continue;
        Fd fd(::openat(root_fd.get(), name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
        if (fd.get() < 0 || !has_tag(fd.get())) continue;
        const size_t index = dirs.size();
        size_t others = 0;  // entries that are neither prunable nor the tag: the directory stays
        for (auto& file : entry_names(fd.get())) {
            struct stat st {};
            const bool regular = ::fstatat(fd.get(), file.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode);
            if (regular && file == kTagName) continue;
            if (!regular || !(is_cache_file(file) || is_temp_file(file)) ||
                (is_temp_file(file) && st.st_mtime + kTempGrace >= now)) {
                ++others;
                continue;
            }
            files.push_back({index, std::move(file), st.st_mtime, static_cast<uint64_t>(st.st_size)});
        }
        dirs.push_back({name, std::move(fd), others});
    }

    const auto remove = [&](const CachedFile& f) {
        if (::unlinkat(dirs[f.dir].fd.get(), f.name.c_str(), 0) == 0 || errno == ENOENT) {
            ++out.removed_files;
            out.removed_bytes += f.size;
            return true;
        }
        return false;
    };
    // Oldest first: what is removed for age goes first, then what least recently served.
    std::sort(files.begin(), files.end(), [](const CachedFile& a, const CachedFile& b) {
        return a.mtime != b.mtime ? a.mtime < b.mtime : a.name < b.name;
    });
    uint64_t total = 0;
    for (const auto& f : files) total += f.size;
    std::vector<size_t> left(dirs.size(), 0);
    for (const auto& f : files) {
        const bool expired = f.mtime + limits.max_age.count() < now || is_temp_file(f.name);
        if ((expired || total > limits.max_bytes) && remove(f)) {
            total -= f.size;
            continue;
        }
        ++left[f.dir];
        ++out.kept_files;
        out.kept_bytes += f.size;
    }
    // A directory holding nothing but its tag any more: gone too.
    for (size_t i = 0; i < dirs.size(); ++i) {
        if (left[i] != 0 || dirs[i].others != 0) continue;
        ::unlinkat(dirs[i].fd.get(), std::string(kTagName).c_str(), 0);
        ::unlinkat(root_fd.get(), dirs[i].name.c_str(), AT_REMOVEDIR);
    }
    return out;
}

PruneOutcome prune_cache_when_due(const std::string& root, const CacheLimits& limits, std::time_t now) {
    if (root.empty()) return {};
    const std::string stamp = root + "/.last-prune";
    const auto due = [&](const struct stat& st) {
        // A stamp from the future (a clock set back) would otherwise hold pruning off until then.
        return st.st_mtime + limits.interval.count() <= now || st.st_mtime > now + limits.interval.count();
    };
    struct stat st {};
    if (::stat(stamp.c_str(), &st) == 0 && !due(st)) return {};
    // A stamp created now is due (its time is now); one that exists is due only by its time.
    bool created = false;
    int raw = ::open(stamp.c_str(), O_RDWR | O_NOFOLLOW | O_CLOEXEC);
    if (raw < 0 && errno == ENOENT) {
        raw = ::open(stamp.c_str(), O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        created = raw >= 0;
    }
    const Fd fd(raw);
    if (fd.get() < 0) return {};
    // Another process pruning holds the lock; one that has just finished has moved the stamp.
    if (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) return {};
    if (!created && (::fstat(fd.get(), &st) != 0 || !due(st))) return {};
    PruneOutcome out = prune_cache(root, limits, now);
    ::futimens(fd.get(), nullptr);
    return out;
}

std::optional<uint64_t> result_cache_size(std::string_view text) {
    uint64_t unit = 1;
    if (!text.empty()) {
        switch (text.back()) {
            case 'k': case 'K': unit = uint64_t{1} << 10; break;
            case 'm': case 'M': unit = uint64_t{1} << 20; break;
            case 'g': case 'G': unit = uint64_t{1} << 30; break;
            default: break;
        }
        if (unit != 1) text.remove_suffix(1);
    }
    if (text.empty() || text.size() > 12) return std::nullopt;
    uint64_t v = 0;
    for (char c : text) {
        if (c < '0' || c > '9') return std::nullopt;
        v = v * 10 + static_cast<uint64_t>(c - '0');
    }
    if (v == 0) return std::nullopt;
    return v * unit;
}

}  // namespace ag
