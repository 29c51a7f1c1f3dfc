/* gnutls: `system generate-cert`, the daemon's TLS client certificates and the TLS probe of `serve`, opened
 * when first needed (base/dynlib.h says why and how). Include this instead of the library's own header; call
 * cc_gnutls_ready() at every entry point before the first call. */
#ifndef CC_BASE_LIBGNUTLS_H
#define CC_BASE_LIBGNUTLS_H

#include "base/dynlib.h"

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#define CC_GNUTLS_SYMBOLS(X)                                                                                 \
	X(gnutls_strerror)                                                                                   \
	X(gnutls_free)                                                                                       \
	X(gnutls_init)                                                                                       \
	X(gnutls_deinit)                                                                                     \
	X(gnutls_set_default_priority)                                                                       \
	X(gnutls_credentials_set)                                                                            \
	X(gnutls_transport_set_int2)                                                                         \
	X(gnutls_handshake)                                                                                  \
	X(gnutls_record_send)                                                                                \
	X(gnutls_record_recv)                                                                                \
	X(gnutls_certificate_allocate_credentials)                                                           \
	X(gnutls_certificate_free_credentials)                                                               \
	X(gnutls_certificate_get_peers)                                                                      \
	X(gnutls_certificate_verify_peers2)                                                                  \
	X(gnutls_x509_privkey_init)                                                                          \
	X(gnutls_x509_privkey_deinit)                                                                        \
	X(gnutls_x509_privkey_generate)                                                                      \
	X(gnutls_x509_privkey_export2)                                                                       \
	X(gnutls_x509_crt_init)                                                                              \
	X(gnutls_x509_crt_deinit)                                                                            \
	X(gnutls_x509_crt_set_version)                                                                       \
	X(gnutls_x509_crt_set_serial)                                                                        \
	X(gnutls_x509_crt_set_key)                                                                           \
	X(gnutls_x509_crt_set_key_usage)                                                                     \
	X(gnutls_x509_crt_set_key_purpose_oid)                                                               \
	X(gnutls_x509_crt_set_dn_by_oid)                                                                     \
	X(gnutls_x509_crt_set_basic_constraints)                                                             \
	X(gnutls_x509_crt_set_activation_time)                                                               \
	X(gnutls_x509_crt_set_expiration_time)                                                               \
	X(gnutls_x509_crt_set_subject_alt_name)                                                              \
	X(gnutls_x509_crt_sign2)                                                                             \
	X(gnutls_x509_crt_export2)

struct cc_gnutls_api {
	CC_GNUTLS_SYMBOLS(CC_DYN_FIELD)
};

const struct cc_gnutls_api *cc_gnutls(void);
int cc_gnutls_ready(struct cc_error **err);

#ifndef CC_LIBGNUTLS_LOADER
#define gnutls_strerror                         (cc_gnutls()->p_gnutls_strerror)
#define gnutls_free                             (*cc_gnutls()->p_gnutls_free) /* a variable: the library's free function */
#define gnutls_init                             (cc_gnutls()->p_gnutls_init)
#define gnutls_deinit                           (cc_gnutls()->p_gnutls_deinit)
#define gnutls_set_default_priority             (cc_gnutls()->p_gnutls_set_default_priority)
#define gnutls_credentials_set                  (cc_gnutls()->p_gnutls_credentials_set)
#define gnutls_transport_set_int2               (cc_gnutls()->p_gnutls_transport_set_int2)
#define gnutls_handshake                        (cc_gnutls()->p_gnutls_handshake)
#define gnutls_record_send                      (cc_gnutls()->p_gnutls_record_send)
#define gnutls_record_recv                      (cc_gnutls()->p_gnutls_record_recv)
#define gnutls_certificate_allocate_credentials (cc_gnutls()->p_gnutls_certificate_allocate_credentials)
#define gnutls_certificate_free_credentials     (cc_gnutls()->p_gnutls_certificate_free_credentials)
#define gnutls_certificate_get_peers            (cc_gnutls()->p_gnutls_certificate_get_peers)
#define gnutls_certificate_verify_peers2        (cc_gnutls()->p_gnutls_certificate_verify_peers2)
#define gnutls_x509_privkey_init                (cc_gnutls()->p_gnutls_x509_privkey_init)
#define gnutls_x509_privkey_deinit              (cc_gnutls()->p_gnutls_x509_privkey_deinit)
#define gnutls_x509_privkey_generate            (cc_gnutls()->p_gnutls_x509_privkey_generate)
#define gnutls_x509_privkey_export2             (cc_gnutls()->p_gnutls_x509_privkey_export2)
#define gnutls_x509_crt_init                    (cc_gnutls()->p_gnutls_x509_crt_init)
#define gnutls_x509_crt_deinit                  (cc_gnutls()->p_gnutls_x509_crt_deinit)
#define gnutls_x509_crt_set_version             (cc_gnutls()->p_gnutls_x509_crt_set_version)
#define gnutls_x509_crt_set_serial              (cc_gnutls()->p_gnutls_x509_crt_set_serial)
#define gnutls_x509_crt_set_key                 (cc_gnutls()->p_gnutls_x509_crt_set_key)
#define gnutls_x509_crt_set_key_usage           (cc_gnutls()->p_gnutls_x509_crt_set_key_usage)
#define gnutls_x509_crt_set_key_purpose_oid     (cc_gnutls()->p_gnutls_x509_crt_set_key_purpose_oid)
#define gnutls_x509_crt_set_dn_by_oid           (cc_gnutls()->p_gnutls_x509_crt_set_dn_by_oid)
#define gnutls_x509_crt_set_basic_constraints   (cc_gnutls()->p_gnutls_x509_crt_set_basic_constraints)
#define gnutls_x509_crt_set_activation_time     (cc_gnutls()->p_gnutls_x509_crt_set_activation_time)
#define gnutls_x509_crt_set_expiration_time     (cc_gnutls()->p_gnutls_x509_crt_set_expiration_time)
#define gnutls_x509_crt_set_subject_alt_name    (cc_gnutls()->p_gnutls_x509_crt_set_subject_alt_name)
#define gnutls_x509_crt_sign2                   (cc_gnutls()->p_gnutls_x509_crt_sign2)
#define gnutls_x509_crt_export2                 (cc_gnutls()->p_gnutls_x509_crt_export2)
#endif

#endif
