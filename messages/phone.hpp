#pragma once

#include <span>
#include <string>
#include <string_view>

namespace ivrcast::messages {

/// A caller or incoming number in national form ("0" + digits), or empty when withheld or not
/// a number. Accepts +81…, 0081…, 81… (12+ digits), 0…, with spaces, dashes, dots, brackets.
std::string normalise_number(std::string_view raw);

/// True for national-form numbers of 11 digits starting with one of `prefixes` (e.g. "090").
bool is_mobile(std::string_view national, std::span<const std::string> prefixes);

/// Masks a number for logs: keeps the first 3 and last 2 digits ("090******78").
std::string mask(std::string_view number);

}  // namespace ivrcast::messages
