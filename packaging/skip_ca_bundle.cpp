// Shared build only (the static build wraps the same two functions: static_wraps.cpp).
//
// alembic-guard reads the repository it runs in and never opens a network connection, yet
// git_libgit2_init() in Debian's libgit2 (built with mbedTLS) parses the whole system CA
// bundle, /etc/ssl/certs/ca-certificates.crt, on every start: measured, a third of a small
// `check` (about 3 ms of base64 decoding per process, on every push). Defining the two
// certificate loaders in the executable interposes them (the dynamic linker searches the
// executable before libmbedx509), so libgit2 starts with an empty CA chain. Any HTTPS
// transport would then refuse every server certificate: fail closed, never open.
extern "C" {

int mbedtls_x509_crt_parse_file(void* /*chain*/, const char* /*path*/) { return 0; }
int mbedtls_x509_crt_parse_path(void* /*chain*/, const char* /*path*/) { return 0; }

// For the same reason libssh2 is left uninitialised: git_libgit2_init() calls libssh2_init(),
// which initialises OpenSSL (engines included) for an SSH transport the guard never opens. Its
// counterpart libssh2_exit() does nothing when libssh2 was never initialised.
int libssh2_init(int /*flags*/) { return 0; }

}
