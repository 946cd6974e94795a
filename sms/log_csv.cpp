#include "sms/log_csv.hpp"

#include "messages/clock.hpp"
#include "messages/flows.hpp"

#include <iconv.h>

#include <cerrno>
#include <charconv>

namespace ivrcast::sms {
namespace {

constexpr std::string_view header_line =
    "ジョブID,メッセージID,種別,送受信トリガー,送信順序,送信予定時刻,送信時刻,電話番号,キャリア,"
    "チャンネル,案件ID,案件名,コンテンツタイプ,配信原稿,ステータス,到達,到達時刻,送信文字数,"
    "文字分割数,開封,開封時刻,ケーパビリティ結果,返信メッセージID,サジェスチョンID,"
    "サジェスチョンリストタイトル,送信元メッセージID,返信メッセージ種別,表示テキスト,返信本文,"
    "着信用電話番号\r\n";

constexpr size_t flush_at = 64 * 1024;

/// Whether RFC 4180 quotes `v`. A loop over the bytes: string_view::find_first_of calls memchr
/// on the set once per byte, a sixth of an export's time.
bool needs_quotes(std::string_view v) {
  for (char c : v)
    if (c == ',' || c == '"' || c == '\r' || c == '\n')
      return true;
  return false;
}

/// `lead` (a character or none) and `v` as one field.
void append_field(std::string& out, std::string_view lead, std::string_view v) {
  if (!needs_quotes(v)) {
    out.append(lead);
    out.append(v);
    return;
  }
  out.push_back('"');
  out.append(lead);
  for (size_t from = 0;;) {
    auto quote = v.find('"', from);
    out.append(v.substr(from, quote - from));
    if (quote == std::string_view::npos)
      break;
    out.append("\"\"");
    from = quote + 1;
  }
  out.push_back('"');
}

void append_int(std::string& out, int64_t v) {
  char tmp[24];
  auto end = std::to_chars(tmp, tmp + sizeof tmp, v).ptr;  // 24 chars hold any int64
  out.append(tmp, static_cast<size_t>(end - tmp));
}

void two(std::string& out, int v) {
  char d[2] = {static_cast<char>('0' + v / 10), static_cast<char>('0' + v % 10)};
  out.append(d, 2);
}

}  // namespace

void append_csv_field(std::string& out, std::string_view v) {
  append_field(out, {}, v);
}

void append_csv_text(std::string& out, std::string_view v) {
  bool formula =
      !v.empty() && std::string_view{"=+-@\t\r"}.find(v.front()) != std::string_view::npos;
  append_field(out, formula ? "'" : "", v);
}

void append_international(std::string& out, std::string_view national) {
  if (national.empty())
    return;
  out.append("+81");
  out.append(national.substr(national[0] == '0' ? 1 : 0));
}

std::string international(std::string_view national) {
  std::string out;
  append_international(out, national);
  return out;
}

void append_jst(std::string& out, int64_t unix_ms) {
  if (unix_ms <= 0)
    return;
  auto t = jst_civil(unix_ms);
  append_int(out, t.year);
  out.push_back('/');
  two(out, t.month);
  out.push_back('/');
  two(out, t.day);
  out.push_back(' ');
  two(out, t.hour);
  out.push_back(':');
  two(out, t.minute);
  out.push_back(':');
  two(out, t.second);
}

std::optional<int64_t> parse_jst(std::string_view t) {
  int f[6] = {0, 0, 0, 0, 0, 0};
  static constexpr size_t starts[] = {0, 5, 8, 11, 14, 17};
  static constexpr size_t widths[] = {4, 2, 2, 2, 2, 2};
  size_t fields = t.size() == 10 ? 3 : t.size() == 16 ? 5 : t.size() == 19 ? 6 : 0;
  if (fields == 0)
    return std::nullopt;
  for (size_t i = 0; i < fields; ++i) {
    for (size_t k = 0; k < widths[i]; ++k) {
      char c = t[starts[i] + k];
      if (c < '0' || c > '9')
        return std::nullopt;
      f[i] = f[i] * 10 + (c - '0');
    }
    if (i > 0) {
      char sep = t[starts[i] - 1];
      bool ok = i < 3    ? (sep == '-' || sep == '/')
                : i == 3 ? (sep == 'T' || sep == ' ')
                         : sep == ':';
      if (!ok)
        return std::nullopt;
    }
  }
  if (f[1] < 1 || f[1] > 12 || f[2] < 1 || f[2] > 31 || f[3] > 23 || f[4] > 59 || f[5] > 59)
    return std::nullopt;
  static constexpr int month_days[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (f[0] % 4 == 0 && f[0] % 100 != 0) || f[0] % 400 == 0;
  if (f[2] > month_days[f[1] - 1] || (f[1] == 2 && f[2] == 29 && !leap))
    return std::nullopt;  // 2026-02-30
  auto ms = jst_to_unix_ms(f[0], f[1], f[2], f[3], f[4], f[5]);
  if (ms <= 0)
    return std::nullopt;  // before 1970: no time the log holds, nor one it could show
  return ms;
}

log_csv_writer::log_csv_writer(csv_encoding enc, sink_fn sink, const char* shift_jis_charset)
    : enc_(enc), sink_(std::move(sink)) {
  buf_.reserve(flush_at + 4096);
  if (enc_ == csv_encoding::shift_jis) {
    auto cd = iconv_open(shift_jis_charset, "UTF-8");
    if (cd != reinterpret_cast<iconv_t>(-1))
      iconv_ = cd;
    else
      ok_ = false;  // a file called Shift_JIS that is not would garble every Japanese field
  }
}

bool shift_jis_available() {
  auto cd = iconv_open("CP932", "UTF-8");
  if (cd == reinterpret_cast<iconv_t>(-1))
    return false;
  iconv_close(cd);
  return true;
}

log_csv_writer::~log_csv_writer() {
  if (iconv_)
    iconv_close(static_cast<iconv_t>(iconv_));
}

bool log_csv_writer::header() {
  if (enc_ == csv_encoding::utf8_bom)
    buf_.append("\xEF\xBB\xBF");
  buf_.append(header_line);
  return flush();
}

bool log_csv_writer::row(const log_row& r) {
  if (!ok_)
    return false;
  auto& o = buf_;
  append_csv_field(o, r.job_id);
  o.push_back(',');
  append_csv_field(o, r.message_id);
  o.append(",送信,,,");  // 種別 is always 送信; 送受信トリガー and 送信順序 unused (§4)
  append_jst(o, r.requested_at_ms);
  o.push_back(',');
  append_jst(o, r.sent_at_ms);
  o.push_back(',');
  append_international(o, r.destination);
  o.push_back(',');
  // キャリア shows the carrier once delivered, else 不明 (product.md §3.1).
  o.append(r.status == delivery_status::delivered && r.via ? display_name(*r.via) : "不明");
  o.append(",SMS,");
  append_csv_field(o, r.flow_version_id);
  o.push_back(',');
  o.append(messages::campaign_prefix);  // 案件名: messages::campaign_name, without a copy
  append_csv_field(o, r.flow_version_id);
  o.append(",,");  // コンテンツタイプ unused by the IVR plan
  append_csv_text(o, r.body);
  o.push_back(',');
  o.append(label(r.status));
  o.push_back(',');
  o.append(arrival_label(r.status));
  o.push_back(',');
  append_jst(o, r.arrived_at_ms);
  o.push_back(',');
  append_int(o, r.sent_length);
  o.push_back(',');
  append_int(o, r.segments);
  o.push_back(',');
  if (r.opened_at_ms > 0)
    o.append("開封");
  o.push_back(',');
  append_jst(o, r.opened_at_ms);
  o.append(",,,,,,,,,");  // ケーパビリティ結果 … 返信本文: RCS columns, unused
  append_international(o, r.incoming_number);
  o.append("\r\n");
  return o.size() >= flush_at ? flush() : true;
}

bool log_csv_writer::finish() {
  return flush();
}

bool log_csv_writer::flush() {
  if (!ok_)
    return false;
  if (buf_.empty())
    return true;
  if (enc_ == csv_encoding::utf8_bom) {
    ok_ = sink_(buf_);
    buf_.clear();
    return ok_;
  }
  converted_.resize(buf_.size() * 2 + 16);
  char* in = buf_.data();
  size_t in_left = buf_.size();
  char* out = converted_.data();
  size_t out_left = converted_.size();
  auto cd = static_cast<iconv_t>(iconv_);
  while (in_left > 0) {
    if (iconv(cd, &in, &in_left, &out, &out_left) != static_cast<size_t>(-1))
      break;
    if (errno != EILSEQ && errno != EINVAL)
      break;  // E2BIG cannot happen: CP932 never takes more bytes than UTF-8
    // Not in Shift_JIS (an emoji, say): write `?` and skip the UTF-8 character.
    *out++ = '?';
    --out_left;
    do {
      ++in;
      --in_left;
    } while (in_left > 0 && (static_cast<unsigned char>(*in) & 0xC0) == 0x80);
  }
  converted_.resize(converted_.size() - out_left);
  buf_.clear();
  ok_ = sink_(converted_);
  return ok_;
}

}  // namespace ivrcast::sms
