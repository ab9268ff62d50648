// Static build only (ALEMBIC_GUARD_STATIC=ON): the glibc functions that would need shared
// libraries at run time, wrapped to fail (linked with -Wl,--wrap=<name>, packaging/static.cmake).
//
// In a statically linked program glibc implements getpwuid_r, getaddrinfo, getnameinfo and
// gethostbyname by
// loading libnss_*.so, and dlopen by loading shared objects, all from the glibc version used for
// linking: in an empty chroot (GitHub Enterprise's pre-receive environment) or on a host with
// another glibc they fail at best. alembic-guard needs none of them: it reads the repository it
// runs in (no network: getaddrinfo, getnameinfo, gethostbyname), takes user names from the environment (USER,
// LOGNAME, GITEA_PUSHER_NAME, ...), never from the passwd database, and loads no OpenSSL engines
// (dlopen). What references them is library code it never reaches, or reaches only to look for
// a home directory when HOME is unset (libgit2's sysdir.c) — which then behaves as on a system
// whose passwd database has no entry for the user. With the wraps, the linker no longer warns
// "Using 'X' in statically linked applications requires at runtime the shared libraries ...":
// the binary contains no NSS or dlopen code at all.
#include <cerrno>
#include <cstddef>

#include <dlfcn.h>
#include <netdb.h>
#include <pwd.h>
#include <sys/socket.h>
#include <sys/types.h>

extern "C" {

int __wrap_getpwuid_r(uid_t, struct passwd*, char*, std::size_t, struct passwd** result) {
    if (result != nullptr) *result = nullptr;
    return 0;  // "no such entry" (POSIX: 0 with *result == NULL)
}

int __wrap_getaddrinfo(const char*, const char*, const struct addrinfo*, struct addrinfo** res) {
    if (res != nullptr) *res = nullptr;
    return EAI_FAIL;
}

struct hostent* __wrap_gethostbyname(const char*) {
    h_errno = NO_RECOVERY;
    return nullptr;
}

void __wrap_freeaddrinfo(struct addrinfo*) {}  // __wrap_getaddrinfo never returns a list

int __wrap_getnameinfo(const struct sockaddr*, socklen_t, char*, socklen_t, char*, socklen_t, int) {
    return EAI_FAIL;
}

void* __wrap_dlopen(const char*, int) {
    return nullptr;
}

// libgit2's TLS setup parses the system CA bundle at every start; nothing here uses TLS
// (see skip_ca_bundle.cpp, the shared build's counterpart): start with an empty chain.
int __wrap_mbedtls_x509_crt_parse_file(void*, const char*) { return 0; }
int __wrap_mbedtls_x509_crt_parse_path(void*, const char*) { return 0; }
// The rest of git_libgit2_init()'s transport set-up: mbedTLS seeding its entropy pool and
// libssh2 initialising OpenSSL (engines and all), 2.3 M of the 38 M instructions of a
// one-commit push, on every push. Nothing here opens a connection, so both are reported as
// set up and left cold.
int __wrap_git_mbedtls_stream_global_init(void) { return 0; }
int __wrap_git_transport_ssh_global_init(void) { return 0; }

}  // extern "C"
