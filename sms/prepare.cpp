#include "sms/prepare.hpp"

#include "messages/errc.hpp"
#include "sms/segment_rules.hpp"

namespace ivrcast::sms {

std::string message_id_of(const messages::sms_job& job) {
  return job.job.value + ".1";
}

caf::expected<prepared_message> prepare(const messages::sms_job& job, const carrier_directory& dir,
                                        std::string_view short_domain) {
  prepared_message m;
  m.message_id = message_id_of(job);
  auto c = dir.resolve(job.destination);
  if (!c)
    return caf::make_error(errc::bad_input, "prepare",
                           "no carrier serves the destination's number range");
  m.via = *c;
  if (job.short_urls) {
    auto rw = rewrite_urls(job.body, short_domain, m.message_id);
    if (!rw)
      return std::move(rw.error());
    m.body = std::move(rw->text);
    m.links = std::move(rw->links);
  } else {
    m.body = job.body;
  }
  auto text = to_utf16(m.body);
  if (!text)
    return std::move(text.error());
  m.text = std::move(*text);
  m.length = static_cast<int>(m.text.size());
  auto seg = billed_segments(m.via, m.length);
  if (!seg)
    return caf::make_error(errc::bad_input, "prepare",
                           m.length == 0
                               ? std::string{"the body is empty"}
                               : "the body has " + std::to_string(m.length) + " characters; " +
                                     std::string{display_name(m.via)} + " takes at most " +
                                     std::to_string(rule_of(m.via).max_length));
  m.segments = *seg;
  return m;
}

}  // namespace ivrcast::sms
