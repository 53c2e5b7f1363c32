#include "server/tls/certificate_names.h"

#include <openssl/x509v3.h>

#include <algorithm>

namespace alder {
namespace {

std::string Utf8Of(const ASN1_STRING* text) {
  unsigned char* utf8 = nullptr;
  const int length = ASN1_STRING_to_UTF8(&utf8, text);
  if (length < 0) return "";
  std::string out(reinterpret_cast<const char*>(utf8), static_cast<size_t>(length));
  OPENSSL_free(utf8);
  return out;
}

std::string CommonNameOf(X509* certificate) {
  const X509_NAME* subject = X509_get_subject_name(certificate);
  const int index = X509_NAME_get_index_by_NID(subject, NID_commonName, -1);
  if (index < 0) return "";
  return Utf8Of(X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, index)));
}

std::vector<std::string> DnsNamesOf(X509* certificate) {
  std::vector<std::string> out;
  auto* names = static_cast<GENERAL_NAMES*>(
      X509_get_ext_d2i(certificate, NID_subject_alt_name, nullptr, nullptr));
  if (names == nullptr) return out;
  for (int i = 0; i < sk_GENERAL_NAME_num(names); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names, i);
    if (name->type == GEN_DNS) out.push_back(Utf8Of(name->d.dNSName));
  }
  GENERAL_NAMES_free(names);
  return out;
}

}  // namespace

bool CertificateNames::Includes(const std::string& name) const {
  return common_name == name ||
         std::find(dns_names.begin(), dns_names.end(), name) != dns_names.end();
}

std::string CertificateNames::Describe() const {
  std::string out = common_name.empty() ? "no CN" : "CN=" + common_name;
  for (const std::string& dns : dns_names) out += ", DNS:" + dns;
  return out;
}

CertificateNames NamesOf(X509* certificate) {
  if (certificate == nullptr) return {};
  return CertificateNames{CommonNameOf(certificate), DnsNamesOf(certificate)};
}

}  // namespace alder
