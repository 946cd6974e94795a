# Sourced by the benchmarks: a build tree's node reads the source tree's data (an installed one
# reads share/ivrcast). Needs $root.
export IVRCAST_SMS_NUMBER_RANGES="$root/config/carriers/number_ranges.csv"
export IVRCAST_SMS_PORTED="$root/config/carriers/ported.csv"
export IVRCAST_SMTP_TEMPLATES="$root/config/mail"
