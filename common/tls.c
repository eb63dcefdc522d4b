/* tls.c: the certificate set of the process and the gRPC credentials made from it. The server
 * side uses a certificate config fetcher, which gRPC asks at every handshake: it answers
 * "unchanged" until tls_reload has loaded a new set, so a reload needs no restart and drops no
 * connection. Files are checked with OpenSSL before use, so a half-written certificate or a key
 * of another certificate never replaces a working set. */
#include "tls.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "log.h"
#include "mem.h"

enum { PEM_MAX_BYTES = 1024 * 1024 };

static struct {
    pthread_mutex_t lock; /* guards the PEM strings */
    bool enabled, mutual;
    char cert_path[512], key_path[512], ca_path[512];
    char *cert, *key, *ca; /* current PEM texts, NUL-terminated; ca NULL without UNIC_TLS_CA */
    atomic_int generation; /* bumped by every set loaded */
    atomic_int served;     /* the generation the server's fetcher last handed to gRPC */
} tls = {.lock = PTHREAD_MUTEX_INITIALIZER, .served = -1};

static char *file_read(const char *path, struct err *e)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return err_set(e, ERR_INVALID_ARGUMENT, "could not open \"%s\"", path), NULL;
    char *buf = xmalloc(PEM_MAX_BYTES + 1);
    size_t n = fread(buf, 1, PEM_MAX_BYTES + 1, f);
    fclose(f);
    if (n == 0 || n > PEM_MAX_BYTES) {
        free(buf);
        return err_set(e, ERR_INVALID_ARGUMENT, "could not read \"%s\": %s", path,
                       n == 0 ? "empty" : "larger than 1 MiB"), NULL;
    }
    buf[n] = '\0';
    return buf;
}

static X509 *pem_cert(const char *pem)
{
    BIO *bio = BIO_new_mem_buf(pem, -1);
    X509 *x = bio ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;
    BIO_free(bio);
    return x;
}

/* The certificate parses, the key parses and is the certificate's, the CA parses. */
static int set_check(const char *cert, const char *key, const char *ca, struct err *e)
{
    int rc = -1;
    X509 *x = pem_cert(cert), *cax = NULL;
    BIO *bio = BIO_new_mem_buf(key, -1);
    EVP_PKEY *pk = bio ? PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL) : NULL;
    if (x == NULL) {
        err_set(e, ERR_INVALID_ARGUMENT, "UNIC_TLS_CERT \"%s\": not a PEM certificate", tls.cert_path);
        goto done;
    }
    if (pk == NULL) {
        err_set(e, ERR_INVALID_ARGUMENT, "UNIC_TLS_KEY \"%s\": not an unencrypted PEM private key", tls.key_path);
        goto done;
    }
    if (X509_check_private_key(x, pk) != 1) {
        err_set(e, ERR_INVALID_ARGUMENT, "UNIC_TLS_KEY \"%s\" is not the key of UNIC_TLS_CERT \"%s\"",
                tls.key_path, tls.cert_path);
        goto done;
    }
    if (ca && (cax = pem_cert(ca)) == NULL) {
        err_set(e, ERR_INVALID_ARGUMENT, "UNIC_TLS_CA \"%s\": not a PEM certificate", tls.ca_path);
        goto done;
    }
    rc = 0;
done:
    X509_free(x);
    X509_free(cax);
    EVP_PKEY_free(pk);
    BIO_free(bio);
    return rc;
}

static int set_load(struct err *e)
{
    char *cert = NULL, *key = NULL, *ca = NULL;
    int rc = -1;
    if ((cert = file_read(tls.cert_path, e)) == NULL || (key = file_read(tls.key_path, e)) == NULL ||
        (tls.ca_path[0] && (ca = file_read(tls.ca_path, e)) == NULL) || set_check(cert, key, ca, e) < 0)
        goto done;
    pthread_mutex_lock(&tls.lock);
    char *old[] = {tls.cert, tls.key, tls.ca};
    tls.cert = cert;
    tls.key = key;
    tls.ca = ca;
    cert = old[0];
    key = old[1];
    ca = old[2];
    atomic_fetch_add(&tls.generation, 1);
    pthread_mutex_unlock(&tls.lock);
    rc = 0;
done:
    free(cert);
    free(key);
    free(ca);
    return rc;
}

