#pragma once
// A file's bytes without a stream. A read-only mapping (pack files, large loose objects): its
// pages come from the page cache, which costs a fraction of what fresh memory does. Or reads
// into a buffer the caller sized (small files).
#include <cstddef>
#include <string>

namespace ag {

// Reads from `fd` until `size` bytes are in `buf` or the file ends, retrying an interrupted
// read; returns how many bytes it read (fewer than `size` at the end of the file or on error).
size_t read_up_to(int fd, char* buf, size_t size);

class MappedFile {
public:
    MappedFile() = default;
    ~MappedFile();
    MappedFile(const MappedFile&) = delete;
    MappedFile& operator=(const MappedFile&) = delete;

    // Maps the whole of `path`; on failure (or an empty file) the mapping stays empty.
    void open(const std::string& path);
    // Maps the first `size` bytes of the open file `fd`, which the caller still owns and
    // closes; on failure the mapping stays empty.
    void open(int fd, size_t size);

    const unsigned char* data() const { return data_; }  // nullptr when empty
    size_t size() const { return size_; }

private:
    const unsigned char* data_ = nullptr;
    size_t size_ = 0;
};

}  // namespace ag
