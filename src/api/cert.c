/* A self-signed certificate with GnuTLS (cert.h): ECDSA P-256, serverAuth, the SANs asked for. */
#include "api/cert.h"
#include "base/fsutil.h"
#include "base/random.h"
#include "base/xalloc.h"

#include <arpa/inet.h>
#include "base/libgnutls.h"
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int tls_fail(struct cc_error **err, int rc, const char *what)
{
	return cc_error_set(err, CC_ERR_INTERNAL, "generate-cert: %s: %s", what, gnutls_strerror(rc));
}

static int add_ip(gnutls_x509_crt_t crt, const char *ip, struct cc_error **err)
{
	unsigned char buf[16];
	size_t len;
	if (inet_pton(AF_INET, ip, buf) == 1)
		len = 4;
	else if (inet_pton(AF_INET6, ip, buf) == 1)
		len = 16;
	else
		return cc_error_set(err, CC_ERR_INVALID_ARGUMENT, "--san-ip %s: not an IP address", ip);
	int rc = gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_IPADDRESS, buf, (unsigned)len,
						      GNUTLS_FSAN_APPEND);
	return rc < 0 ? tls_fail(err, rc, "subject alt name") : 0;
}

static int export_pem(int (*fn)(void *, gnutls_x509_crt_fmt_t, gnutls_datum_t *), void *obj, char **out,
		      size_t *len)
{
	gnutls_datum_t d = {0};
	int rc = fn(obj, GNUTLS_X509_FMT_PEM, &d);
	if (rc < 0)
		return rc;
	*out = cc_xmalloc(d.size + 1);
	memcpy(*out, d.data, d.size);
	(*out)[d.size] = '\0';
	*len = d.size;
	gnutls_free(d.data);
	return 0;
}

static int crt_export(void *o, gnutls_x509_crt_fmt_t f, gnutls_datum_t *d)
{
	return gnutls_x509_crt_export2(o, f, d);
}

static int key_export(void *o, gnutls_x509_crt_fmt_t f, gnutls_datum_t *d)
{
	return gnutls_x509_privkey_export2(o, f, d);
}

int api_generate_cert(const struct api_cert_opts *o, struct cc_error **err)
{
	char *cert_path = cc_path_join(o->out_dir, "cert.pem");
	char *key_path = cc_path_join(o->out_dir, "key.pem");
	gnutls_x509_privkey_t key = NULL;
	gnutls_x509_crt_t crt = NULL;
	char *cert_pem = NULL, *key_pem = NULL;
	size_t cert_len = 0, key_len = 0;
	int r = -1, rc;
	if (!o->force && (cc_file_exists(cert_path) || cc_file_exists(key_path))) {
		cc_error_set(err, CC_ERR_ALREADY_EXISTS, "%s or %s exists; pass --force to replace them",
			     cert_path, key_path);
		goto out;
	}
	if (cc_gnutls_ready(err) < 0 || cc_mkdir_p(o->out_dir, 0700, err) < 0)
		goto out;
	if ((rc = gnutls_x509_privkey_init(&key)) < 0 ||
	    (rc = gnutls_x509_privkey_generate(key, GNUTLS_PK_ECDSA,
					       GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 0)) < 0) {
		tls_fail(err, rc, "key");
		goto out;
	}
	if ((rc = gnutls_x509_crt_init(&crt)) < 0) {
		tls_fail(err, rc, "certificate");
		goto out;
	}
	unsigned char serial[16];
	char hex[33];
	cc_random_hex(hex, sizeof(serial));
	for (size_t i = 0; i < sizeof(serial); i++)
		serial[i] = (unsigned char)strtoul((char[]){hex[2 * i], hex[2 * i + 1], 0}, NULL, 16);
	serial[0] &= 0x7f; /* a positive serial */
	time_t now = time(NULL);
	int days = o->days > 0 ? o->days : 365;
	const char *cn = o->cn && *o->cn ? o->cn : "localhost";
	if ((rc = gnutls_x509_crt_set_version(crt, 3)) < 0 ||
	    (rc = gnutls_x509_crt_set_serial(crt, serial, sizeof(serial))) < 0 ||
	    (rc = gnutls_x509_crt_set_activation_time(crt, now - 60)) < 0 ||
	    (rc = gnutls_x509_crt_set_expiration_time(crt, now + (time_t)days * 86400)) < 0 ||
	    (rc = gnutls_x509_crt_set_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0, cn,
						(unsigned)strlen(cn))) < 0 ||
	    (rc = gnutls_x509_crt_set_key(crt, key)) < 0 ||
	    (rc = gnutls_x509_crt_set_basic_constraints(crt, 0, -1)) < 0 ||
	    (rc = gnutls_x509_crt_set_key_usage(crt, GNUTLS_KEY_DIGITAL_SIGNATURE)) < 0 ||
	    (rc = gnutls_x509_crt_set_key_purpose_oid(crt, GNUTLS_KP_TLS_WWW_SERVER, 0)) < 0) {
		tls_fail(err, rc, "certificate fields");
		goto out;
	}
	bool defaults = !o->dns && !o->ips;
	const char *const def_dns[] = {"localhost", NULL};
	const char *const def_ips[] = {"127.0.0.1", "::1", NULL};
	for (const char *const *d = defaults ? def_dns : (const char *const *)o->dns; d && *d; d++) {
		if ((rc = gnutls_x509_crt_set_subject_alt_name(
			 crt, GNUTLS_SAN_DNSNAME, *d, (unsigned)strlen(*d), GNUTLS_FSAN_APPEND)) < 0) {
			tls_fail(err, rc, "subject alt name");
			goto out;
		}
	}
	for (const char *const *ip = defaults ? def_ips : (const char *const *)o->ips; ip && *ip; ip++)
		if (add_ip(crt, *ip, err) < 0)
			goto out;
	if ((rc = gnutls_x509_crt_sign2(crt, crt, key, GNUTLS_DIG_SHA256, 0)) < 0) {
		tls_fail(err, rc, "sign");
		goto out;
	}
	if ((rc = export_pem(crt_export, crt, &cert_pem, &cert_len)) < 0 ||
	    (rc = export_pem(key_export, key, &key_pem, &key_len)) < 0) {
		tls_fail(err, rc, "export");
		goto out;
	}
	char *tmp_key = cc_path_join(o->out_dir, ".key.pem.tmp");
	char *tmp_cert = cc_path_join(o->out_dir, ".cert.pem.tmp");
	r = cc_write_file_atomic(key_path, tmp_key, key_pem, key_len, 0600, true, err);
	if (r == 0)
		r = cc_write_file_atomic(cert_path, tmp_cert, cert_pem, cert_len, 0644, true, err);
	free(tmp_key);
	free(tmp_cert);
out:
	if (crt)
		gnutls_x509_crt_deinit(crt);
	if (key)
		gnutls_x509_privkey_deinit(key);
	free(cert_pem);
	if (key_pem)
		memset(key_pem, 0, key_len);
	free(key_pem);
	free(cert_path);
	free(key_path);
	return r;
}