int tls_init(const struct config *cfg, struct err *e)
{
    /* OpenSSL's state stays until the process ends, not freed by the atexit() handler OpenSSL
     * registers by default: gRPC 1.51 does not join its event engine's threads at
     * grpc_shutdown(), and one of them may still be starting a reconnection attempt (a TLS
     * handshaker) while exit() runs. After OpenSSL had freed its state, that attempt used it:
     * heap-use-after-free, an exit that hung, or OpenSSL allocations reported leaked
     * (docs/hardening.md). The first OpenSSL call of the process, so it takes effect. */
    OPENSSL_init_crypto(OPENSSL_INIT_NO_ATEXIT, NULL);
    tls.enabled = cfg->tls_cert[0] != '\0';
    tls.mutual = tls.enabled && cfg->tls_ca[0] != '\0';
    if (!tls.enabled)
        return 0;
    snprintf(tls.cert_path, sizeof tls.cert_path, "%s", cfg->tls_cert);
    snprintf(tls.key_path, sizeof tls.key_path, "%s", cfg->tls_key);
    snprintf(tls.ca_path, sizeof tls.ca_path, "%s", tls.mutual ? cfg->tls_ca : "");
    return set_load(e);
}

void tls_shutdown(void)
{
    pthread_mutex_lock(&tls.lock);
    free(tls.cert);
    free(tls.key);
    free(tls.ca);
    tls.cert = tls.key = tls.ca = NULL;
    tls.enabled = tls.mutual = false;
    pthread_mutex_unlock(&tls.lock);
}

int tls_reload(void)
{
    struct err e;
    if (!tls.enabled)
        return 0;
    if (set_load(&e) < 0) {
        log_error("certificates not reloaded, the ones in use stay: %s", e.msg);
        return -1;
    }
    log_info("certificates reloaded from %s", tls.cert_path);
    return 0;
}

bool tls_enabled(void)
{
    return tls.enabled;
}

bool tls_mutual(void)
{
    return tls.mutual;
}

int tls_generation(void)
{
    return atomic_load(&tls.generation);
}

int tls_pem(char **cert, char **key)
{
    if (!tls.enabled)
        return -1;
    pthread_mutex_lock(&tls.lock);
    *cert = xstrdup(tls.cert);
    *key = xstrdup(tls.key);
    pthread_mutex_unlock(&tls.lock);
    return 0;
}

/* gRPC asks this at every handshake; it runs on gRPC's threads. */
static grpc_ssl_certificate_config_reload_status fetch_config(void *user_data,
                                                              grpc_ssl_server_certificate_config **config)
{
    (void)user_data;
    int gen = atomic_load(&tls.generation);
    if (gen == atomic_load(&tls.served))
        return GRPC_SSL_CERTIFICATE_CONFIG_RELOAD_UNCHANGED;
    pthread_mutex_lock(&tls.lock);
    grpc_ssl_pem_key_cert_pair pair = {tls.key, tls.cert};
    *config = grpc_ssl_server_certificate_config_create(tls.ca, &pair, 1); /* copies the PEMs */
    atomic_store(&tls.served, gen);
    pthread_mutex_unlock(&tls.lock);
    return GRPC_SSL_CERTIFICATE_CONFIG_RELOAD_NEW;
}

grpc_server_credentials *tls_server_credentials(void)
{
    if (!tls.enabled)
        return grpc_insecure_server_credentials_create();
    /* End users (buf curl, grpcio, the gateway's browsers) present no certificate; a peer that
     * presents one must hold one the suite's CA signed, or the handshake fails. */
    grpc_ssl_client_certificate_request_type request =
        tls.mutual ? GRPC_SSL_REQUEST_CLIENT_CERTIFICATE_AND_VERIFY : GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE;
    atomic_store(&tls.served, -1);
    return grpc_ssl_server_credentials_create_with_options(
        grpc_ssl_server_credentials_create_options_using_config_fetcher(request, fetch_config, NULL));
}

grpc_channel_credentials *tls_channel_credentials(void)
{
    if (!tls.enabled)
        return grpc_insecure_credentials_create();
    pthread_mutex_lock(&tls.lock);
    grpc_ssl_pem_key_cert_pair pair = {tls.key, tls.cert};
    /* Without UNIC_TLS_CA, servers are verified against the system's roots. Copies the PEMs. */
    grpc_channel_credentials *c = grpc_ssl_credentials_create(tls.ca, tls.mutual ? &pair : NULL, NULL, NULL);
    pthread_mutex_unlock(&tls.lock);
    return c;
}

bool tls_peer_is_suite(grpc_call *call)
{
    grpc_auth_context *ctx = grpc_call_auth_context(call);
    if (ctx == NULL)
        return false;
    bool ok = grpc_auth_context_peer_is_authenticated(ctx) != 0;
    grpc_auth_context_release(ctx);
    return ok;
}
