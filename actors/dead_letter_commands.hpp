#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace ivrcast::connectors::kafka {
class bus;
}

namespace ivrcast::actors {

/// `ivrcast deadletters list`: every dead letter (of source topic `topic`, a name without the
/// prefix, if given; the last `limit`, if not 0) as one JSON object per line on stdout. 0 on
/// success.
int list_dead_letters(const connectors::kafka::bus& b, const std::string& topic, size_t limit);

/// `ivrcast deadletters replay`: the dead letters at `positions` ("<partition>:<offset>") or
/// all of them (of `topic`, if given) go back, key and bytes as they were, to the topic they
/// came from; one JSON line per record. A dead letter of no ivrcast topic (an SMPP receipt
/// that did not parse) is refused and named. 0 when every one is back on its topic.
int replay_dead_letters(const connectors::kafka::bus& b, const std::vector<std::string>& positions,
                        bool all, const std::string& topic);

}  // namespace ivrcast::actors
