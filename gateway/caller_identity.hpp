#pragma once

#include <string>
#include <string_view>

namespace ivrcast::gateway {

/// The dialled number of a Request-URI user part ("0501110001", "+81-50-1111-0001",
/// "0501110001;phone-context=..."): its digits and a leading '+', visual separators dropped;
/// empty when it holds anything else.
std::string dialled_number(std::string_view request_user);

/// The caller's number as the protocol's `calling` wants it: from P-Asserted-Identity when
/// present, else From (each a name-addr or bare URI, sip:/sips:/tel:). Withheld callers
/// ("anonymous", "unavailable", "restricted", an anonymous.invalid host, `Privacy: id`) and
/// anything that is not a phone number come out empty. Pure.
std::string calling_number(std::string_view asserted_identity, std::string_view from,
                           std::string_view privacy);

}  // namespace ivrcast::gateway
