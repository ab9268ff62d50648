#include "git/loose_object.hpp"

#include "support/mapped_file.hpp"
#include "git/zlib_inflate.hpp"

#include <zlib.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <string_view>

namespace ag {

namespace {

// The file's bytes, mapped when large (page-cache pages cost a fraction of fresh ones here),
// read into a buffer of this thread's when small (a mapping costs more than a blob).
class FileBytes {
public:
    explicit FileBytes(const std::string& path) {
        const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) return;
        struct stat st {};
        if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
            const auto size = static_cast<size_t>(st.st_size);
            if (size > kMapFrom) {
                mapping_.open(fd, size);
                data_ = mapping_.data();
                size_ = mapping_.size();
            } else {
                thread_local std::string buffer;
                buffer.resize(size);
                if (read_up_to(fd, buffer.data(), size) == size) {
                    data_ = reinterpret_cast<const unsigned char*>(buffer.data());
                    size_ = size;
                }
            }
        }
        ::close(fd);
    }
    const unsigned char* data() const { return data_; }
    size_t size() const { return size_; }

private:
    static constexpr size_t kMapFrom = 64 * 1024;
    MappedFile mapping_;
    const unsigned char* data_ = nullptr;
    size_t size_ = 0;
};

// The header "<type> <size>\0": its length with the NUL, and the type and size it names.
// libdeflate inflates only into a buffer of the exact size, so the first bytes are inflated
// with zlib to learn it.
bool read_header(const FileBytes& file, size_t& header_len, std::string_view& type, uint64_t& size) {
    static thread_local char head[64];
    z_stream z{};
    if (inflateInit(&z) != Z_OK) return false;
    z.next_in = const_cast<unsigned char*>(file.data());
    z.avail_in = static_cast<uInt>(std::min<size_t>(file.size(), 4096));
    z.next_out = reinterpret_cast<unsigned char*>(head);
    z.avail_out = sizeof head;
    const int rc = inflate(&z, Z_SYNC_FLUSH);
    const size_t produced = sizeof head - z.avail_out;
    inflateEnd(&z);
    if (rc != Z_OK && rc != Z_STREAM_END) return false;
    const void* nul = std::memchr(head, '\0', produced);
    if (!nul) return false;
    header_len = static_cast<size_t>(static_cast<const char*>(nul) - head) + 1;
    const std::string_view h(head, header_len - 1);
    const auto space = h.find(' ');
    if (space == std::string_view::npos || space + 1 == h.size()) return false;
    type = h.substr(0, space);
    size = 0;
    for (const char c : h.substr(space + 1)) {
        if (c < '0' || c > '9' || size > (uint64_t{1} << 40)) return false;
        size = size * 10 + static_cast<uint64_t>(c - '0');
    }
    return true;
}

}  // namespace

bool read_loose_object(const std::string& objects_dir, const git_oid& id, git_object_t want, std::string& out) {
    char hex[GIT_OID_HEXSZ + 1];
    git_oid_tostr(hex, sizeof hex, &id);
    std::string path = objects_dir;
    path += '/';
    path.append(hex, 2);
    path += '/';
    path.append(hex + 2, GIT_OID_HEXSZ - 2);
    const FileBytes file(path);
    if (!file.data()) return false;
    size_t header_len = 0;
    std::string_view type;
    uint64_t size = 0;
    if (!read_header(file, header_len, type, size)) return false;
    if (type != git_object_type2string(want)) return false;
    // The stream is the whole file: bytes after it are damage libgit2 refuses ("zlib input had
    // trailing garbage"), and so does this reader, leaving libgit2 to say so.
    size_t consumed = 0;
    if (!inflate_exactly(file.data(), file.size(), header_len + size, out, &consumed) || consumed != file.size())
        return false;
    out.erase(0, header_len);
    return true;
}

}  // namespace ag
